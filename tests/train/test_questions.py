"""Training questions as a TRL dataset, with and without per-read option shuffling."""

from __future__ import annotations

from alphamed_train.factbank import FactBank
from alphamed_train.questions import build_dataset
from alphamed_train.recipe import DataConfig


def test_rows_carry_prompt_answer_and_options() -> None:
    qs = FactBank.generate(0).questions("rl")
    row = build_dataset(qs, DataConfig(), seed=0)[0]
    assert row["prompt"][-1]["role"] == "user" and "A. " in row["prompt"][-1]["content"]
    assert row["options"][ord(row["answer"]) - ord("A")] == qs[0].metadata["drug"]


def test_shuffled_reads_draw_new_orders_and_keep_the_gold_text() -> None:
    qs = FactBank.generate(0).questions("rl")
    ds = build_dataset(qs, DataConfig(shuffle_options=True), seed=0)
    orders = set()
    for _ in range(12):
        row = ds[3]
        assert row["options"][ord(row["answer"]) - ord("A")] == qs[3].metadata["drug"]
        assert f"{row['answer']}. {qs[3].metadata['drug']}" in row["prompt"][-1]["content"]
        orders.add(tuple(row["options"]))
    assert len(orders) > 3
