"""Build the labeled extraction set: realistic model outputs with the letter each commits to.

The outputs are composed from hand-written templates (below) and the questions in
``questions.py``; the gold label is fixed by construction (which letter the template commits
to, or None for outputs that commit to nothing), never by running an extractor.

Run ``python tests/core/extraction_cases/build.py`` to rewrite ``cases.jsonl``; a test checks the
committed file matches this builder.
"""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from questions import MCQ, MMLU_PRO, PUBMEDQA, Item  # noqa: E402

HERE = Path(__file__).resolve().parent
CASES_PATH = HERE / "cases.jsonl"
LETTERS = "ABCDEFGHIJ"

Ctx = dict[str, str]
Template = Callable[[Ctx], str]

FULL_WIDTH = {c: chr(0xFF21 + i) for i, c in enumerate("ABCDEFGHIJ")}
CYRILLIC = {
    "A": "А",
    "B": "В",
    "C": "С",
    "E": "Е",
    "H": "Н",
    "K": "К",
    "M": "М",
    "O": "О",
    "P": "Р",
    "T": "Т",
    "X": "Х",
}

ELIMINATIONS = [
    "{X}. {TX}: unlikely, the findings do not match.",
    "Option {X}, {TX}, would not explain the whole picture.",
    "({X}) {TX} is less likely here.",
    "{TX} ({X}) can be ruled out.",
    "- {X}) {TX}: does not fit.",
]

# --- templates that commit to {L} --------------------------------------------------------------
FINAL_MARKERS: list[Template] = [
    lambda c: f"{c['R']}\n\nThe final answer is: $\\boxed{{{c['L']}}}$",
    lambda c: f"{c['R']} The final answer is $\\boxed{{{c['L']}}}$.",
    lambda c: f"<think>\n{c['R']}\n</think>\n<answer>{c['L']}</answer>",
    lambda c: f"<think>{c['R']}</think>\n<answer>({c['L']}) {c['T']}</answer>",
    lambda c: f"<think>{c['R']}</think><answer>{c['T']}</answer>",
    lambda c: f"{c['R']}\n\n\\[\\boxed{{\\text{{{c['L']}}}}}\\]",
    lambda c: f"{c['R']}\nSo the answer is \\boxed{{{c['L']}: {c['T']}}}.",
    lambda c: f"{c['R']}\n\nFinal answer: $\\boxed{{\\text{{({c['L']}) {c['T']}}}}}$",
    lambda c: f"{c['R']} Hence: $\\boxed{{\\text{{{c['T']}}}}}$",
    lambda c: f"{c['R']}\n\nThe answer is ({c['L']}).",
    lambda c: f"{c['R']}\n\nAnswer: {c['L']}",
    lambda c: f"{c['R']}\n\n**Answer:** {c['L']}",
    lambda c: f"{c['R']}\n\n**Final Answer**\n\n{c['L']}) {c['T']}",
    lambda c: f"{c['R']}\n\n### Final Answer\n{c['L']}",
    lambda c: f"{c['R']}\n\nFinal answer: {c['L']}) {c['T']}",
    lambda c: f"{c['R']}\nThe correct answer is {c['L']}. {c['T']}.",
    lambda c: f"{c['R']} Therefore, the correct option is {c['L']}.",
    lambda c: f"{c['R']}\n\nMy answer: ({c['L']})",
    lambda c: f"{c['R']}\nThe best answer is option {c['L']}, {c['T']}.",
    lambda c: f"{c['R']} I would choose {c['L']}.",
    lambda c: f"{c['R']} Option {c['L']} is correct.",
    lambda c: f"{c['R']}\n\n({c['L']}) is the correct answer.",
    lambda c: f"{c['R']}\nThe most likely answer is {c['L']}.",
    lambda c: f"{c['R']}\n\nANSWER: {c['L']}",
    lambda c: f"{c['R']}\n\nThe answer is {c['L']} ({c['T']}).",
    lambda c: f"{c['R']} So the answer is {c['T']} ({c['L']}).",
    lambda c: f"Let's think step by step.\n\n{c['R']}\n\nThus, the answer is **{c['L']}**.",
    lambda c: f"{c['R']}\n\n**Final answer: {c['L']}. {c['T']}**",
    lambda c: f"{c['R']}\n\nThe answer is: {c['L']}",
    lambda c: f"{c['R']} I'll go with {c['L']}.",
]
ANSWER_FIRST: list[Template] = [
    lambda c: f"Answer: {c['L']}\n\nExplanation: {c['R']} {c['E']}",
    lambda c: f"{c['L']}. {c['T']}\n\n{c['R']}",
    lambda c: f"The answer is {c['L']}, because {c['r']}",
    lambda c: f"**{c['L']}**\n\n{c['R']}",
    lambda c: f"({c['L']}) {c['T']}\n\nRationale: {c['R']} {c['E']}",
    lambda c: f"{c['L']}",
    lambda c: f"{c['L']}.",
    lambda c: f"{c['T']}. {c['R']}",
]
OPTION_TEXT: list[Template] = [
    lambda c: f"{c['R']} The most likely diagnosis is {c['t']}.",
    lambda c: f"{c['R']} This presentation is most consistent with {c['t']}.",
    lambda c: f"{c['R']} Therefore, {c['T']} is the best choice here.",
    lambda c: f"{c['R']}\n\nIn summary, the findings point to {c['t']}.",
    lambda c: f"{c['T']}.",
    lambda c: f"{c['R']} Overall, {c['t']} fits best.",
    lambda c: f"{c['R']}\n\nSo I would go with {c['t']}.",
    lambda c: f"{c['R']} The answer is {c['t']}.",
]
NEAR_MISS: list[Template] = [
    lambda c: f"{c['R']} Hence the most likely answer is {c['t']}, not {c['t1']}.",
    lambda c: f"{c['R']} This is {c['t']} rather than {c['t1']}.",
    lambda c: f"{c['R']} Although {c['t1']} is tempting, the findings indicate {c['t']}.",
    lambda c: f"{c['R']} The correct choice is {c['T']}.",
    lambda c: f"{c['R']} {c['T1']} is excluded. The most likely answer is {c['t']}.",
]
TRAPS: list[tuple[str, Template]] = [
    ("elimination", lambda c: f"Let's evaluate each option.\n{c['E']}\n{c['R']}\nThe answer is {c['L']}."),
    (
        "elimination",
        lambda c: f"{c['E']} Option {c['L1']} is wrong as well. {c['R']} So, the final answer is {c['L']}.",
    ),
    (
        "revised",
        lambda c: f"Initially I thought the answer was {c['L1']}. However, {c['r']} So the final answer is {c['L']}.",
    ),
    ("revised", lambda c: f"The answer is {c['L1']}.\n\nWait, let me reconsider. {c['R']}\n\nThe answer is {c['L']}."),
    (
        "revised",
        lambda c: f"{c['R']} At first glance ({c['L1']}) looks right, but on reflection the answer is ({c['L']}).",
    ),
    ("not_a", lambda c: f"{c['R']} The answer is not {c['L1']}; it is {c['L']}."),
    ("not_a", lambda c: f"{c['R']} It's not {c['L1']}. The correct answer is {c['L']}."),
    ("article", lambda c: f"A patient like this needs careful thought. {c['R']}\n\nAnswer: {c['L']}"),
    ("article", lambda c: f"{c['R']} A careful reading of the stem confirms it.\nThe answer is {c['L']}."),
    ("stem_repeat", lambda c: f"Question: {c['S']}\nOptions:\n{c['O']}\n\n{c['R']}\nThe answer is {c['L']}."),
    ("list_markers", lambda c: f"Going through the options:\n{c['LIST']}\n\nTherefore, the answer is {c['L']}."),
    ("option_vs_paren", lambda c: f"Option {c['L1']} can be excluded. ({c['L']}) fits best. Final answer: ({c['L']})"),
    (
        "letters_in_words",
        lambda c: f"An X-ray, a B-cell panel and vitamin B12 levels were reviewed. {c['R']} The answer is {c['L']}.",
    ),
    (
        "letters_in_words",
        lambda c: f"{c['R']} (HbA1c and a T-score are irrelevant here; see Table A.) Final answer: {c['L']}",
    ),
]
PUBMEDQA_TEMPLATES: list[Template] = [
    lambda c: f"{c['R']} Therefore, the answer is {c['W']}.",
    lambda c: f"{c['W'].capitalize()}. {c['R']}",
    lambda c: f"{c['R']}\n\nFinal answer: {c['W']}",
    lambda c: f"{c['R']} In conclusion, the answer is {c['W']}.",
    lambda c: f"<think>{c['R']}</think>\n<answer>{c['W']}</answer>",
    lambda c: f"{c['R']} $\\boxed{{{c['W']}}}$",
    lambda c: f"{c['R']} The answer is ({c['L']}).",
    lambda c: f"{c['R']} Answer: {c['W'].capitalize()}.",
    lambda c: f"{c['R']}\n\nThe final answer is: $\\boxed{{{c['L']}}}$",
    lambda c: f"Based on the abstract, {c['r']} So my decision is: {c['W']}.",
]
FORMATTING: list[tuple[str, Template]] = [
    ("full_width", lambda c: f"{c['R']}\n\n答案：{FULL_WIDTH[c['L']]}"),
    ("full_width", lambda c: f"{c['R']} The answer is （{FULL_WIDTH[c['L']]}）."),
    ("chinese", lambda c: f"{c['R']}\n\n答案是 {c['L']}"),
    ("chinese", lambda c: f"分析：{c['R']}\n故选{c['L']}。"),
    ("french", lambda c: f"{c['R']}\n\nRéponse : {c['L']}"),
    ("french", lambda c: f"{c['R']}\n\nLa bonne réponse est ({c['L']})."),
    ("russian", lambda c: f"{c['R']}\n\nОтвет: {CYRILLIC.get(c['L'], c['L'])}"),
    ("russian", lambda c: f"{c['R']}\n\nПравильный ответ — {CYRILLIC.get(c['L'], c['L'])}."),
    ("spanish", lambda c: f"{c['R']}\n\nRespuesta correcta: {c['L']}"),
    ("german", lambda c: f"{c['R']}\n\nDie richtige Antwort ist {c['L']}."),
    ("punctuation", lambda c: f"{c['R']}\n\nThe answer is {c['L']}!!!"),
    ("punctuation", lambda c: f"{c['R']}\nThe answer is: {c['L']};"),
    ("textbf", lambda c: f"{c['R']}\n\nThe answer is \\textbf{{{c['L']}}}."),
    ("mathrm", lambda c: f"{c['R']}\n\nThe final answer is: $\\boxed{{\\mathrm{{{c['L']}}}}}$"),
    ("arrow", lambda c: f"{c['R']}\n\nFinal answer → {c['L']}"),
    ("arrow", lambda c: f"{c['R']}\nB12 low → autoimmune cause → {c['L']}"),
    ("bold", lambda c: f"{c['R']}\n\n**The answer is: {c['L']}.**"),
    ("spacing", lambda c: f"{c['R']}\n\nThe  answer  is\n\n   {c['L']}   \n"),
]

# --- outputs that commit to nothing ------------------------------------------------------------
ABSTAIN: list[tuple[str, Template]] = [
    (
        "truncated",
        lambda c: (
            f"Let's analyze each option.\n{c['E']}\nNow, considering the remaining choice, {c['r'][: len(c['r']) // 2]}"
        ),
    ),
    ("truncated", lambda c: f"{c['R'][: len(c['R']) * 2 // 3]}"),
    (
        "truncated",
        lambda c: (
            f"<think>\n{c['R']}\nSo far the most plausible options are {c['L1']} and {c['L']}, and to decide I need to check whether"
        ),
    ),
    ("truncated", lambda c: f"{c['R']} The answer is"),
    (
        "refusal",
        lambda c: "I'm sorry, but I can't provide medical advice. Please consult a qualified healthcare professional.",
    ),
    ("refusal", lambda c: "As an AI language model, I cannot diagnose patients or recommend treatments."),
    (
        "refusal",
        lambda c: f"I am not able to determine whether it is {c['t']} without more information. Please see a doctor.",
    ),
    ("hedge", lambda c: f"{c['R']} The answer is either {c['L1']} or {c['L']}."),
    ("hedge", lambda c: f"{c['R']} Both {c['L1']} and {c['L']} seem plausible, and I cannot decide between them."),
    ("hedge", lambda c: f"{c['R']} It could be {c['t1']} or {c['t']}; the question does not give enough information."),
    ("hedge", lambda c: f"{c['R']}\n\nThe final answer is: $\\boxed{{{c['L1']} \\text{{ or }} {c['L']}}}$"),
    ("hedge", lambda c: f"{c['R']}\n\nAnswer: {c['L1']}/{c['L']}"),
    ("empty", lambda c: ""),
    ("empty", lambda c: "   \n\t  \n"),
    ("outside", lambda c: f"{c['R']} The answer is {c['OUT']}."),
    ("outside", lambda c: f"{c['R']}\n\nThe final answer is: $\\boxed{{{c['OUT']}}}$"),
    ("gibberish", lambda c: "the the patient patient of of drug drug anemia anemia the the"),
    ("gibberish", lambda c: "asdkj qwe zxcv ;;; ??? ### 12 34 ..."),
    ("gibberish", lambda c: "<|im_end|><|im_end|><|im_end|>"),
    ("negation", lambda c: f"{c['R']} The answer is not {c['L1']}."),
    ("negation", lambda c: f"{c['R']} I don't think the answer is {c['L']}."),
    ("stem_only", lambda c: f"Question: {c['S']}\nOptions:\n{c['O']}"),
    ("question_back", lambda c: "Which option is correct: A, B, C or D? Please tell me more about the patient."),
    (
        "conditional",
        lambda c: f"{c['R']} If the antibodies were negative, the answer would be {c['L1']}; I need the lab result.",
    ),
]


def _other(item: Item, letter: str, rng: random.Random) -> str:
    """A distractor letter: the near miss when there is one, else a random other option."""
    letters = LETTERS[: len(item.options)]
    if item.near_miss and item.near_miss != letter:
        return item.near_miss
    return rng.choice([x for x in letters if x != letter])


def _lower_first(text: str) -> str:
    return text[0].lower() + text[1:] if text and not text[:2].isupper() else text


def _context(item: Item, letter: str, rng: random.Random) -> Ctx:
    letters = LETTERS[: len(item.options)]
    other = _other(item, letter, rng)
    text = dict(zip(letters, item.options))
    eliminated = [x for x in letters if x != letter]
    rng.shuffle(eliminated)
    elim = " ".join(
        rng.choice(ELIMINATIONS).format(X=x, TX=text[x]) for x in sorted(eliminated[: min(3, len(eliminated))])
    )
    listing = "\n".join(
        f"{x}. {text[x]} - {'fits the findings' if x == letter else rng.choice(['unlikely', 'does not fit', 'excluded'])}"
        for x in letters
    )
    reasoning = (
        item.reasoning
        if letter == item.answer
        else f"{item.reasoning.split('. ')[0]}. Still, I lean toward {text[letter]}."
    )
    return {
        "L": letter,
        "T": text[letter],
        "t": _lower_first(text[letter]),
        "L1": other,
        "T1": text[other],
        "t1": _lower_first(text[other]),
        "R": reasoning,
        "r": _lower_first(reasoning),
        "E": elim,
        "S": item.stem,
        "O": "\n".join(f"{x}. {text[x]}" for x in letters),
        "LIST": listing,
        "W": text[letter],
        "OUT": LETTERS[len(item.options)] if len(item.options) < 10 else "K",
    }


def _case(item: Item, category: str, subcategory: str, output: str, gold: str | None) -> dict[str, object]:
    return {
        "category": category,
        "subcategory": subcategory,
        "question": item.key,
        "options": item.options,
        "output": output,
        "gold": gold,
    }


def build_cases() -> list[dict[str, object]]:
    """Every labeled case, in a fixed order."""
    rng = random.Random(20261125)
    cases: list[dict[str, object]] = []

    def chosen(item: Item, i: int) -> str:
        # most outputs pick the right option; every third picks a distractor, as real models do
        return item.answer if i % 3 else _other(item, item.answer, rng)

    for i, item in enumerate(MCQ):
        for j, template in enumerate(FINAL_MARKERS):
            if (i + j) % 4 == 0:
                letter = chosen(item, i + j)
                cases.append(_case(item, "final_marker", "marker", template(_context(item, letter, rng)), letter))
        for j, template in enumerate(ANSWER_FIRST):
            if (i + j) % 4 == 0:
                letter = chosen(item, i + j)
                cases.append(_case(item, "answer_first", "first", template(_context(item, letter, rng)), letter))
        for j, template in enumerate(OPTION_TEXT):
            if (i + j) % 3 == 0:
                cases.append(
                    _case(item, "option_text", "text", template(_context(item, item.answer, rng)), item.answer)
                )
        if item.near_miss:
            for template in NEAR_MISS:
                cases.append(_case(item, "near_miss", "text", template(_context(item, item.answer, rng)), item.answer))
        for j, (sub, template) in enumerate(TRAPS):
            if (i + j) % 2 == 0:
                letter = chosen(item, i + j)
                cases.append(_case(item, "trap", sub, template(_context(item, letter, rng)), letter))
        for j, (sub, template) in enumerate(FORMATTING):
            if (i + j) % 3 == 0:
                letter = chosen(item, i + j)
                cases.append(_case(item, "formatting", sub, template(_context(item, letter, rng)), letter))
        for j, (sub, template) in enumerate(ABSTAIN):
            if (i + j) % 3 == 0:
                cases.append(_case(item, "abstain", sub, template(_context(item, item.answer, rng)), None))
    for item in PUBMEDQA:
        for template in PUBMEDQA_TEMPLATES:
            cases.append(_case(item, "pubmedqa", "decision", template(_context(item, item.answer, rng)), item.answer))
        ctx = _context(item, item.answer, rng)
        cases.append(
            _case(
                item,
                "abstain",
                "hedge",
                f"{ctx['R']} The answer could be yes or no depending on the population.",
                None,
            )
        )
    for i, item in enumerate(MMLU_PRO):
        for j, template in enumerate(FINAL_MARKERS + ANSWER_FIRST[:3]):
            if (i + j) % 3 == 0:
                letter = chosen(item, i + j)
                cases.append(_case(item, "mmlu_pro", "marker", template(_context(item, letter, rng)), letter))
        for j, (sub, template) in enumerate(ABSTAIN):
            if sub in ("outside", "hedge") and (i + j) % 2 == 0:
                cases.append(_case(item, "abstain", sub, template(_context(item, item.answer, rng)), None))
    return cases


def main() -> None:
    cases = build_cases()
    with CASES_PATH.open("w", encoding="utf-8") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    counts: dict[str, int] = {}
    for case in cases:
        counts[str(case["category"])] = counts.get(str(case["category"]), 0) + 1
    print(f"{len(cases)} cases -> {CASES_PATH}: {counts}")


if __name__ == "__main__":
    main()
