"""Seeded variants of the labeled outputs, and a digest of what the extractor gives on each.

The variants (the labeled outputs, their 8 KB versions, and copies cut, spliced, re-cased, padded
to put a marker at a window boundary, given extra endings, or with other option shapes) exercise
the shortcuts and window logic of :mod:`alphamed.extract` far beyond the labeled set.
``golden_digests.txt`` holds one short digest of ``extract_answer``'s full result (letter, text,
method, span) per variant, written from the extractor before its speed-up (main at 4ca4ecf) and
rewritten once for a rule fixed on purpose (a marker on a new line after a word, 23 variants
changed, each reviewed); ``tests/core/test_extract_differential.py`` checks today's extractor
gives the same on each.

When extraction rules change on purpose, rewrite the file and review the changed variants:
``python tests/core/extraction_cases/variants.py --write``.
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GOLDEN_PATH = HERE / "golden_digests.txt"
SEED = 20261125
PER_CASE = 8

FILLER = (
    "Let me go over the history again and weigh each finding. The timeline of the symptoms matters, and so does "
    "the age of the patient. Option A is a classic trap; the answer is not obvious. I would choose carefully. "
    "Vital signs and the examination should be read together with the laboratory values. Therefore, more data. "
)
ENDINGS = [
    "\n\nThe final answer is: $\\boxed{%s}$",
    "The final answer is: $\\boxed{%s}$.",
    " \\boxed{\\text{%s}}.",
    "\n<answer>(%s)</answer>\n",
    "<answer>%s</answer>",
    "$\\boxed{(%s)}$",
    "\\boxed{%s}",
    "\\boxed{ %s }  ",
    "\\boxed{\\textbf{%s}}",
    "<answer> %s </answer>",
    "Answer: %s",
    "Answer: %s.",
    "The answer is (%s).",
    "The answer is %s or B.",
    "\\boxed{%s} or \\boxed{B}",
    " or $\\boxed{%s}$",
    "/ \\boxed{%s}",
    "\\boxed{%s}, but I cannot tell.",
    "If the answer is %s",
    "I don't think the answer is %s.",
    "**Answer:** %s",
    "### Final Answer\n%s",
    "\n%s",
    "\n(%s)\n",
    "Therefore, %s.",
    "→ %s",
    "I would choose %s.",
    "Option %s is correct.",
    "It is not A but %s.",
    "答案：%s",
    "Ответ: %s",
    "Réponse : %s",
    "\\boxed{%s: text}",
    "<answer>%s) text</answer>",
    "\\boxed{%s}\n\\boxed{D}",
    "the answer is either %s or D",
    "\\boxed{%s} not sure",
    "\\boxed{%s}$ or",
    "\\boxed{%s}}}",
    "<answer>%s",
    "\\boxed{%s",
    "ANSWER IS %s",
    "answer\nis %s",
    "answer:\n%s",
    "reanswer: %s",
    "The answer is: **%s**.",
    "answer is (%s.",
    "answer is %s)\r\n",
    "Answer: %s**.**",
    "answer isn't %s",
    "answers: %s",
]
LETTERS = ["A", "B", "C", "D", "E", "J", "K", "Z", "c", "Ｃ", "С", "(C)", "C)", "C.", "AB", "", " ", "yes", "no", "I"]
NON_ASCII = ["é", "İ", "ß", "Σ", "ſ", "K", "答案", "ё", "\xa0", "\u3000", "（", "：", "Ａ", "ﬁ", "ǅ"]
WINDOW_POINTS = [159, 160, 161, 199, 200, 201, 640, 800, 801, 3360, 13600, 16384, 18432, 18433, 18500]
BOUNDARY_MARKERS = [
    "reanswer: %s",
    "the best option is %s",
    "correct option is %s",
    "### Final Answer\n%s",
    "**Answer**\n%s",
    "The answer is %s",
    "Answer: %s",
    "choice: %s",
    "\\boxed{%s}",
    "<answer>%s</answer>",
    "ответ: %s",
    "reponse: %s",
    "respuesta: %s",
    "答案是%s",
    "response: %s",
    "decision: %s",
    "x answer is %s",
    "if the answer is %s",
    "not the answer: %s",
    "or \\boxed{%s}",
    "Therefore, %s.",
    "Option %s is correct",
    "I would choose %s",
]
BOUNDARIES = [160, 800, 3360, 13600, 16384]


BASE_FILES = ("cases.jsonl", "handwritten.jsonl")
ADDED = (
    "handwritten_later.jsonl",
    "families.jsonl",
    "blind_batch2.jsonl",
    "blind_batch1.jsonl",
    "blind_batch3.jsonl",
    "handwritten_round4.jsonl",
    "blind_batch4.jsonl",
)
"""Files added later, in the order they were added (their variants follow in this order)."""
"""The labeled files the digests were first written for. Their variants come first, drawn exactly
as then (spliced copies take their second half from these cases only); variants of cases added
later in other files follow, so adding a case never changes an earlier variant."""


def _later_files() -> list[str]:
    """Labeled files added after the first digests, oldest first (a new file goes last: earlier variants stay)."""
    names = [path.name for path in HERE.glob("*.jsonl") if path.name not in BASE_FILES]
    return sorted(names, key=lambda name: (ADDED.index(name) if name in ADDED else len(ADDED), name))


def load_cases(names: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The labeled cases (``*.jsonl`` next to this file, or only the files ``names``)."""
    cases: list[dict[str, Any]] = []
    for path in sorted(HERE.glob("*.jsonl")):
        if names is not None and path.name not in names:
            continue
        with path.open(encoding="utf-8") as f:
            cases.extend(json.loads(line) for line in f if line.strip())
    return cases


def _boundary(rng: random.Random, text: str) -> str:
    """Append a marker that starts close to a window boundary counted from the end."""
    marker = rng.choice(BOUNDARY_MARKERS) % rng.choice(LETTERS)
    glue = rng.choice(["", "x", "word ", "\n", "also ", "\nword\n", "Final ", ". ", "the ", "İ", "Σ", "é"])
    offset = rng.randrange(-45, 46) if rng.random() < 0.5 else rng.randrange(-3, 4)
    after_len = max(0, rng.choice(BOUNDARIES) + offset - len(marker))
    after = (" " + FILLER * (after_len // len(FILLER) + 2))[:after_len]
    r = rng.random()
    if r < 0.3:
        after = after[: max(0, after_len - 20)] + " or maybe it is B."[: min(20, after_len)]
    elif r < 0.6:
        after = "".join(rng.choice(" \n\t\r") for _ in range(after_len))
    return text + " " + glue + marker + after


def _mutate(rng: random.Random, text: str, cases: list[dict[str, Any]]) -> str:
    kind = rng.randrange(14)
    if kind >= 12:
        return _boundary(rng, text)
    if kind == 1 and text:
        return text[: rng.randrange(len(text))]
    if kind in (2, 8):
        end = rng.choice(["", ".", " ", "\n", " Hope this helps.", " $"]) if kind == 8 else ""
        return text + ("\n" if kind == 8 else "") + rng.choice(ENDINGS) % rng.choice(LETTERS) + end
    if kind == 3:
        other = rng.choice(cases)["output"]
        return text[: rng.randrange(len(text) + 1)] + other[rng.randrange(len(other) + 1) :]
    if kind == 4:
        change: Callable[[str], str] = rng.choice([str.upper, str.lower, str.title, str.swapcase])
        return change(text)
    if kind == 5 and text:
        i = rng.randrange(len(text))
        return text[:i] + rng.choice(NON_ASCII) + text[i:]
    if kind in (6, 7):  # pad so that the text's own markers fall near a window boundary
        target = rng.choice(WINDOW_POINTS) + rng.randrange(-3, 4)
        after = FILLER[: rng.randrange(0, 40)] if rng.random() < 0.3 else ""
        need = max(0, target - len(text) - len(after))
        pad = (FILLER * (need // len(FILLER) + 1))[:need]
        return pad + text + after if kind == 6 else text + pad
    if kind == 9:
        pieces = [rng.choice(ENDINGS) % rng.choice(LETTERS) for _ in range(rng.randrange(1, 4))]
        return rng.choice(["", text]) + " ".join(pieces)
    if kind == 10 and text:
        i = rng.randrange(len(text))
        return text[:i] + text[min(len(text), i + rng.randrange(1, 30)) :]
    if kind == 11:
        return text.replace(" ", rng.choice(["  ", "\n", "\t", " "]), rng.randrange(1, 5))
    return text


def _options_variant(rng: random.Random, options: list[str]) -> Any:
    r = rng.random()
    if r < 0.6:
        return options
    if r < 0.7:
        return None
    if r < 0.8:
        return {chr(65 + i): t for i, t in enumerate(options)}
    if r < 0.9:
        return options[: max(1, len(options) - 1)]
    return json.dumps(options)


def variants(seed: int = SEED, per_case: int = PER_CASE) -> Iterator[tuple[str, Any]]:
    """``(text, options)`` pairs: each labeled output, its 8 KB version and ``per_case`` mutated copies."""
    rng = random.Random(seed)
    base = load_cases(BASE_FILES)
    later = [case for name in _later_files() for case in load_cases((name,))]
    for case in base + later:
        text, options = case["output"], case["options"]
        yield text, options
        yield "x " * 4000 + text, options
        for _ in range(per_case):
            mutated = text
            for _ in range(rng.choice([1, 1, 1, 2, 3])):
                mutated = _mutate(rng, mutated, base)
            yield mutated, _options_variant(rng, options)


def digest(result: Any) -> str:
    """A short digest of an extraction result (None, or its letter, text, method and span)."""
    key = None if result is None else (result.letter, result.text, result.method, list(result.span))
    return hashlib.sha1(json.dumps(key, ensure_ascii=False).encode()).hexdigest()[:8]


def digests(extract: Callable[[str, Any], Any], seed: int = SEED, per_case: int = PER_CASE) -> list[str]:
    """The digest of ``extract`` on every variant, in order."""
    return [digest(extract(text, options)) for text, options in variants(seed, per_case)]


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/core/extraction_cases/variants.py --write")
    from alphamed.extract import extract_answer

    GOLDEN_PATH.write_text("\n".join(digests(extract_answer)) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN_PATH}")
