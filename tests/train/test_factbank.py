"""The synthetic fact bank: deterministic, balanced, with reordered and held-out variants."""

from __future__ import annotations

from alphamed_train.factbank import FACTS, FactBank, letter_balance


def test_same_seed_same_bank_other_seed_other_split() -> None:
    assert FactBank.generate(3).questions("rl") == FactBank.generate(3).questions("rl")
    assert FactBank.generate(3).rl != FactBank.generate(4).rl


def test_splits_are_disjoint_and_cover_the_facts() -> None:
    bank = FactBank.generate(0, num_rl=20, num_heldout=10)
    rl, held, taught = set(bank.rl), set(bank.heldout), set(bank.taught)
    assert not (rl & held or rl & taught or held & taught)
    assert len(rl | held | taught) == len(FACTS)


def test_gold_letters_are_balanced_and_correct() -> None:
    bank = FactBank.generate(1, num_options=5, num_rl=20)
    qs = bank.questions("rl")
    assert set(letter_balance(qs).values()) == {4}
    assert all(q.options[q.answer] == q.metadata["drug"] for q in qs)
    assert all(len(set(q.options.values())) == 5 for q in qs)


def test_reordered_variant_moves_every_gold_answer() -> None:
    bank = FactBank.generate(2)
    for v0, v1 in zip(bank.questions("heldout"), bank.questions("heldout", variant=1)):
        assert v1.answer != v0.answer
        assert v1.options[v1.answer] == v0.options[v0.answer]
        assert set(v1.options.values()) == set(v0.options.values())
