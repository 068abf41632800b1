"""The whole labeled extraction set: accuracy and false positives on abstain cases."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

CASES_DIR = Path(__file__).parent / "extraction_cases"


def load_cases() -> list[dict]:
    cases = []
    for path in sorted(CASES_DIR.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            cases.extend(json.loads(line) for line in f if line.strip())
    return cases


CASES = load_cases()


def test_the_labeled_set_is_large_and_covers_every_category() -> None:
    counts = Counter(c["category"] for c in CASES)
    assert len(CASES) >= 400
    for category in (
        "final_marker",
        "answer_first",
        "option_text",
        "near_miss",
        "trap",
        "pubmedqa",
        "mmlu_pro",
        "formatting",
        "abstain",
    ):
        assert counts[category] >= 30, category
    assert all(c["gold"] is None or c["gold"] in "ABCDEFGHIJ"[: len(c["options"])] for c in CASES)


def test_generated_cases_match_their_builder() -> None:
    sys.path.insert(0, str(CASES_DIR))
    try:
        from build import CASES_PATH, build_cases
    finally:
        sys.path.pop(0)
    with CASES_PATH.open(encoding="utf-8") as f:
        committed = [json.loads(line) for line in f]
    assert committed == build_cases(), "run python tests/core/extraction_cases/build.py"


def test_labeled_set_accuracy_and_false_positives(extract) -> None:
    wrong, false_positives, abstain = [], [], 0
    for case in CASES:
        found = extract(case["output"], case["options"])
        letter = found.letter if found else None
        if case["gold"] is None:
            abstain += 1
            if letter is not None:
                false_positives.append((case["subcategory"], letter, case["output"][-120:]))
        if letter != case["gold"]:
            wrong.append((case["category"], case["subcategory"], case["gold"], letter, case["output"][-160:]))
    accuracy = 1 - len(wrong) / len(CASES)
    assert accuracy >= 0.99, wrong[:10]
    assert len(false_positives) <= 0.01 * abstain, false_positives
