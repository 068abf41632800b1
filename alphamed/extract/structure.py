"""Answers given by the structure of an output rather than by a marker phrase.

- :func:`ticked_option`: a checklist where one option's row is ticked ("✅ C) ...", "[x] C. ...",
  "C. ... ✓") and the others crossed or left blank. Two ticked rows commit to nothing.
- :func:`leading_answer`: an answer-first output whose first line opens with a letter and that
  option's exact text ("D - Intramuscular epinephrine. IM epinephrine is first-line..."): the first
  commitment stands when nothing after it commits to another option.
- :func:`letter_opening`: an output that opens with a letter as a label ("B: aspirin irreversibly
  acetylates...", "[A] PaO2 <= 55 mmHg.", "c) pernicious anemia") and then only explains it, any other
  line opening with a letter rejecting that option.

>>> from alphamed.extract.options import OptionIndex
>>> idx = OptionIndex({"A": "Aspirin", "B": "Heparin", "C": "Warfarin"})
>>> ticked_option("[ ] A. Aspirin\\n[x] B. Heparin\\n[ ] C. Warfarin", idx, 0, 45)
('B', (15, 29))
>>> leading_answer("C - Warfarin. It is an oral anticoagulant. A is incorrect - inferior.", idx, 0, 70)
('C', (0, 12))
"""

from __future__ import annotations

import re

from alphamed.extract.normalize import CROSSES, TICKS
from alphamed.extract.options import OptionIndex
from alphamed.extract.paraphrase import named_option

_TICK_CLASS = "".join(sorted(TICKS))
_CROSS_CLASS = "".join(sorted(CROSSES))
_ROW = re.compile(
    r"^[ \t>#*_\-|]*(?:(?P<pre>[" + _TICK_CLASS + _CROSS_CLASS + r"]|\[[ xX✓]?\]|\([ xX]?\))[ \t*_]*)?"
    r"[(\[]?(?P<letter>[A-Z])[)\].:]?(?=[ \t]|$)(?P<rest>[^\n]*)$",
    re.MULTILINE,
)
_TICK_AFTER = re.compile(
    r"[" + _TICK_CLASS + r"]|\*\*(?:yes|correct|true)\*\*|\|[ \t]*(?:yes|correct)[ \t]*\|?[ \t]*$", re.IGNORECASE
)
_CROSS_AFTER = re.compile(r"[" + _CROSS_CLASS + r"]|\|[ \t]*(?:no|incorrect)[ \t]*\|?[ \t]*$", re.IGNORECASE)
_TICK_GATE = re.compile(r"[" + _TICK_CLASS + _CROSS_CLASS + r"|]|\[[ xX✓]?\]|\([xX]\)")
_NEXT_ROW = re.compile(r"\n[ \t]*(?:[-*+][ \t]+)?(?:\*\*)?[(\[]?[A-Z][)\].:]")
_LEADING = re.compile(r"[ \t>#*_]*[(\[]?([A-Z])[)\]]?(?:\*\*)?[ \t]*[.:)\-–—][ \t]*(?:\*\*)?[ \t]*")


def _row_mark(pre: str | None, rest: str) -> str | None:
    """``tick``, ``cross`` or None for one checklist row."""
    if pre:
        if pre in TICKS or pre[1:-1].strip().lower() in ("x", "✓"):
            return "tick"
        return "cross"
    if _TICK_AFTER.search(rest):
        return "tick"
    if _CROSS_AFTER.search(rest):
        return "cross"
    return None


def _rows(text: str, start: int, end: int) -> list[re.Match[str]]:
    """Matches of :data:`_ROW` at each line start of ``text[start:end]`` (tried only there: fast on long text)."""
    found = []
    pos = start
    while pos < end:
        m = _ROW.match(text, pos, end)
        if m is not None:
            found.append(m)
        nl = text.find("\n", pos, end)
        if nl < 0:
            break
        pos = nl + 1
    return found


def ticked_option(text: str, options: OptionIndex, start: int, end: int) -> tuple[str | None, tuple[int, int]] | None:
    """The one option ticked in a checklist of ``text[start:end]``.

    Returns:
        ``(letter, span)`` when exactly one option is ticked and another row is marked; ``(None, span)``
        when several are ticked (commits to nothing); None when there is no checklist.
    """
    if _TICK_GATE.search(text, start, end) is None:
        return None  # no tick, cross, box or table cell: no checklist (the row scan is the costly part)
    ticked: dict[str, tuple[int, int]] = {}
    marked = 0
    for m in _rows(text, start, end):
        letter = m.group("letter")
        mark = _row_mark(m.group("pre"), m.group("rest"))
        if mark is None or not options.valid(letter):
            continue
        marked += 1
        if mark == "tick":
            ticked.setdefault(letter, m.span())
    if not ticked or marked < 2 and not _LONE_TICK.search(text, start, end):
        return None
    if len(ticked) > 1:
        return None, min(ticked.values())
    letter, span = next(iter(ticked.items()))
    return letter, span


_LONE_TICK = re.compile(
    r"(?:^|\n)[ \t#*]*[" + _TICK_CLASS + r"][ \t*]*[(\[]?[A-Z][)\].:]?[ \t*]*(?:[^\n]{0,120})\s*\Z"
)
"""A single ticked line closing the output ("✅ A", "#### ✅ F. Vitamin B1") counts on its own."""


def leading_answer(text: str, options: OptionIndex, start: int, end: int) -> tuple[str, tuple[int, int]] | None:
    """A first line that opens with a letter and exactly that option's text, then goes on.

    Returns:
        ``(letter, span)`` or None.
    """
    body = start + len(text[start:end]) - len(text[start:end].lstrip())
    m = _LEADING.match(text, body, end)
    if m is None and options.texts:
        return _text_then_letter(text, options, body, end)
    if m is None or not options.texts:
        return None
    letter = m.group(1)
    own = options.texts.get(letter)
    if own is None:
        return None
    found = options.prefix_match(text[m.end() : m.end() + len(own) + 1].lower(), 0)
    if found is None or found[0] != letter:
        return None
    after = m.end() + found[1]
    if after < end and text[after] not in ".\n*:;,-–—( \t":
        return None
    if _REJECTED_AFTER.match(text, after, end):
        return None  # "A. Aspirin is wrong here": an option named to be rejected
    line_end = text.find("\n", after, end)
    if line_end >= 0 and _NEXT_ROW.match(text, line_end, end):
        return None  # the first row of an options list, not an answer
    return letter, (body, after)


_LETTER_AFTER_TEXT = re.compile(r"[ \t]*(?:\*\*)?[ \t]*\(([A-Z])\)(?:\*\*)?[ \t]*(?:\.|\n|\Z)")
_ROW_AFTER_LETTER = re.compile(r"[ \t]*(?:\*\*)?[ \t]*(?:[.:;\n]|[-–—][ \t]|\Z)")
_REJECTED_AFTER = re.compile(
    r"[\s*_:,\-–—]*(?:(?:is|would\s+be|seems)\s+)?(?:no|not|never|wrong|incorrect|unlikely|inferior|doesn't|does\s+not"
    r"|isn't|is\s+not)\b",
    re.IGNORECASE,
)
_PAREN_LETTER = re.compile(r"\(([A-Z])\)")


def _text_then_letter(text: str, options: OptionIndex, body: int, end: int) -> tuple[str, tuple[int, int]] | None:
    """A first line that opens with an option's whole text and then its own letter ("1 in 50 (B).") and is
    no row of a walk through the options ("Digoxin (A): no benefit. Furosemide (B): ...")."""
    lowered = text[body : min(end, body + 200)].lower().lstrip("*_ \t")
    skipped = len(text[body : min(end, body + 200)]) - len(lowered)
    found = options.prefix_match(lowered, 0)
    if found is None:
        return None
    m = _LETTER_AFTER_TEXT.match(text, body + skipped + found[1], end)
    if m is None or m.group(1) != found[0] or _REJECTED_AFTER.match(text, m.end(), end):
        return None
    for other in _PAREN_LETTER.finditer(text, m.end(), end):
        own = options.texts.get(other.group(1))
        before = text[max(body, other.start() - len(own or "") - 1) : other.start()].rstrip().lower()
        if own and before.endswith(own.lower()) and _ROW_AFTER_LETTER.match(text, other.end(), end):
            return None  # another option given the same way: a list of the options, not an answer
    return found[0], (body, m.end(1) + 1)


_LABEL = re.compile(
    r"[ \t>#*_" + _TICK_CLASS + r"]*(?P<open>[(\[])?[ \t]*(?P<letter>[A-Za-z])[ \t]*(?P<close>[)\]])?(?:\*\*|__)?"
    r"(?P<sep>[ \t]*[.:\-–—][ \t]+|[ \t]+\((?=[^)\n]{1,60}\))|(?<=[)\]])[ \t]+|(?<=[)\]]\*\*)[ \t]+)"
)
_LABEL_LINE = re.compile(
    r"^[ \t>*_\-+•]*(?:\*\*|__)?[ \t]*[(\[]?[ \t]*([A-Z])[ \t]*[)\]]?(?:\*\*|__)?[ \t]*[.:)\]\-–—]", re.M
)
_REJECTION = re.compile(
    r"\b(?:no|not|never|wrong|incorrect|unlikely|less\s+likely|inferior|excluded|ruled\s+out|irrelevant|isn't"
    r"|doesn't|don't|won't|wouldn't"
    r"|aren't|can't|cannot|rather\s+than|instead)\b|[" + _CROSS_CLASS + r"]",
    re.IGNORECASE,
)
_OPENING_DOUBT = re.compile(
    r"\b(?:maybe|perhaps|possibly|either|unsure|uncertain|not\s+sure|might|could|torn|guess|or)\b|\?", re.IGNORECASE
)
_COMPLETE = frozenset(".!?)]}*_\"'”»。$`>|")
_LONE_CAPITAL = re.compile(r"(?<![A-Za-z0-9'’\-/.])([A-Z])(?![A-Za-z0-9'’\-/]|\.[A-Za-z0-9])")
_ARTICLE = re.compile(r"[AI](?:['’]|[ \t]+[a-z0-9])")
_FIRST_CLAUSE = re.compile(r"[^.;:,!?\n()]{1,80}")
_FIRST_SENTENCE = re.compile(r"(?:[^.!?\n]|\.(?=[0-9A-Za-z]))*")


def letter_opening(text: str, options: OptionIndex, start: int, end: int) -> tuple[str, tuple[int, int]] | None:
    """The option an output opens with as a label, then explains ("B: aspirin irreversibly acetylates COX-1...").

    The label is a letter in brackets, or a capital followed by ".", ":", a dash or a parenthesis; a
    lower-case letter ("c)") or "A:" (also the "A:" of a question-and-answer layout) counts only when the
    words after it name that option. The output commits to nothing when the opening sentence hedges or
    rejects, names another option, or when another line opens with a letter without rejecting that
    option (a walk through the options, maybe cut off).

    Returns:
        ``(letter, span)`` or None.
    """
    if not options.letters or text[start:end].rstrip()[-1:] not in _COMPLETE:
        return None  # without options nothing can be checked; an output cut off may be a walk through the options
    body = start + len(text[start:end]) - len(text[start:end].lstrip())
    m = _LABEL.match(text, body, end)
    if m is None:
        return None
    letter, wrapped = m.group("letter"), bool(m.group("close"))
    if not options.valid(letter.upper()) or (letter.islower() and not wrapped):
        return None
    if not wrapped and not m.group("sep").strip() and not m.group("open"):
        return None
    upper = letter.upper()
    sentence = _FIRST_SENTENCE.match(text, m.end(), end)
    first = text[m.end() : sentence.end() if sentence else m.end()]
    if _OPENING_DOUBT.search(first) or _REJECTED_AFTER.match(first):
        return None
    named = _named_after(first, options)
    if named is not None and named != upper:
        return None  # "A: heparin ..." where heparin is option B
    if named is None and (letter.islower() or (upper == "A" and ":" in m.group("sep"))):
        return None
    if _REJECTION.search(first):
        return None  # "A. Aspirin is wrong here", "B: not this one"
    if any(x != upper and options.valid(x) for x in _other_letters(first)):
        return None  # "C. The answer is A": another letter in the opening sentence
    for line in _LABEL_LINE.finditer(text, m.end(), end):
        other = line.group(1)
        if other == upper or not options.valid(other):
            continue
        line_end = text.find("\n", line.end(), end)
        if not _REJECTION.search(text, line.end(), end if line_end < 0 else line_end):
            return None  # another option's row that does not reject it: a walk through the options
    return upper, (m.start("letter"), m.end("letter"))


def _other_letters(sentence: str) -> list[str]:
    """Capital letters standing alone in ``sentence`` (not the article "A patient" or the pronoun "I")."""
    return [m.group(1) for m in _LONE_CAPITAL.finditer(sentence) if not _ARTICLE.match(sentence, m.start(1))]


def _named_after(first: str, options: OptionIndex) -> str | None:
    """The option the words after a label name: its text, or its words ("UFH" for "Unfractionated heparin")."""
    lowered = first.lower().lstrip(" \t*_")
    found = options.prefix_match(lowered, 0) if options.texts else None
    if found is not None:
        return found[0]
    clause = _FIRST_CLAUSE.match(first.lstrip(" \t*_"))
    return named_option(clause.group(0), options) if clause and options.texts else None
