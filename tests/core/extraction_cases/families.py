"""Hand-written cases for the output families of issue #17, written before any rule change for them.

Each template below is a way a model (or a person) commits to an answer, or declines to, that the
first labeled set did not cover: answer-first outputs that go on to reject other options, short
final-commitment lines ("Final: C", "going with c", a ticked row), the answer given only as option
text (paraphrased or abbreviated) after a label, a bold "**C. text**" closing a long discussion,
non-English markers and Unicode noise, and outputs that name two options as correct (abstain).
Templates are applied to several questions of ``questions.py`` with their real options, so the
near misses of those questions (type 1 vs type 2, primary vs secondary) are present.

Run ``python tests/core/extraction_cases/families.py`` to rewrite ``families.jsonl``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from questions import MCQ, Item

PATH = Path(__file__).resolve().parent / "families.jsonl"
LETTERS = "ABCDEFGHIJ"
Ctx = dict[str, str]
Template = Callable[[Ctx], str]

FW = {c: chr(0xFF21 + i) for i, c in enumerate("ABCDEFGHIJ")}


def _reject_all(c: Ctx, style: str) -> str:
    """Sentences rejecting every option but the answer, in one of several styles."""
    lines = []
    for x, text in c["OPTS"]:
        if x == c["L"]:
            continue
        lines.append(
            {
                "paren": f"({x}) is wrong: {text.lower()} does not explain the findings.",
                "plain": f"{x} is incorrect because {text.lower()} does not fit.",
                "option": f"Option {x} ({text}) can be excluded.",
                "why_not": f"Why not {x}? {text} does not match the picture.",
                "dash": f"{x} - {text}: unlikely here.",
            }[style]
        )
    return "\n".join(lines)


ANSWER_FIRST: list[tuple[str, Template]] = [
    ("bold_then_rejects", lambda c: f"**{c['L']}**\n\n{c['R']}\n\n{_reject_all(c, 'paren')}"),
    ("paren_then_rejects", lambda c: f"({c['L']}) {c['T']}\n\n{_reject_all(c, 'plain')}"),
    ("dot_then_rejects", lambda c: f"{c['L']}. {c['T']}.\n{c['R']}\n{_reject_all(c, 'option')}"),
    ("dash_then_rejects", lambda c: f"{c['L']} - {c['t']}. {c['R']} {_reject_all(c, 'why_not')}"),
    ("bold_text_then_list", lambda c: f"**{c['L']}. {c['T']}**\n\n{_reject_all(c, 'dash')}"),
    (
        "answer_first_other_wrong",
        lambda c: f"Answer: {c['L']}\n\n{c['R']} ({c['L1']}) is wrong: it is a common distractor in this setting.",
    ),
    ("correct_answer_first", lambda c: f"Correct answer: {c['L']}. {c['R']}\n\nOption {c['L1']} is incorrect here."),
    ("letter_line_then_why", lambda c: f"{c['L']}\n\nWhy: {c['r']}\nNot {c['L1']}: {c['t1']} does not fit."),
    (
        "bold_answer_then_others",
        lambda c: f"**Answer: {c['L']}** - {c['t']}.\n\nThe others: {_reject_all(c, 'plain')}",
    ),
    (
        "first_then_elimination_list",
        lambda c: f"{c['L']}) {c['T']}\n\nExplanation:\n{_reject_all(c, 'dash')}\n{c['R']}",
    ),
]

FINAL_LINES: list[tuple[str, Template]] = [
    ("final_colon", lambda c: f"{c['R']}\n\nFinal: {c['L']}"),
    ("final_pick", lambda c: f"{c['R']} So my final pick is {c['L']}."),
    ("going_with_lower", lambda c: f"{c['R']}\n\ngoing with {c['L'].lower()}"),
    ("going_with", lambda c: f"{c['R']} Going with {c['L']}."),
    ("back_to", lambda c: f"{c['L1']} crossed my mind, but {c['r']} Back to {c['L']}."),
    ("a_label", lambda c: f"Q: which option?\n{c['R']}\nA: {c['L']}"),
    ("final_choice_colon", lambda c: f"{c['R']}\nFinal choice: {c['L']}"),
    ("my_pick", lambda c: f"{c['R']}\n\nMy pick: ({c['L']})"),
    ("sticking_with", lambda c: f"{c['R']} I'm sticking with {c['L']}."),
    ("locking_in", lambda c: f"{c['R']} Locking in {c['L']}."),
    ("final_call", lambda c: f"{c['R']}\nFinal call - {c['L']}"),
    ("best_option_dash", lambda c: f"{c['R']}\n\nBest option: {c['L']} ({c['t']})"),
    ("selected", lambda c: f"{c['R']}\n\nSelected: {c['L']}"),
    ("bottom_line", lambda c: f"{c['R']}\n\nBottom line: {c['L']}."),
    (
        "tick_list",
        lambda c: f"{c['R']}\n\n" + "\n".join(f"{x}. {t} {'✓' if x == c['L'] else '✗'}" for x, t in c["OPTS"]),
    ),
    (
        "tick_list_emoji",
        lambda c: (
            "Checking each:\n"
            + "\n".join(f"{'✅' if x == c['L'] else '❌'} {x}) {t}" for x, t in c["OPTS"])
            + f"\n\n{c['R']}"
        ),
    ),
    ("tick_list_brackets", lambda c: "\n".join(f"[{'x' if x == c['L'] else ' '}] {x}. {t}" for x, t in c["OPTS"])),
]

LABELED_TEXT: list[tuple[str, Template]] = [
    ("therefore_colon", lambda c: f"{c['R']}\n\nTherefore: {c['t']}."),
    ("diagnosis_colon", lambda c: f"{c['R']}\n\nDiagnosis: {c['T']}"),
    ("most_likely_colon", lambda c: f"{c['R']}\nMost likely: {c['t']}"),
    ("right_move", lambda c: f"{c['R']} The right move here is {c['t']}."),
    ("bold_label", lambda c: f"{c['R']}\n\n**Conclusion:** {c['T']}."),
    ("best_next_step", lambda c: f"{c['R']}\n\nBest choice: {c['t']}."),
    ("pick_text", lambda c: f"{c['R']} My pick: {c['t']}."),
]

# Paraphrased or abbreviated option texts after a label, per question key: (label line, gold letter).
PARAPHRASES: dict[str, list[tuple[str, str]]] = {
    "dm": [
        ("Diagnosis: type 1 DM.", "B"),
        ("Therefore: T1DM (autoimmune).", "B"),
        ("Diagnosis: type 2 diabetes.", "A"),
        ("So this is type I diabetes.", "B"),
    ],
    "pe": [
        ("Initial test of choice: CT pulmonary angiogram.", "B"),
        ("Next step: CTPA.", "B"),
        ("Initial test of choice: a V/Q scan, given the contrast allergy.", "C"),
    ],
    "thyroid": [
        ("Diagnosis: Graves' disease.", "B"),
        ("Therefore: Graves.", "B"),
        ("Diagnosis: Hashimoto's thyroiditis.", "D"),
    ],
    "hyperk": [("The right move here is IV calcium gluconate.", "A"), ("First step: give calcium gluconate IV.", "A")],
    "ckd": [
        ("Diagnosis: secondary hyperparathyroidism from CKD.", "B"),
        ("Mechanism: secondary hyperPTH.", "B"),
        ("Therefore: tertiary hyperparathyroidism.", "C"),
    ],
    "addison": [
        ("Diagnosis: primary adrenal insufficiency (Addison disease).", "B"),
        ("Therefore: secondary adrenal insufficiency.", "A"),
    ],
    "hepb": [
        ("Interpretation: chronic hepatitis B.", "C"),
        ("Serology means: immunity after vaccination.", "B"),
        ("Interpretation: acute HBV infection.", "A"),
    ],
    "dka": [
        ("Treatment: IV regular insulin drip.", "C"),
        ("The right move here is an intravenous insulin infusion.", "C"),
    ],
    "stroke": [("Management: IV alteplase (tPA).", "B"), ("Next step: thrombolysis with alteplase.", "B")],
    "meningitis": [
        ("Organism: N. meningitidis.", "B"),
        ("Most likely organism: S. pneumoniae.", "A"),
        ("Organism: Listeria.", "D"),
    ],
    "tb": [("Supplement: pyridoxine (vitamin B6).", "B"), ("Give vitamin B6.", "B")],
    "gout": [("Diagnosis: gouty arthritis.", "C"), ("Diagnosis: pseudogout (CPPD).", "A")],
    "mi": [("Culprit vessel: the RCA.", "C"), ("Culprit: LAD.", "A")],
    "peds": [("Diagnosis: croup (laryngotracheobronchitis).", "B")],
    "asthma": [("Step up to a low-dose ICS.", "B"), ("Start low dose inhaled steroid.", "B")],
    "lithium": [("Culprit: the thiazide (HCTZ).", "B")],
}

BOLD_LAST: list[tuple[str, Template]] = [
    (
        "bold_last_after_all_letters",
        lambda c: (
            "Let me go through every option.\n\n"
            + "\n".join(
                f"{x}. {t}: {'this fits the whole picture.' if x == c['L'] else 'does not explain the findings.'}"
                for x, t in c["OPTS"]
            )
            + f"\n\n{c['R']}\n\n**{c['L']}. {c['T']}**"
        ),
    ),
    (
        "bold_last_after_list",
        lambda c: (
            "\n".join(f"{x}) {t} - considered" for x, t in c["OPTS"]) + f"\n\n{c['R']}\n\n**{c['L']}) {c['T']}**"
        ),
    ),
    (
        "bold_last_letter_only",
        lambda c: "\n".join(f"- {x}: {t}" for x, t in c["OPTS"]) + f"\n\n{c['R']}\n\n**{c['L']}**",
    ),
]

NOISE: list[tuple[str, Template]] = [
    ("chinese_final", lambda c: f"{c['R']}\n\n最终答案：{c['L']}"),
    ("chinese_so_choose", lambda c: f"{c['R']}\n\n所以答案选{c['L']}。"),
    ("chinese_correct", lambda c: f"分析：{c['R']}\n\n正确答案是{FW[c['L']]}。"),
    ("japanese_final", lambda c: f"{c['R']}\n\n最終的な答え：{c['L']}"),
    ("japanese_correct", lambda c: f"{c['R']}\n\n正解：{FW[c['L']]}"),
    ("korean", lambda c: f"{c['R']}\n\n최종 답: {c['L']}"),
    ("vietnamese", lambda c: f"{c['R']}\n\nĐáp án: {c['L']}"),
    ("turkish", lambda c: f"{c['R']}\n\nCevap: {c['L']}"),
    ("indonesian", lambda c: f"{c['R']}\n\nJawaban: {c['L']}"),
    ("dutch", lambda c: f"{c['R']}\n\nAntwoord: {c['L']}"),
    ("polish", lambda c: f"{c['R']}\n\nOdpowiedź: {c['L']}"),
    ("hindi", lambda c: f"{c['R']}\n\nउत्तर: {c['L']}"),
    ("arabic", lambda c: f"{c['R']}\n\nالإجابة: {c['L']}"),
    ("full_width_letter", lambda c: f"{c['R']}\n\nThe answer is {FW[c['L']]}."),
    ("nbsp", lambda c: f"{c['R']}\n\nAnswer:\u00a0{c['L']}"),
    ("zero_width", lambda c: f"{c['R']}\n\nThe\u200b answer\u200b is\u200b {c['L']}\u200b."),
    ("zero_width_in_letter", lambda c: f"{c['R']}\n\nFinal answer: \u200b{c['L']}\u200d"),
    ("emoji_before", lambda c: f"{c['R']}\n\nAnswer: ✅ {c['L']}"),
    ("emoji_pointing", lambda c: f"{c['R']}\n\n👉 Final answer: {c['L']}"),
    ("punctuation_run", lambda c: f"{c['R']}\n\nAnswer: **{c['L']}**!!"),
    ("punctuation_run_q", lambda c: f"{c['R']} The answer is {c['L']}!?!"),
    ("arrow_final", lambda c: f"{c['R']}\n\nSo → {c['L']}"),
    ("fullwidth_colon", lambda c: f"{c['R']}\n\nAnswer：{c['L']}"),
]

TWO_CORRECT: list[tuple[str, Template]] = [
    ("both_correct", lambda c: f"{c['R']} Both {c['L1']} and {c['L']} are correct."),
    ("two_answers", lambda c: f"{c['R']}\n\nThe answers are {c['L1']} and {c['L']}."),
    ("both_right", lambda c: f"{c['R']} {c['L']} and {c['L1']} are both right here."),
    ("answer_list", lambda c: f"{c['R']}\n\nAnswer: {c['L1']}, {c['L']}"),
    ("correct_options", lambda c: f"{c['R']}\n\nCorrect options: {c['L']} and {c['L1']}."),
    (
        "two_true",
        lambda c: f"{c['R']} Options {c['L1']} and {c['L']} are both true statements, so either would be accepted.",
    ),
    ("ticks_two", lambda c: "\n".join(f"{x}. {t} {'✓' if x in (c['L'], c['L1']) else '✗'}" for x, t in c["OPTS"])),
    ("both_text", lambda c: f"{c['R']} Both {c['t1']} and {c['t']} are correct here."),
]

ABSTAIN_MORE: list[tuple[str, Template]] = [
    (
        "reject_two",
        lambda c: (
            "\n".join(
                f"{x} is incorrect because {t.lower()} does not fit."
                for x, t in c["OPTS"]
                if x not in (c["L"], c["L1"])
            )
            + f"\nThat leaves {c['L1']} and {c['L']}, and I cannot choose between them without more data."
        ),
    ),
    ("arrow_maybe", lambda c: f"{c['R']}\n\n→ maybe {c['L']}, maybe {c['L1']}"),
    ("final_unsure", lambda c: f"{c['R']}\n\nFinal: not sure, {c['L1']} or {c['L']}."),
    ("going_with_if", lambda c: f"If the labs were normal I'd be going with {c['L1']}, but they are missing."),
    ("truncated_after_first_line", lambda c: f"Let me think.\n\n{c['R'][: len(c['R']) // 2]}"),
]


def _context(item: Item, letter: str, other: str) -> Ctx:
    text = dict(zip(LETTERS, item.options))
    reasoning = (
        item.reasoning if letter == item.answer else f"{item.reasoning.split('. ')[0]}. Still, {text[letter]} fits."
    )
    return {
        "L": letter,
        "T": text[letter],
        "t": text[letter][0].lower() + text[letter][1:],
        "L1": other,
        "T1": text[other],
        "t1": text[other][0].lower() + text[other][1:],
        "R": reasoning,
        "r": reasoning[0].lower() + reasoning[1:],
        "OPTS": list(text.items()),
    }  # type: ignore[dict-item]


def _other(item: Item, letter: str, k: int) -> str:
    if item.near_miss and item.near_miss != letter:
        return item.near_miss
    rest = [x for x in LETTERS[: len(item.options)] if x != letter]
    return rest[k % len(rest)]


def _case(item: Item, category: str, sub: str, output: str, gold: str | None) -> dict[str, object]:
    return {
        "category": category,
        "subcategory": sub,
        "question": item.key,
        "options": item.options,
        "output": output,
        "gold": gold,
    }


def build_cases() -> list[dict[str, object]]:
    """Every case, in a fixed order. Every template runs on several questions; a third of the
    committing outputs pick a wrong option, as real models do."""
    cases: list[dict[str, object]] = []
    groups = [
        ("answer_first", ANSWER_FIRST, 4),
        ("final_marker", FINAL_LINES, 4),
        ("option_text", LABELED_TEXT, 3),
        ("trap", BOLD_LAST, 5),
        ("formatting", NOISE, 3),
    ]
    for category, templates, per in groups:
        for j, (sub, template) in enumerate(templates):
            for k in range(per):
                item = MCQ[(j * per + k * 7) % len(MCQ)]
                letter = item.answer if (j + k) % 3 else _other(item, item.answer, k)
                if category == "option_text":
                    letter = item.answer
                ctx = _context(item, letter, _other(item, letter, k))
                cases.append(_case(item, category, sub, template(ctx), letter))
    by_key = {item.key: item for item in MCQ}
    for key, lines in PARAPHRASES.items():
        item = by_key[key]
        for line, gold in lines:
            lead = item.reasoning if gold == item.answer else f"{item.reasoning.split('. ')[0]}."
            cases.append(_case(item, "near_miss", "paraphrase", f"{lead}\n\n{line}", gold))
    for category, templates, per in (("abstain", TWO_CORRECT, 3), ("abstain", ABSTAIN_MORE, 3)):
        for j, (sub, template) in enumerate(templates):
            for k in range(per):
                item = MCQ[(j * per + k * 5 + 3) % len(MCQ)]
                ctx = _context(item, item.answer, _other(item, item.answer, k))
                cases.append(_case(item, category, sub, template(ctx), None))
    return cases


def main() -> None:
    cases = build_cases()
    with PATH.open("w", encoding="utf-8") as f:
        for case in cases:
            f.write(json.dumps(case, ensure_ascii=False) + "\n")
    print(f"{len(cases)} cases -> {PATH}")


if __name__ == "__main__":
    main()
