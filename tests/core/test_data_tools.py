"""Bank tools: mix by weight, split into exact parts, filter by pass rate. All seeded."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from alphamed.data import (
    MissingDifficultyError,
    MixSource,
    QuestionBank,
    filter_by_pass_rate,
    mix_banks,
    parse_ratios,
    parse_source,
    split_bank,
)
from alphamed.data.mixing import reservoir_sample, shares


def make_bank(path: Path, prefix: str, n: int, difficulty=None) -> Path:
    with open(path, "w") as f:
        for i in range(n):
            row = {
                "id": f"{prefix}{i}",
                "question": f"{prefix} question {i}?",
                "options": {"A": "x", "B": "y"},
                "answer": "AB"[i % 2],
                "source": prefix,
            }
            if difficulty is not None:
                row["difficulty"] = difficulty(i)
            f.write(json.dumps(row) + "\n")
    return path


@pytest.fixture
def two_banks(tmp_path):
    return make_bank(tmp_path / "a.jsonl", "a", 40), make_bank(tmp_path / "b.jsonl", "b", 30)


def test_shares_sum_exactly_and_follow_weights():
    assert shares([0.5, 0.5], 7) == [4, 3]
    assert shares([1, 1, 1], 10) == [4, 3, 3]
    assert sum(shares([0.13, 0.29, 0.58], 101)) == 101
    with pytest.raises(ValueError):
        shares([0.5, 0], 10)


def test_reservoir_sample_is_uniform_enough_and_seeded():
    import random

    counts = Counter()
    for s in range(400):
        picked, seen = reservoir_sample(range(10), 3, random.Random(s))
        assert seen == 10 and len(set(picked)) == 3 and picked == sorted(picked)
        counts.update(picked)
    assert min(counts.values()) > 80 and max(counts.values()) < 160  # expected 120 each
    assert reservoir_sample(range(100), 5, random.Random(1)) == reservoir_sample(range(100), 5, random.Random(1))


def test_mix_respects_weights_size_and_seed(two_banks):
    a, b = two_banks
    sources = [MixSource(a, 0.75), MixSource(b, 0.25)]
    mixed = mix_banks(sources, 20, seed=3)
    assert len(mixed) == 20 and len({q.id for q in mixed}) == 20
    assert Counter(q.source for q in mixed) == {"a": 15, "b": 5}
    assert [q.id for q in mix_banks(sources, 20, seed=3)] == [q.id for q in mixed]
    assert [q.id for q in mix_banks(sources, 20, seed=4)] != [q.id for q in mixed]
    assert [q.source for q in mixed] != sorted(q.source for q in mixed)  # interleaved, not concatenated


def test_mix_refuses_a_share_larger_than_the_bank(two_banks):
    a, b = two_banks
    with pytest.raises(ValueError, match="b.jsonl: has 30 questions, its share of the mix is 35"):
        mix_banks([MixSource(a, 1), MixSource(b, 1)], 70)


def test_mix_refuses_shared_ids(tmp_path):
    a = make_bank(tmp_path / "a.jsonl", "x", 5)
    b = make_bank(tmp_path / "b.jsonl", "x", 5)
    with pytest.raises(ValueError, match="id 'x.' is in both"):
        mix_banks([MixSource(a, 1), MixSource(b, 1)], 10)


def test_parse_source():
    assert parse_source("dir/a.jsonl:0.3") == MixSource("dir/a.jsonl", 0.3)
    with pytest.raises(ValueError, match="weight 'x' is not a number"):
        parse_source("a.jsonl:x")
    with pytest.raises(ValueError, match="weight must be > 0"):
        parse_source("a.jsonl:-1")


def test_split_exact_sizes_disjoint_complete_and_seeded(tmp_path):
    bank = make_bank(tmp_path / "bank.jsonl", "q", 25)
    parts = split_bank(bank, [0.8, 0.2], tmp_path / "out" / "s", seed=1)
    train, test = (tmp_path / "out" / "s-train.jsonl"), (tmp_path / "out" / "s-test.jsonl")
    assert parts == {train: 20, test: 5}
    ids_train = [q.id for q in QuestionBank(train)]
    ids_test = [q.id for q in QuestionBank(test)]
    assert not set(ids_train) & set(ids_test)
    assert sorted(ids_train + ids_test) == sorted(f"q{i}" for i in range(25))
    assert ids_train == sorted(ids_train, key=lambda s: int(s[1:]))  # file order kept within a part
    split_bank(bank, [0.8, 0.2], tmp_path / "again", seed=1)
    assert [q.id for q in QuestionBank(tmp_path / "again-test.jsonl")] == ids_test
    split_bank(bank, [0.8, 0.2], tmp_path / "other", seed=2)
    assert [q.id for q in QuestionBank(tmp_path / "other-test.jsonl")] != ids_test


def test_split_three_parts_custom_names(tmp_path):
    bank = make_bank(tmp_path / "bank.jsonl", "q", 10)
    parts = split_bank(bank, [0.5, 0.3, 0.2], tmp_path / "x", names=["a", "b", "c"])
    assert [p.name for p in parts] == ["x-a.jsonl", "x-b.jsonl", "x-c.jsonl"]
    assert list(parts.values()) == [5, 3, 2]


def test_split_of_a_bad_bank_writes_nothing(tmp_path):
    bank = make_bank(tmp_path / "bank.jsonl", "q", 5)
    with open(bank, "a") as f:
        f.write("{broken\n")
    out = tmp_path / "out"
    with pytest.raises(Exception, match=r"bank\.jsonl:6: json"):
        split_bank(bank, [0.5, 0.5], out / "s")
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize(
    "text,message",
    [("0.9,0.2", "sum to 1.1"), ("1", "at least two"), ("a,b", "comma-separated"), ("0.5,0,0.5", "positive")],
)
def test_parse_ratios_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_ratios(text)


def test_filter_by_pass_rate_band_inclusive(tmp_path):
    bank = make_bank(tmp_path / "b.jsonl", "q", 11, difficulty=lambda i: i / 10)
    kept = [q.difficulty for q in filter_by_pass_rate(QuestionBank(bank), 0.2, 0.5)]
    assert kept == [0.2, 0.3, 0.4, 0.5]


def test_filter_needs_a_numeric_pass_rate(tmp_path):
    bank = make_bank(tmp_path / "b.jsonl", "q", 3, difficulty=lambda i: None if i == 1 else 0.5)
    with pytest.raises(MissingDifficultyError, match="question 'q1' has no difficulty"):
        list(filter_by_pass_rate(QuestionBank(bank), 0.1, 0.9))
    level = make_bank(tmp_path / "c.jsonl", "q", 1, difficulty=lambda i: "hard")
    with pytest.raises(MissingDifficultyError, match="difficulty 'hard' is not a pass rate"):
        list(filter_by_pass_rate(QuestionBank(level)))
    with pytest.raises(ValueError, match="min-pass <= max-pass"):
        list(filter_by_pass_rate(QuestionBank(bank), 0.9, 0.1))
