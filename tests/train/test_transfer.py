"""The transfer measurement's arithmetic: accuracy over orders, Wilson CIs over questions, pooled seeds."""

from __future__ import annotations

import pytest

pytest.importorskip("alphamed_client")

from alphamed_train.copymatch import CopyMatchBank  # noqa: E402
from alphamed_train.transfer import MEASURES, apart, measure_sets, pooled, sentence, summarise  # noqa: E402


def test_measure_sets_share_questions_across_orders() -> None:
    sets = measure_sets(CopyMatchBank.generate(0, num_rl=12, num_validation=4, num_heldout=8), 3)
    assert [len(sets[m]) for m in MEASURES] == [1, 2, 3]
    for lists in sets.values():
        ids = [[q.id.rsplit("-o", 1)[0] for q in qs] for qs in lists]
        assert all(i == ids[0] for i in ids)


def test_summarise_counts_questions_not_question_orders() -> None:
    one = summarise([[1.0] * 30 + [0.0] * 30], [["x"] * 60])
    three = summarise([[1.0] * 30 + [0.0] * 30] * 3, [["x"] * 60] * 3)
    assert one["accuracy"] == three["accuracy"] == 50.0
    assert one["ci"] == three["ci"] and one["n"] == three["n"] == 60
    assert three["orders"] == 3 and three["consistent"] == 100.0


def test_consistency_needs_the_same_pick_in_every_order() -> None:
    s = summarise([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]], [["a", "b", None], ["a", "c", None]])
    assert s["consistent"] == pytest.approx(33.3)


def test_pooled_averages_seeds_per_question() -> None:
    seed = {m: ([[1.0, 0.0]], [["a", "b"]]) for m in MEASURES}
    other = {m: ([[1.0, 1.0]], [["a", "c"]]) for m in MEASURES}
    out = pooled([seed, other])
    assert out["heldout"]["accuracy"] == 75.0 and out["heldout"]["seeds"] == 2
    assert out["heldout"]["consistent"] == 50.0


def test_sentence_states_every_seed_and_the_control() -> None:
    before = {"accuracy": 40.0, "ci": [36.0, 44.0], "n": 600, "orders": 3, "consistent": 70.0}
    high = {"accuracy": 55.0, "ci": [51.0, 59.0], "n": 600, "orders": 3, "consistent": 80.0}
    low = {"accuracy": 43.0, "ci": [39.0, 47.0], "n": 600, "orders": 3, "consistent": 80.0}
    result = {
        "heldout": {"before": before, "after": high},
        "reordered": {"before": before, "after": high},
        "as_trained": {"before": before, "after": high},
        "sft_control": {"heldout": {"before": before, "after": high}, "seconds": 90.0, "steps": 1200},
        "grpo_seconds_mean": 88.0,
        "seeds": [{"seed": 0, "heldout": high}, {"seed": 1, "heldout": low}, {"seed": 2, "heldout": high}],
    }
    text = sentence(result)
    assert (
        "2 of 3 seeds" in text and "seed 1 43.0% [39.0, 47.0]" in text and "(1200 steps, 90 s vs GRPO's 88 s)" in text
    )
    assert apart(before, high) and not apart(before, low)
