"""Benchmark: streaming a question bank vs loading it whole.

Writes a synthetic bank of N questions, then in fresh subprocesses (so peak RSS is per method):

* ``stream``: iterate ``alphamed.data.QuestionBank`` (duplicate check on: keeps the ids seen);
* ``stream-nodup``: the same with ``check_duplicates=False``;
* ``load-all``: the naive way, ``[Question(**json.loads(l)) for l in f.readlines()]``.

Reports questions/s and peak RSS above the interpreter's baseline, side by side, as ratios
to ``load-all``. Run: ``.venv/bin/python bench/bank_streaming.py [--lines 100000]``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from alphamed.data import QuestionBank
from alphamed.schema import Question
method, path = sys.argv[1], sys.argv[2]
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t = time.perf_counter()
if method == "load-all":
    with open(path) as f:
        qs = [Question(**json.loads(line)) for line in f.readlines()]
    n = len(qs)
else:
    n = sum(1 for _ in QuestionBank(path, check_duplicates=(method == "stream")))
dt = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"n": n, "seconds": dt, "rss_kib": peak - base}))
"""


def write_bank(path: Path, n: int) -> None:
    with open(path, "w") as f:
        for i in range(n):
            row = {
                "id": f"q{i:07d}",
                "question": f"A {20 + i % 60}-year-old patient presents with case {i}. "
                "Which is the most likely diagnosis given the findings described?",
                "options": {k: f"Option {k} for case {i}" for k in "ABCDE"},
                "answer": "ABCDE"[i % 5],
                "source": "bench",
                "subject": "synthetic",
            }
            f.write(json.dumps(row) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bank.jsonl"
        write_bank(path, args.lines)
        size_mb = path.stat().st_size / 1e6
        results = {}
        for method in ("stream", "stream-nodup", "load-all"):
            out = subprocess.run(
                [sys.executable, "-c", CHILD, method, str(path)], capture_output=True, text=True, check=True
            )
            results[method] = json.loads(out.stdout)
    ref = results["load-all"]
    print(f"bank: {args.lines} questions, {size_mb:.1f} MB\n")
    print("| method | questions/s | peak RSS growth (MiB) | speed vs load-all | memory vs load-all |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for method, r in results.items():
        rate = r["n"] / r["seconds"]
        mem = max(r["rss_kib"], 1) / 1024
        print(
            f"| {method} | {rate:,.0f} | {mem:.1f} | {rate / (ref['n'] / ref['seconds']):.2f}x | "
            f"{mem / (max(ref['rss_kib'], 1) / 1024):.4f}x |"
        )


if __name__ == "__main__":
    main()
