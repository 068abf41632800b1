"""Answer extraction benchmark: alphamed's extractor vs a naive last-capital-letter regex.

Run: ``.venv/bin/python bench/extract.py`` (options: ``--seconds`` per measurement; ``--against REV``
also measures ``alphamed/extract`` as it was at git revision REV, side by side in the same run;
a revision that still had the mypyc-compiled engine is measured on its pure-Python rules).

Measures, in one run and on the same machine:
- throughput (outputs/s) on the labeled set (tests/core/extraction_cases/*.jsonl) and on 8 KB
  outputs (each labeled output after ~8 KB of reasoning text);
- accuracy per category, and false positives (a letter where the output commits to nothing).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alphamed.extract import extract_answer

ROOT = Path(__file__).resolve().parent.parent
CASES_DIR = ROOT / "tests" / "core" / "extraction_cases"
LONG_BYTES = 8 * 1024

_NAIVE = re.compile(r"\b([A-Z])\b")


def naive_last_capital(text: str, options: list[str]) -> str | None:
    """The baseline: the last standalone capital letter that names an option."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[: len(options)]
    found = [m for m in _NAIVE.findall(text) if m in letters]
    return found[-1] if found else None


def alphamed_extract(text: str, options: list[str]) -> str | None:
    """alphamed.extract.extract_answer, reduced to its letter."""
    found = extract_answer(text, options)
    return found.letter if found is not None else None


EXTRACTORS: dict[str, Callable[[str, list[str]], str | None]] = {
    "alphamed.extract": alphamed_extract,
    "naive last capital letter": naive_last_capital,
}


def extractor_at(rev: str) -> Callable[[str, list[str]], str | None]:
    """``extract_answer`` as it was at git revision ``rev``, imported as a separate package."""
    listing = subprocess.run(
        ["git", "ls-tree", "--name-only", f"{rev}:alphamed/extract"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    package = "extract_at_" + re.sub(r"\W", "_", rev)
    folder = Path(tempfile.mkdtemp(prefix="alphamed-bench-")) / package
    folder.mkdir()
    for name in (n for n in listing if n.endswith(".py")):
        source = subprocess.run(
            ["git", "show", f"{rev}:alphamed/extract/{name}"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout
        (folder / name).write_text(re.sub(r"\balphamed\.extract\b", package, source), encoding="utf-8")
    sys.path.insert(0, str(folder.parent))
    forced = os.environ.get("ALPHAMED_EXTRACT_ENGINE")
    os.environ["ALPHAMED_EXTRACT_ENGINE"] = "python"  # revisions that had a compiled engine: its Python rules
    try:
        old = importlib.import_module(package).extract_answer
    finally:
        if forced is None:
            del os.environ["ALPHAMED_EXTRACT_ENGINE"]
        else:
            os.environ["ALPHAMED_EXTRACT_ENGINE"] = forced

    def extract(text: str, options: list[str]) -> str | None:
        found = old(text, options)
        return found.letter if found is not None else None

    return extract


def load_cases() -> list[dict[str, Any]]:
    """Every labeled case."""
    cases: list[dict[str, Any]] = []
    for path in sorted(CASES_DIR.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            cases.extend(json.loads(line) for line in f if line.strip())
    return cases


FILLER = (
    "Let me go over the history again and weigh each finding. The timeline of the symptoms matters, and so does "
    "the age of the patient. Vital signs and the examination should be read together with the laboratory values. "
    "Each of these findings has a differential, and the pattern as a whole is more telling than any single result. "
    "I should also consider how common each condition is in this population and what the question stem emphasises. "
)


def long_cases(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each case's output with ~8 KB of neutral reasoning around it (after it when the answer
    is given first, before it otherwise), so the label stays the same."""
    filler = FILLER * (LONG_BYTES // len(FILLER) + 1)
    out = []
    for case in cases:
        pad = filler[: max(0, LONG_BYTES - len(case["output"].encode()))]
        pad = pad[: pad.rfind(". ") + 1]
        text = case["output"] + "\n\n" + pad if case["category"] == "answer_first" else pad + "\n\n" + case["output"]
        out.append({**case, "output": text})
    return out


def throughputs(
    extractors: dict[str, Callable[[str, list[str]], str | None]], cases: list[dict[str, Any]], seconds: float
) -> dict[str, float]:
    """Outputs per CPU-second of this process for each extractor, passes over ``cases`` interleaved
    (one pass of each in turn) until each has run for at least ``seconds``.

    CPU time rather than wall time, and interleaved passes: the benchmark machine is shared, and
    wall time (or one extractor measured after the other) would measure the other jobs as much as
    the extractors.
    """
    pairs = [(c["output"], c["options"]) for c in cases]
    done = dict.fromkeys(extractors, 0)
    spent = dict.fromkeys(extractors, 0.0)
    while min(spent.values()) < seconds:
        for name, fn in extractors.items():
            start = time.process_time()
            for text, options in pairs:
                fn(text, options)
            spent[name] += time.process_time() - start
            done[name] += len(pairs)
    return {name: done[name] / spent[name] for name in extractors}


def score(fn: Callable[[str, list[str]], str | None], cases: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    """Per category: n, correct, false positives (letter given where gold is None), wrong letters."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: {"n": 0, "correct": 0, "abstain": 0, "fp": 0, "wrong": 0})
    for case in cases:
        got = fn(case["output"], case["options"])
        for key in (case["category"], "ALL"):
            row = table[key]
            row["n"] += 1
            row["correct"] += got == case["gold"]
            if case["gold"] is None:
                row["abstain"] += 1
                row["fp"] += got is not None
            elif got is not None and got != case["gold"]:
                row["wrong"] += 1
    return table


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.1f}%" if b else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="minimum time per throughput measurement")
    parser.add_argument(
        "--against", metavar="REV", help="also measure alphamed/extract as it was at this git revision"
    )
    args = parser.parse_args()
    cases = load_cases()
    longs = long_cases(cases)
    extractors = dict(EXTRACTORS)
    if args.against:
        extractors[f"alphamed.extract @ {args.against}"] = extractor_at(args.against)
    names = list(extractors)
    short, long = throughputs(extractors, cases, args.seconds), throughputs(extractors, longs, args.seconds)
    speed = {n: (short[n], long[n]) for n in names}
    scores = {n: score(extractors[n], cases) for n in names}
    long_scores = {n: score(extractors[n], longs) for n in names}
    mean_len = sum(len(c["output"]) for c in cases) / len(cases)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"{len(cases)} labeled outputs (mean {mean_len:.0f} characters); 8 KB set: the same outputs after ~8 KB of "
        f"reasoning; throughput in outputs per CPU-second ({os.cpu_count()} cores, load average {load:.1f})\n"
    )
    print(
        "| extractor | outputs/s, labeled set | outputs/s, 8 KB outputs | accuracy | accuracy, 8 KB | false positives on abstain | wrong letters |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n in names:
        a, b = scores[n]["ALL"], long_scores[n]["ALL"]
        print(
            f"| {n} | {speed[n][0]:,.0f} | {speed[n][1]:,.0f} | {_pct(a['correct'], a['n'])} | {_pct(b['correct'], b['n'])} "
            f"| {a['fp']}/{a['abstain']} ({_pct(a['fp'], a['abstain'])}) | {a['wrong']} |"
        )
    ours = names[0]
    print()
    for base in names[1:]:
        print(
            f"speed ratio {ours} / {base}: {speed[ours][0] / speed[base][0]:.2f}x (labeled set), "
            f"{speed[ours][1] / speed[base][1]:.2f}x (8 KB outputs)"
        )
    print()
    print("| category | n | " + " | ".join(f"{n}: accuracy / false pos." for n in names) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in names) + " |")
    for category in sorted(k for k in scores[ours] if k != "ALL"):
        row = scores[ours][category]
        cells = [f"{_pct(scores[n][category]['correct'], row['n'])} / {scores[n][category]['fp']}" for n in names]
        print(f"| {category} | {row['n']} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
