"""Weaker evidence, used only when an output has no final-answer marker.

- :func:`bare_line`: the output's first or last line is just an answer ("C", "(C)",
  "**C. Warfarin**"), or its first sentence is exactly an option text ("No. The trial...").
- :func:`concluding_option`: the concluding sentence names exactly one option by its text,
  not negated ("rules out X", "X is unlikely"), not hedged, and the output is not cut off.
- :func:`opening_label`: the output opens with a line of its own that labels one option
  ("**Most likely cause: Pernicious anemia (autoimmune)**", "Drug of choice: Warfarin (C)").

>>> from alphamed.extract.options import OptionIndex
>>> idx = OptionIndex({"A": "Folate deficiency", "B": "Pernicious anemia"})
>>> text = "Atrophic gastritis with intrinsic factor antibodies: most likely pernicious anemia."
>>> concluding_option(text, idx, 0, len(text))
('B', (65, 82))
>>> text = "Pernicious anemia is unlikely given the normal B12 level."
>>> concluding_option(text, idx, 0, len(text)) is None
True
"""

from __future__ import annotations

import re

from alphamed.extract.answer import TRANSLATE
from alphamed.extract.options import OptionIndex, normalize_text
from alphamed.extract.paraphrase import named_option

_BARE = re.compile(
    r"[ \t>#]*(?:\*\*|__)?[ \t]*"
    r"(?:(?:A[ \t]*:|[Oo]ption|[Cc]hoice|[Pp]robably|[Dd]efinitely|(?:[Mm]ost[ \t]+)?[Ll]ikely)[ \t]+)?"
    r"(?:\\\(|\$)?[ \t]*[(\[]?[ \t]*([A-Z])[ \t]*[)\]]?[ \t]*(?:\\\)|\$)?[ \t]*(?:\*\*|__)?"
    r"(?:[ \t]*[.:)\-–—][ \t]*(.*?))?(?:[ \t]+it[ \t]+is)?[ \t]*[.!?]*[ \t]*(?:\*\*|__)?[ \t]*"
)
_LIST_LINE = re.compile(r"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*)?[(\[]?([A-Z])[)\].:]", re.MULTILINE)
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_FIRST_SENTENCE = re.compile(r"[ \t*_]*([^\n.!?,;:]{1,80})[.!?,;:\n]")
_TERMINAL = frozenset(".!?)]}*\"'”»。！$`")
# A sentence starts only where a sentence can start (after a stop, a line end or at the start):
# the same matches as without the lookbehind, but a "3.5" or "e.g." no longer makes every
# position of its sentence start a failing scan to that dot (quadratic in the sentence length).
# A dot between digits ("4.5 hours") is inside a sentence: no sentence starts or ends there.
_SENTENCE = re.compile(
    r"(?<![^.!?\n。])(?!(?<=\.)[0-9])[^.!?\n。]+(?:(?<=[0-9])\.(?=[0-9])[^.!?\n。]*)*(?:[.!?。]+(?=\s|$)|\n|$)"
)
_TAIL = 700
_LABEL_LINE = re.compile(
    r"[ \t>#*_\-]*([A-Za-z][A-Za-z' ]{0,40}?)[ \t]*(?:\*\*|__)?[ \t]*(?::|→|->|=>|[ \t][-–—](?=[ \t]))[ \t]*(?:\*\*|__)?[ \t]*"
    r"([^\n]{2,160}?)[ \t.]*(?:\*\*|__)?[ \t]*"
)
_EXPLAINED = re.compile(
    r"[ \t]*\n\s*(?:\*\*|__|#{1,6}[ \t]*)?(?:explanation|reasoning|rationale|justification|why)\b", re.IGNORECASE
)
"""A section explaining the line above: that line is the answer it explains."""
_REASON = re.compile(r"[^.!?\n]*")
_EXPLANATION_LABELS = frozenset(
    ("explanation", "reasoning", "rationale", "justification", "why", "because", "reason", "note", "notes")
)
_LAST_SENTENCE = re.compile(r"[.!?][ \t]+([^.!?]{1,12}[.!?]*)$")
_ANSWER_TAIL = re.compile(
    r"\s+is\s+(?:the|my)\s+(?:correct\s+|best\s+|right\s+|final\s+)?(?:answer|choice|option)\W*$", re.I
)
_NEGATION_ANYWHERE = re.compile(
    r"\b(?:not|no|isn't|aren't|wasn't|unlikely|rather\s+than|instead\s+of|except|excluded?|ruled?\s+out)\b"
)
_LEAD_IN = re.compile(
    r"^\W*(?:(?:so|therefore|thus|hence|overall|in\s+summary)\b[\s,]*)?(?P<explicit>it'?s|it\s+is|that'?s|this\s+is"
    r"|i\s+would\s+go\s+with|i'?d\s+go\s+with|go\s+with|give|start|administer"
    r"|the\s+(?:best|right|correct)\s+(?:\w+\s+){0,2}(?:is|here\s+is))?\b[\s,:]*",
    re.IGNORECASE,
)
_LETTER_WORD = re.compile(r"(?<![A-Za-z0-9])[A-J](?![A-Za-z0-9])")
_HEDGED = re.compile(
    r"\b(?:either|unsure|not\s+sure|uncertain|unclear|cannot|can't|could\s+be|might\s+be|may\s+be|possibly|perhaps"
    r"|difficult\s+to|hard\s+to|impossible\s+to|don't\s+know|do\s+not\s+know|unable|consult)\b"
)
_CUE = re.compile(
    r"\b(?:most\s+likely|likely|likeliest|probabl|diagnos|therefore|thus|hence|so|consistent|compatible|points?\s+to"
    r"|pointing|indicat|suggest|conclu|answer|choose|choice|select|best|correct|appropriate|first[- ]line|confirm"
    r"|explain|responsible|caused|cause|treat|manage|recommend|should|fits?|characteristic|classic|typical"
    r"|pathognomonic|in\s+summary|overall|go\s+with|yes|no|maybe|this\s+is|it\s+is|it's|lean|prefer|favou?r)"
)
_REJECTING = re.compile(
    r"\b(?:contraindicated|wrong|incorrect|inferior|inappropriate|avoid|harmful|dangerous|tempting|trap|distractor"
    r"|unlikely|excluded)\b"
)
_ALTERNATIVE_WORDS = re.compile(r"\b(?:or|though|although|instead|alternatively|versus|vs)\b")
_FIRM_CUE = re.compile(
    r"\b(?:most\s+likely|likely|likeliest|probabl|diagnos|therefore|thus|hence|so|consistent|points?\s+to|indicat"
    r"|suggest|conclu|answer|choose|choice|select|best|correct|appropriate|first[- ]line|treat|manage|recommend"
    r"|prefer|lean|go\s+with|favou?r)"
)
"""The cues of :data:`_CUE` that conclude (not "yes", "no", "cause", "classic": words of reasoning as well)."""
_COPULA_BEFORE = re.compile(r"\b(?:is|are|was|be|means|implies|indicates|shows)\s+(?:the\s+|an?\s+)?$")
_NEG_BEFORE = re.compile(
    r"\b(?:not|no|unlikely|rules?\s+out|ruled\s+out|ruling\s+out|excludes?|excluded|excluding|rather\s+than"
    r"|instead\s+of|less\s+likely|other\s+than|than|against|without|nor|neither|isn't|wasn't|doesn't|don't"
    r"|except|besides|unlike|although|though|despite|while|whereas)\b[^,;:]{0,40}$"
)
_NEG_AFTER = re.compile(
    r"^[^,;:]{0,30}?\b(?:is|are|was|seems|appears)\s+(?:also\s+|much\s+)?(?:unlikely|less\s+likely|excluded"
    r"|ruled\s+out|incorrect|wrong|not|inconsistent|implausible|tempting)\b"
    r"|^[^,;:]{0,40}?\b(?:is|are|was|were)\s+(?:clearly\s+|also\s+)?inferior\b"
    r"|^(?:(?!\b(?:because|since|which|that|who|when|while|although|though|if)\b)[^,;:]){0,60}?\b(?:is|are)\s+"
    r"(?:also\s+)?(?:unlikely|excluded|ruled\s+out|incorrect|wrong|not)\b"
    r"|^\W{0,5}(?:unlikely|excluded|ruled\s+out|incorrect|wrong|no\b|not\b)"
    r"|^[^.;]{0,40}?\b(?:does|do|did|would|could|can)\s*(?:not|n't)\s+(?:fit|match|explain|account|cause|work|apply)"
    r"|^[^.;]{0,40}?\bcan\s+be\s+(?:ruled\s+out|excluded|eliminated)"
)


def bare_line(
    text: str, options: OptionIndex, start: int, end: int, first: bool, last: bool
) -> tuple[str, str, tuple[int, int]] | None:
    """An answer given as a line of its own, or as the first sentence.

    Args:
        text: the output.
        options: the question's options.
        start: window start.
        end: window end.
        first: look at the first line / sentence.
        last: look at the last line.

    Returns:
        ``(letter, method, span)`` or None.
    """
    window = text[start:end]
    if last:
        body_end = len(window.rstrip())
        line_start = window.rfind("\n", 0, body_end) + 1
        line = window[line_start:body_end]
        found = _line_answer(line, options, _paragraph(window, line_start, body_end))
        if found is not None and _next_row(window, line_start, found):
            return None  # "...\nC. Valproate - second-line.\nD.": a walk through the options cut off at its next row
        if found is not None and not _only_listing(window):
            return found, "bare_letter", (start + line_start, start + body_end)
        found = _line_option_text(line, options) or _labeled_line(line, options)
        if found is not None:
            return found, "option_text", (start + line_start, start + body_end)
        found = _last_sentence_letter(line, options)
        if found is not None:
            return found, "bare_letter", (start + line_start, start + body_end)
    if not first:
        return None
    body_start = len(window) - len(window.lstrip())
    line_end = window.find("\n", body_start)
    line_end = len(window) if line_end < 0 else line_end
    first_line = window[body_start:line_end]
    found = _line_answer(first_line, options, _paragraph(window, body_start, line_end))
    if found is not None and not _only_listing(window):
        return found, "answer_first", (start + body_start, start + line_end)
    found = _line_option_text(first_line, options)  # "**Increased TSH, decreased free T4**" opening the answer
    explained = _EXPLAINED.match(window, line_end) if found is None else None
    if explained is not None:  # "Antidote: Fomepizole\n\nExplanation: ..."
        found = _labeled_line(first_line, options)
        reason = _REASON.match(window, explained.end())
        if found is not None and reason and any(x[2] != found for x in options.mentions(reason.group(0).lower())):
            found = None  # the explanation opens on another option: the line above was no answer
    if found is not None:
        return found, "answer_first", (start + body_start, start + line_end)
    sentence = _FIRST_SENTENCE.match(window, body_start)
    if sentence and options.texts and options.may_be_text(sentence.group(1)):
        norm = normalize_text(sentence.group(1))
        for letter, option_text in options.texts.items():
            if norm == option_text:
                return letter, "answer_first", (start + sentence.start(1), start + sentence.end(1))
    return None


def _paragraph(window: str, line_start: int, line_end: int) -> str:
    """The paragraph (lines between blank lines) of ``window`` that holds the line at ``line_start:line_end``."""
    para_start = line_start
    while para_start > 0:  # back over the lines above until a blank one (paragraphs are short)
        above = window.rfind("\n", 0, para_start - 1) + 1
        if not window[above : para_start - 1].strip():
            break
        para_start = above
    after = _BLANK_LINE.search(window, line_end)
    return window[para_start : after.start() if after else len(window)]


def _next_row(window: str, line_start: int, letter: str) -> bool:
    """Whether the line at ``line_start`` follows, with no blank line between, a row of the letter before ``letter``."""
    above_end = line_start - 1
    if above_end <= 0 or letter == "A":
        return False
    above = window.rfind("\n", 0, above_end) + 1
    row = _LIST_LINE.match(window, above, above_end)
    return row is not None and row.group(1) == chr(ord(letter) - 1)


def _only_listing(window: str) -> bool:
    """Whether ``window`` is only option lines, one per paragraph ("A. x\n\nB. y\n\nC. z"): no line of it
    stands out as an answer."""
    lines = [line for line in window.splitlines() if line.strip()]
    if len(lines) < 2 or len(_LIST_LINE.findall(window)) != len(lines):
        return False
    return all(paragraph.strip().count("\n") == 0 for paragraph in _BLANK_LINE.split(window))


def _labeled_line(line: str, options: OptionIndex) -> str | None:
    """The option a closing "label: option" line names ("Culprit: the RCA", "Bottom line → low potassium").

    The value may end with a note in parentheses ("vitamin A (retinol)"), and may go on after its first
    clause ("LMWH (e.g., enoxaparin), continued through pregnancy") when the rest names no other option.
    After an explanation label only an option's exact text counts ("Explanation: lead-time bias.").
    """
    m = _LABEL_LINE.fullmatch(line)
    if m is None or not options.texts or len(m.group(1).split()) > 4 or len(m.group(1).strip()) < 2:
        return None
    if "?" in line or _NEGATION_ANYWHERE.search(m.group(1).lower()):
        return None  # "Not A: prednisone does not fit", "Which is correct: A, B or C?"
    phrase = m.group(2)
    note = _OWN_NOTE.search(phrase)
    exact = _exact_option(phrase if note is None else phrase[: note.start()], options)
    if m.group(1).strip().lower() in _EXPLANATION_LABELS:
        return exact if not _NEGATION_ANYWHERE.search(phrase.lower()) else None  # otherwise a reason, not an answer
    if _NEGATION_ANYWHERE.search(phrase.lower()):
        return named_but_not(phrase, options)  # "Diagnosis: CD (Crohn's), not UC"
    if exact or line.rstrip()[-1:] not in ".!)*_":
        return exact or named_option(phrase, options)  # a line cut off ends no clause
    return named_option(phrase, options) or _first_clause_option(phrase, options)


def _exact_option(phrase: str, options: OptionIndex) -> str | None:
    """The option whose text ``phrase`` is exactly."""
    norm = normalize_text(phrase)
    return next((letter for letter, option_text in options.texts.items() if option_text == norm), None)


_FIRST_CLAUSE = re.compile(r"[^,;(\n]{2,80}?(?=[ \t]*(?:[,;(]|[ \t][-–—][ \t]))")


def _first_clause_option(phrase: str, options: OptionIndex) -> str | None:
    """The option the first clause of a label's value names, when the rest is no hedge and names no other option."""
    m = _FIRST_CLAUSE.match(phrase)
    if m is None:
        return None
    rest = phrase[m.end() :].lower()
    if _HEDGED.search(rest) or _ALTERNATIVE_WORDS.search(rest) or _REJECTING.search(phrase.lower()):
        return None
    named = _exact_option(m.group(0), options) or named_option(m.group(0), options)
    if named is None or any(letter != named for _, _, letter in options.mentions(rest)):
        return None
    return named


def _last_sentence_letter(line: str, options: OptionIndex) -> str | None:
    """A letter standing alone as the last sentence of the last line ("Easy one. B.")."""
    m = _LAST_SENTENCE.search(line)
    if m is None:
        return None
    bare = _BARE.fullmatch(m.group(1))
    return bare.group(1) if bare and not bare.group(2) and options.valid(bare.group(1)) else None


_TEXT_ROW = re.compile(
    r"[ \t]*(?:[-*+•]|\d{1,2}[.)])[ \t]+(?:\*\*|__|\*)?(?:[^\n()]{1,60}?(?:\*\*|__|\*)?[ \t]*\([A-Z]\)"
    r"|[(\[]?[A-Za-z][)\].:][ \t])"
)
"""A row of a walk through the options: a bullet, then an option's text and letter ("- **Sertraline** (D) - ...")
or a letter of any case ("- (e) buspirone - not first-line")."""


def _is_option_row(tail: str, at: int) -> bool:
    """Whether the line of ``tail`` holding offset ``at`` is a row of an options list ("- C. text ...",
    "- Sertraline (D): ...")."""
    line_start = tail.rfind("\n", 0, at) + 1
    return _LIST_LINE.match(tail, line_start) is not None or _TEXT_ROW.match(tail, line_start) is not None


def _is_listed(window: str) -> bool:
    """Whether ``window`` lists options as lines ("A. ...", "(B) ...") with two or more letters."""
    first = None
    for m in _LIST_LINE.finditer(window):
        if first is None:
            first = m.group(1)
        elif m.group(1) != first:
            return True
    return False


def _line_answer(line: str, options: OptionIndex, window: str) -> str | None:
    """The letter a line of ``window`` consists of ("C", "(C) Warfarin"), or None."""
    if not line or len(line) > 200:
        return None
    m = _BARE.fullmatch(line if line.isascii() else line.translate(TRANSLATE))  # TRANSLATE maps no ASCII
    if m is None:
        return None
    letter, rest = m.group(1), m.group(2)
    if not options.valid(letter):
        return None
    if rest:
        if options.texts.get(letter) != normalize_text(rest) or _is_listed(window):
            return None
    return letter


def _line_option_text(line: str, options: OptionIndex) -> str | None:
    """The option whose text a line is, exactly ("Graves disease."), or None."""
    if not options.texts or len(line) > 200 or not options.may_be_text(line):
        return None
    norm = normalize_text(line)
    for letter, option_text in options.texts.items():
        if norm == option_text:
            return letter
    return None


def concluding_option(text: str, options: OptionIndex, start: int, end: int) -> tuple[str, tuple[int, int]] | None:
    """The option named by text in the concluding sentence, or None.

    Args:
        text: the output.
        options: the question's options.
        start: window start.
        end: window end.

    Returns:
        ``(letter, span)`` or None.
    """
    if not options.texts:
        return None
    tail_start = max(start, end - _TAIL)
    tail = text[tail_start:end].rstrip()
    if not tail:
        return None
    if options.may_be_text(tail):
        whole = normalize_text(tail)
        for letter, option_text in options.texts.items():
            if whole == option_text:
                return letter, (tail_start, tail_start + len(tail))
    if tail[-1] not in _TERMINAL:
        return None  # cut off mid-sentence
    sentences = [m for m in _SENTENCE.finditer(tail) if m.group(0).strip()]
    rejected: set[str] = set()
    for m in reversed(sentences[-4:]):
        sentence = m.group(0)
        lowered = sentence.lower()
        if len(lowered) != len(sentence):
            lowered = sentence  # exotic case mapping: keep offsets exact, match case-sensitively
        mentions = options.mentions(lowered)
        if len({x for x in _LETTER_WORD.findall(sentence) if options.valid(x)}) > 1:
            return None  # "A or maybe C, but A": a sentence about letters; its words ("maybe") are no option text
        if _is_option_row(tail, m.start()):
            continue  # a row of an options list ("- D: Refer ... - unlikely") concludes nothing
        if not mentions:
            last = m is sentences[-1]
            named = _named_in_words(sentence, lowered, options) if last or _ANSWER_TAIL.search(sentence) else None
            if named is not None:
                return named, (tail_start + m.start(), tail_start + m.end())
            if last and _explicit(sentence):
                return None  # an explicit conclusion ("So the best choice here is ...") that names nothing we read
            continue
        kept = _kept_mentions(lowered, mentions)
        if not kept and not _HEDGED.search(lowered):
            rejected.update(letter for _, _, letter in mentions)
            continue  # a sentence that only rejects options ("X alone is not adequate") concludes nothing
        if rejected and not _FIRM_CUE.search(lowered):
            return None  # back past a rejection only to a sentence that concludes ("the standard treatment is X")
        decided = _decide_sentence(lowered, kept, tail_start + m.start())
        return None if decided is None or decided[0] in rejected else decided
    return None


def _named_in_words(sentence: str, lowered: str, options: OptionIndex) -> str | None:
    """The option a short concluding sentence names in other words ("So the best choice here is IV artesunate.")."""
    if _HEDGED.search(lowered):
        return None
    if not _CUE.search(lowered) and not _explicit(sentence):
        return None
    phrase = _ANSWER_TAIL.sub("", _LEAD_IN.sub("", sentence))
    if _NEGATION_ANYWHERE.search(lowered):
        return named_but_not(phrase, options)
    return named_option(phrase, options, max_words=8)


_BUT_NOT = re.compile(r"(?P<kept>[^\n]+?)[ \t]*(?:,|;|[—–]|\s-)[ \t]*not[ \t]+(?P<negated>[^.;!?\n]{1,60}?)[ \t.!]*")


def named_but_not(phrase: str, options: OptionIndex) -> str | None:
    """The option "X, not Y" names: X, when Y names another option or none ("TACO, not TRALI")."""
    m = _BUT_NOT.fullmatch(phrase)
    if m is None or _NEGATION_ANYWHERE.search(m.group("kept").lower()) or "not " in m.group("negated").lower():
        return None
    named = named_option(m.group("kept"), options, max_words=8)
    if named is None or named_option(m.group("negated"), options) == named:
        return None
    return named


def _explicit(sentence: str) -> bool:
    """Whether ``sentence`` opens with an explicit conclusion ("So the best choice here is", "I'd go with")."""
    lead_in = _LEAD_IN.match(sentence)
    return lead_in is not None and lead_in.group("explicit") is not None


def _kept_mentions(lowered: str, mentions: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The mentions of a sentence that are not negated (what follows a mention is read up to the next one)."""
    starts = sorted(s for s, _, _ in mentions)
    kept = []
    for s, e, letter in mentions:
        following = next((x for x in starts if x >= e), len(lowered))
        if not _NEG_BEFORE.search(lowered, 0, s) and not _NEG_AFTER.search(lowered[e:following]):
            kept.append((s, e, letter))
    return kept


def _decide_sentence(
    lowered: str, kept: list[tuple[int, int, str]], offset: int
) -> tuple[str, tuple[int, int]] | None:
    """The single option a concluding sentence commits to, if any (``kept``: its mentions not negated)."""
    if _HEDGED.search(lowered):
        return None
    letters = {letter for _, _, letter in kept}
    if len(letters) != 1:
        return None
    s, e, letter = min(kept)
    if not _CUE.search(lowered) and not _COPULA_BEFORE.search(lowered, 0, s) and not _explicit(lowered):
        return None
    return letter, (offset + s, offset + e)


_NOT_ANSWER_LABELS = _EXPLANATION_LABELS | frozenset(
    (
        "differential",
        "differentials",
        "differential diagnosis",
        "ddx",
        "consider",
        "considering",
        "question",
        "options",
        "option",
        "choices",
        "q",
        "case",
        "tempting",
        "trap",
        "distractor",
        "pitfall",
        "caveat",
        "also",
        "alternative",
        "alternatives",
        "summary",
        "findings",
        "history",
    )
)
_OPENING_LABEL = re.compile(
    r"[ \t>#*_]*([A-Za-z][A-Za-z' \-]{0,40}?)[ \t]*(?:\*\*|__)?[ \t]*:[ \t]*(?:\*\*|__)?[ \t]*"
    r"([^\n]{2,120}?)[ \t.]*(?:\*\*|__)?[ \t]*"
)
"""An opening "label: value" line (the label may hold a hyphen: "First-line drug: ...")."""
_OWN_NOTE = re.compile(r"[ \t]*\((?:[A-Z]|option[ \t]+[A-Z]|[^()\n]{1,40})\)[ \t]*$")
_PAREN_LETTER = re.compile(r"\((?:option[ \t]+)?([A-Z])\)", re.IGNORECASE)


def opening_label(text: str, options: OptionIndex, start: int, end: int) -> tuple[str, tuple[int, int]] | None:
    """The option an opening "label: option" line names, when that line is a paragraph of its own.

    The label is no explanation, differential or question; the value is an option's text or its words,
    maybe followed by its own letter or a short note in parentheses, and names no other option.

    Returns:
        ``(letter, span)`` of the line, or None.
    """
    if not options.texts:
        return None
    body = start + len(text[start:end]) - len(text[start:end].lstrip())
    line_end = text.find("\n", body, end)
    if line_end < 0 or _BLANK_LINE.match(text, line_end, end) is None:
        return None  # the line must stand alone, above a blank line
    line = text[body:line_end]
    m = _OPENING_LABEL.fullmatch(line)
    if m is None or "?" in line or len(line) > 140:
        return None
    label = m.group(1).strip().lower()
    if label in _NOT_ANSWER_LABELS or len(label.split()) > 4 or _NEGATION_ANYWHERE.search(line.lower()):
        return None
    value = m.group(2).strip(" \t*_")
    own = _PAREN_LETTER.search(value)
    note = _OWN_NOTE.search(value)
    if note is not None:
        value = value[: note.start()]
    norm = normalize_text(value)
    letter = next((x for x, option_text in options.texts.items() if option_text == norm), None)
    letter = letter or named_option(value, options, max_words=8)
    if letter is None or (own is not None and own.group(1).upper() != letter):
        return None
    return letter, (body, line_end)
