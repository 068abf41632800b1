"""A short seeded GRPO run on the tiny model: the reward rises, loss is logged, weights change."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path
from typing import Any


def test_reward_rises_beyond_noise(short_run: dict[str, Any]) -> None:
    rewards = [r["reward"] for r in short_run["rows"]]
    assert len(rewards) == 40
    first, last = rewards[:10], rewards[-10:]
    stderr = math.sqrt(statistics.variance(first) / 10 + statistics.variance(last) / 10)
    gain = statistics.mean(last) - statistics.mean(first)
    assert gain > max(0.05, 4 * stderr), (statistics.mean(first), statistics.mean(last), stderr)


def test_trl_metrics_logged_every_step(short_run: dict[str, Any]) -> None:
    for row in short_run["rows"]:
        assert math.isfinite(row["loss"])
        for key in ("rewards/vowel_share/mean", "reward_std", "frac_reward_zero_std", "completions/clipped_ratio"):
            assert key in row, key
    assert list((short_run["out"] / "runs").rglob("events.out.tfevents.*")), "no TensorBoard events"
    assert (short_run["out"] / "reward_curve.png").stat().st_size > 1000


def test_weights_changed(short_run: dict[str, Any]) -> None:
    from transformers import AutoModelForCausalLM

    before = AutoModelForCausalLM.from_pretrained(short_run["base"]).state_dict()
    after = AutoModelForCausalLM.from_pretrained(short_run["out"] / "final").state_dict()
    changed = [k for k in before if not before[k].equal(after[k])]
    assert len(changed) > len(before) // 2


def test_final_checkpoint_is_a_complete_hf_folder(short_run: dict[str, Any]) -> None:
    from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig

    final: Path = short_run["out"] / "final"
    model = AutoModelForCausalLM.from_pretrained(final)
    tok = AutoTokenizer.from_pretrained(final)
    text = tok.apply_chat_template([{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True)
    assert text.endswith("<|im_start|>assistant\n")
    assert GenerationConfig.from_pretrained(final).eos_token_id == model.config.eos_token_id
    marker = json.loads((final / "alphamed_checkpoint.json").read_text())
    assert marker["step"] == 40 and "git_revision" in marker
    assert "learnable_reward.vowel_share" in (final / "alphamed_recipe.yaml").read_text()
    for step in (10, 20, 30, 40):
        ckpt = short_run["out"] / f"checkpoint-{step}"
        assert (ckpt / "alphamed_checkpoint.json").exists() or step == 10  # save_total_limit 3 drops the oldest
