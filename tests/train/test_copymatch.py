"""The copy/match bank: deterministic, disjoint names per split, balanced letters, real reorderings."""

from __future__ import annotations

from collections import Counter

import pytest
from alphamed_train.copymatch import SPLITS, CopyMatchBank, make_name, rotate, worked_answer

from alphamed.extract import extract_answer


def small(seed: int = 0, **kw: int) -> CopyMatchBank:
    return CopyMatchBank.generate(seed, **({"num_rl": 40, "num_validation": 20, "num_heldout": 40} | kw))


def test_same_seed_same_bank_other_seed_other_names() -> None:
    assert small(3).questions("heldout") == small(3).questions("heldout")
    assert small(3).names("heldout") != small(4).names("heldout")


def test_name_pools_are_disjoint() -> None:
    bank = small()
    pools = [set(bank.names(split)) for split in SPLITS]
    assert sum(len(p) for p in pools) == len(set().union(*pools))


def test_every_name_in_a_question_comes_from_its_split() -> None:
    bank = small()
    for split in ("rl", "validation", "heldout"):
        names = set(bank.names(split))
        for q in bank.questions(split):
            assert set(q.options.values()) <= names and q.metadata["condition"] in names


def test_gold_letters_balanced_and_the_note_names_the_gold() -> None:
    qs = small().questions("heldout")
    assert set(Counter(q.answer for q in qs).values()) == {10}
    for q in qs:
        assert q.options[q.answer] == q.metadata["drug"]
        assert f"use {q.metadata['drug']}." in q.question
        assert len(set(q.options.values())) == 4


@pytest.mark.parametrize("order", [1, 2, 3])
def test_orders_move_the_gold_and_keep_the_options(order: int) -> None:
    bank = small()
    for q0, qk in zip(bank.questions("rl"), bank.questions("rl", order=order)):
        assert qk.answer != q0.answer
        assert qk.options[qk.answer] == q0.options[q0.answer]
        assert sorted(qk.options.values()) == sorted(q0.options.values())
        assert qk.id.endswith(f"-o{order}") and qk.id.rsplit("-o", 1)[0] == q0.id.rsplit("-o", 1)[0]


def test_rotation_by_the_option_count_is_the_identity() -> None:
    q = small().questions("rl")[5]
    assert rotate(q, 4).options == q.options


@pytest.mark.parametrize("style", ["recall", "walk"])
def test_worked_answers_are_read_as_the_gold_letter(style: str) -> None:
    for q in small().questions("validation")[:8]:
        found = extract_answer(worked_answer(q, style), q.options)
        assert found is not None and found.letter == q.answer


def test_names_alternate_consonants_and_vowels() -> None:
    import random

    rng = random.Random(1)
    for _ in range(50):
        name = make_name(rng)
        assert 5 <= len(name) <= 8
        assert all((c in "aeiou") == (i % 2 == 1) for i, c in enumerate(name))


def test_sample_draws_fresh_warm_questions() -> None:
    import random

    bank, rng = small(), random.Random(0)
    warm = set(bank.names("warm"))
    qs = [bank.sample(rng) for _ in range(20)]
    assert len({q.question for q in qs}) == 20
    assert all(set(q.options.values()) <= warm for q in qs)


def test_warm_split_has_no_fixed_questions() -> None:
    with pytest.raises(ValueError, match="sample"):
        small().questions("warm")
