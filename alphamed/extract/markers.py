"""Final-answer markers: where an output says which option it settles on.

Precompiled patterns find every marker. The rules (the ``method`` of an
:class:`~alphamed.extract.Extraction`):

- ``answer_tag``: ``<answer>C</answer>``
- ``boxed``: ``\\boxed{C}``, ``\\boxed{\\text{C}}``, ``\\boxed{C: text}``, ``\\fbox{...}``
- ``answer_phrase``: "The (final/correct/best) answer is", "Answer:", "the correct option is",
  "Decision: no", and the same in Chinese, French, Spanish, German, Russian, Portuguese, Italian, Japanese, Korean
- ``answer_header``: a line such as ``### Final Answer`` or ``**Answer**`` with the answer below
- ``verdict``: "Option C is correct", "(C) is the best answer"
- ``choice_phrase``: "I would choose C", "I'll go with (C)"
- ``conclusion``: "Therefore, C." (a letter standing alone after a conclusion word)
- ``arrow``: "→ C" at the end of a line
- ``it_is``: "It is not A but C"
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from alphamed.extract.vocabulary import CASUAL_VERBS, CHOICE_VERBS, CONCLUSION_WORDS, FOREIGN_PHRASES, LABELS

_COPULA = (
    r"(?:\s*(?:\*\*|__))?\s*(?:(?:is|was|would\s+be|will\s+be|should\s+be|must\s+be|seems\s+to\s+be|appears\s+to\s+be"
    r"|could\s+be|might\s+be|may\s+be|remains|here\s+is|is\s+therefore|therefore\s+is|is\s+thus|is\s+then)(?![a-z])"
    r"|[:：=]|->|→|⇒|=>|\s-\s|–|—)"
)
_ADJ = (
    r"(?:final|correct|right|best|true|proper|accurate|appropriate|single\s+best|most\s+(?:likely|appropriate|"
    r"accurate|correct|plausible|reasonable|probable)|overall|only|likely|my|your|selected|chosen|preferred)"
)
_TAIL = r"(?:\s+(?:to|for|of)\s+(?:this|the)\s+(?:question|problem|case|item|mcq|vignette|scenario))?"
_LETTER_AHEAD = r"(?=\s*(?:option\s+|choice\s+)?[(\[]?\s*[a-z]\s*[)\]]?(?:[\s.!,;:)*]|$))"

_VERDICT_TAIL = (
    r"(?:\s+(?:the\s+)?(?:(?:most|single|only)\s+)?(?:(?:correct|right|best|true|accurate|appropriate|final)(?![a-z])"
    r"(?:\s+(?:answer|option|choice|one|response)(?![a-z]))?|answer(?![a-z])|better(?![a-z])|preferred(?![a-z]))"
    r"|\s+my\s+(?:final\s+)?(?:answer|pick|choice)(?![a-z]))"
)
_LABEL_WORD = r"(?:\s+(?:options?|choices?|answers?))?"
_LABEL_END = r"[ \t]*(?:\*\*|__)?[ \t]*(?:[:：=]|[ \t][-–—](?=[ \t]))"
_HEADER_END = r"[ \t]*(?:\*\*|__)?[ \t]*[:：]?[ \t]*(?:\*\*|__)?[ \t]*(?=\r?\n)"
_SUBJECTLESS_VERBS = ("going", "go ", "lock", "stick", "settl", "put m", "mark ", "count", "takin", "commi", "my mo")
"""Choice verbs that commit without a subject at the start of a sentence ("Going with B.")."""
_CONCLUSION_TAIL = r"\s*[,:]?\s*(?:the\s+answer\s+is\s+)?" + _LETTER_AHEAD


def _rule(name: str, *alternatives: str, tag: int = 0) -> list[str]:
    """Alternatives that each start with a literal (fast to reject), tagged by an empty group
    (``tag`` keeps group names unique when a rule name is used twice)."""
    return [alt + f"(?P<{name}{tag}{i}>)" for i, alt in enumerate(alternatives)]


# Each alternative starts with a literal and ends with an empty named group: Python's regex
# engine rejects a literal-led alternative in one step, which a leading group would prevent.
_STRONG = (
    _rule("answer_tag", r"<\s*answer\s*>")
    + _rule("boxed", r"\\boxed\s*\{", r"\\fbox\s*\{")
    + _rule("header", r"answer" + _HEADER_END, r"final response" + _HEADER_END)
    + _rule(
        "answer_phrase",
        r"answer(?:\s+(?:choice|option|letter))?" + _TAIL + _COPULA,
        r"response" + _TAIL + _COPULA,
        r"decision\s*[:：=]",
        r"verdict\s*[:：=]",
        r"conclusion\s*[:：=]",
    )
    + _rule("option_phrase", *(w + _TAIL + _COPULA for w in ("option", "choice", "selection")))
)
# Markers new with issue #17 are weak: read only near the end (and in an answer-first opening paragraph),
# so that their common words ("final", "correct", "pick") cost nothing on the body of long outputs.
_LATE = (
    _rule(
        "answer_phrase",
        r"answers\s*(?:are|[:：=])",
        *(
            w + r"\w*\s+(?:my\s+)?(?:final\s+)?(?:answer|choice|pick)\s+to(?![a-z])"
            for w in ("chang", "switch", "revis")
        ),
    )
    + _rule(
        "answer_label", *(label.replace(" ", r"\s+") + _LABEL_WORD + _LABEL_END for label in LABELS), "ans:", "ans="
    )
    + _rule("option_phrase", *(w + _TAIL + _COPULA for w in ("pick", "guess")), tag=1)
)
_WEAK = (  # the late markers first: where a literal starts several rules ("pick"), the first that matches is read
    _LATE
    + _rule(
        "verdict",
        *(w + _VERDICT_TAIL for w in (r"is", r"seems\s+to\s+be", r"appears\s+to\s+be", r"would\s+be")),
        r"wins(?![a-z])",
    )
    + _rule("choice_phrase", *(w.replace(" ", r"\s+") + r"(?![a-z])" for w in CHOICE_VERBS))
    + _rule("plural_verdict", r"are\s+(?:both\s+|all\s+)?(?:correct|right|true|valid|acceptable|defensible)(?![a-z])")
    + _rule("it_is", r"it is(?=\s+not\s)", r"it's(?=\s+not\s)")
    + _rule(
        "conclusion",
        *(w + _CONCLUSION_TAIL for w in CONCLUSION_WORDS),
    )
    + _rule("arrow", *(w + _LETTER_AHEAD for w in ("→", "⇒", "=>", "->")))
)
_FOREIGN_RULES = _rule("foreign_phrase", *FOREIGN_PHRASES)

_META = set("\\()[].*+?{}|^$")


def _literal_prefix(source: str) -> tuple[str, int]:
    """The literal text a pattern starts with, and where the rest of the pattern begins."""
    out, i = [], 0
    while i < len(source):
        ch = source[i]
        if ch == "\\" and i + 1 < len(source) and source[i + 1] in _META:
            lit, step = source[i + 1], 2
        elif ch in _META:
            break
        else:
            lit, step = ch, 1
        if i + step < len(source) and source[i + step] in "?*{":
            break  # this character is optional
        out.append(lit)
        i += step
    return "".join(out), i


def _anchored(alternatives: list[str]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Alternatives grouped by their literal start: ``(literal, pattern to match at it)``."""
    groups: dict[str, list[str]] = {}
    for source in alternatives:
        literal, rest = _literal_prefix(source)
        assert literal, source
        groups.setdefault(literal, []).append(source[rest:])
    return tuple((lit, re.compile(re.escape(lit) + "(?:" + "|".join(tails) + ")")) for lit, tails in groups.items())


# Python's regex engine tries every alternative of a pattern at every position of the text, which
# is slow with dozens of markers. So each marker is found from its literal start with str.find
# (fast) and then matched there; markers are split in three sets by how often they must run:
# strong markers over the whole (bounded) output, weak ones only near its end, foreign ones only
# when the output has non-ASCII text or the Latin-script marker words.
STRONG = _anchored(_STRONG)
WEAK = _anchored(_WEAK)
WEAK_WORDS = _anchored([alt for alt in _WEAK if "choice_phrase" in alt or alt in _LATE])
"""The weak markers that can name an option by its text (the others need a capital letter)."""
WEAK_NO_VERDICT = _anchored([alt for alt in _WEAK if "<verdict" not in alt])
_UNLABELED = [alt for alt in _WEAK if "<answer_label" not in alt]
WEAK_UNLABELED = {
    WEAK: _anchored(_UNLABELED),
    WEAK_WORDS: _anchored([alt for alt in _UNLABELED if "choice_phrase" in alt or alt in _LATE]),
    WEAK_NO_VERDICT: _anchored([alt for alt in _UNLABELED if "<verdict" not in alt]),
}
"""Each weak table without the line labels, for text with no ":", "=" or dash (a label needs one)."""
LABEL_ENDS = (":", "=", "：", " -", "–", "—")
"""The weak markers but "C is correct": for text without any of :data:`VERDICT_WORDS`."""
VERDICT_WORDS = (
    "correct",
    "right",
    "best",
    "true",
    "accurate",
    "appropriate",
    "final",
    "answer",
    "pick",
    "choice",
    "better",
    "preferred",
    "wins",
)
"""A verdict marker ends with one of these words (:data:`_VERDICT_TAIL`)."""
FOREIGN = _anchored(_FOREIGN_RULES)
STRONG_ANY_CASE = re.compile("|".join(_STRONG), re.IGNORECASE)
WEAK_ANY_CASE = re.compile("|".join(_WEAK), re.IGNORECASE)
FOREIGN_ANY_CASE = re.compile("|".join(_FOREIGN_RULES), re.IGNORECASE)
FOREIGN_LATIN_WORDS = re.compile(
    "ponse|respuesta|resposta|risposta|antwort|antwoord|cevap|jawaban|odpowied|svar|alternativa|vastaus|jibu|sagot|opci"
)
"""The anchored tables run on LOWER-CASED text; ``match.lastgroup`` names the rule, checked
further by :func:`accept` on the original text. The ``_ANY_CASE`` patterns serve the rare text
whose lower-casing changes its length (offsets would not line up)."""


_LATIN_FOREIGN = (
    "ponse",
    "respuesta",
    "resposta",
    "risposta",
    "antwort",
    "antwoord",
    "cevap",
    "jawaban",
    "odpowied",
    "svar",
    "alternativa",
    "vastaus",
    "jibu",
    "sagot",
    "opci",
)


_FOREIGN_SCRIPTS = re.compile(
    "[\u0370-\u03ff\u0400-\u04ff\u0590-\u05ff\u0600-\u06ff\u0900-\u097f\u0e00-\u0e7f"
    "\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af\u0111\u0103\u00e1\u011b\u0131\u011f\u1ea3\u1ef1]"
)
"""Scripts (Greek, Cyrillic, Hebrew, Arabic, Devanagari, Thai, kana, CJK, Hangul) and the Latin letters
(đ, ă, á, ě) that the non-ASCII foreign markers start with or contain."""


def may_be_foreign(lowered: str) -> bool:
    """Whether non-ASCII lower-cased text may hold a foreign marker of another script (:data:`_FOREIGN_SCRIPTS`)."""
    return _FOREIGN_SCRIPTS.search(lowered) is not None


def has_latin_foreign(lowered: str) -> bool:
    """Whether lower-cased text holds a Latin-script foreign marker word (:data:`FOREIGN_LATIN_WORDS`)."""
    for word in _LATIN_FOREIGN:  # ``in`` per word beats one regex pass over the text
        if word in lowered:
            return True
    return False


Table = tuple[tuple[str, re.Pattern[str]], ...]


def present(lowered: str, table: Table) -> list[tuple[str, re.Pattern[str]]]:
    """The entries of ``table`` whose literal occurs in lower-cased text, in table order."""
    return [entry for entry in table if entry[0] in lowered]  # ``in`` is cheaper than any regex pass


def find_markers(lowered: str, table: Table) -> list[re.Match[str]]:
    """Every marker of ``table`` in lower-cased text, in no particular order.

    Args:
        lowered: lower-cased text.
        table: :data:`STRONG`, :data:`WEAK` or :data:`FOREIGN`.

    Returns:
        The matches.
    """
    found = []
    for literal, pattern in present(lowered, table):
        i = lowered.find(literal)
        while i >= 0:
            m = pattern.match(lowered, i)
            if m is not None:
                found.append(m)
            i = lowered.find(literal, i + 1)
    return found


def find_literals(
    lowered: str, table: Iterable[tuple[str, re.Pattern[str]]], lo: int, hi: int
) -> list[tuple[int, re.Pattern[str]]]:
    """Where markers of ``table`` may start in ``lowered[lo:hi]``: ``(offset, pattern to match there)``.

    :func:`find_markers` without the matching, for callers that match lazily.

    Args:
        lowered: lower-cased text.
        table: ``(literal, pattern)`` pairs, e.g. those of :data:`STRONG` present in the text.
        lo: first offset a marker may start at.
        hi: offsets from here on are left out.

    Returns:
        The candidates, in no particular order.
    """
    found = []
    for literal, pattern in table:
        i = lowered.find(literal, lo)
        while 0 <= i < hi:
            found.append((i, pattern))
            i = lowered.find(literal, i + 1)
    return found


_METHOD_OF_GROUP = {
    group: group.rstrip("0123456789")
    for table in (STRONG, WEAK, FOREIGN)
    for _, pattern in table
    for group in pattern.groupindex
}
"""Rule name of each tagged group (``answer_phrase3`` -> ``answer_phrase``)."""

_WORD_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
_ADJ_BEFORE = re.compile(_ADJ + r"\s+$", re.IGNORECASE)
_SUBJECT_BEFORE = re.compile(
    r"(?:\bi(?:'d|'ll|'m|\s+would|\s+will|\s+shall|\s+am)?|\bwe(?:'d|'ll|'re|\s+would|\s+will)?|\blet's"
    r"|\blet\s+us|\bgonna|\bgoing\s+to)\s+(?:[\w']+\s+){0,2}$",
    re.IGNORECASE,
)
_HEADER_BEFORE = re.compile(
    r"(?:^|\n)[ \t]*(?:#{1,6}[ \t]*|\*\*|__)?[ \t]*(?:(?:final|correct)[ \t]+)?$", re.IGNORECASE
)
_VERDICT_LETTER = re.compile(
    r"(?:^|[^A-Za-z0-9])(?:(?:[Oo]ption|[Cc]hoice)\s*)?[(\['\"‘“]?\s*([A-Z])\s*[)\]'\"’”]?"
    r"(?:\s*\([^()\n]{1,60}\))?\s+$"
)
_PLURAL_LETTERS = re.compile(
    r"(?:^|[^A-Za-z0-9])[(\['\"]?[A-Z][)\]'\"]?(?:\s*(?:,|and|&|or)\s*(?:option\s+)?[(\['\"]?[A-Z][)\]'\"]?)+"
    r"(?:\s*\([^()\n]{1,60}\))?\s+$"
)
_LINE_START = re.compile(
    r"(?:^|\n|[.!?][ \t]+)[ \t>*#_\-•]*(?:\d+[.)][ \t]*)?(?:(?:my|our|the|so|and|correct|top|best)[ \t]+)?"
    r"(?:\*\*|__)?[ \t]*$",
    re.IGNORECASE,
)
_REJECTED_BEFORE = re.compile(r"\b(?:tempting|wrong|incorrect|trap|distractor|naive|obvious)\s+$", re.IGNORECASE)
"""'The tempting answer is X, but...': an answer named to be rejected."""
_SENTENCE_START = re.compile(r"(?:^|\n|[.!?][ \t]+)[ \t*_]*$")
_UPPER_AHEAD = re.compile(r"\s*(?:option\s+|choice\s+)?[(\[]?\s*[A-Z]", re.IGNORECASE)


def word_before(before: str) -> bool:
    """Whether ``before`` ends with an ASCII letter or digit, so that a marker after it is inside a word.

    Only the last character counts: "here\\nAnswer: C" starts a new line, not a word
    ("reanswer: C" does not).

    >>> word_before("re"), word_before("here\\n"), word_before("")
    (True, False, False)
    """
    return before[-1:] in _WORD_CHARS


def accept(text: str, m: re.Match[str], floor: int = 0) -> tuple[str, int] | None:
    """The rule a marker match stands for, after checks on the original text; None to ignore it.

    Args:
        text: the output (original case; ``m`` may come from its lower-cased copy).
        m: a match of :data:`STRONG`, :data:`WEAK` or :data:`FOREIGN`.
        floor: the checks see no text before this offset (the start of the window scanned).

    Returns:
        ``(method, evidence_start)``, or None.
    """
    group = m.lastgroup or ""
    method = _METHOD_OF_GROUP.get(group) or group.rstrip("0123456789")
    start = m.start()
    before = text[max(floor, start - 40) : start]
    if method == "verdict":
        letter = _VERDICT_LETTER.search(before)
        return ("verdict", start - len(before) + letter.start(1)) if letter else None
    if method == "plural_verdict":
        letters = _PLURAL_LETTERS.search(before)
        return ("plural_verdict", start - len(before) + letters.start()) if letters else None
    if method in ("header", "answer_phrase", "answer_label", "option_phrase", "choice_phrase", "conclusion", "it_is"):
        if word_before(before):
            return None  # inside a word: "reanswer", "also"
    if method == "header":
        return ("answer_header", start) if _HEADER_BEFORE.search(before) else None
    if method == "answer_phrase":
        return None if _REJECTED_BEFORE.search(before) else (method, start)
    if method == "option_phrase":
        return ("answer_phrase", start) if _ADJ_BEFORE.search(before) else None
    if method == "foreign_phrase":
        return "answer_phrase", start
    if method == "answer_label":  # a label opens a line; mid-line "selected option:" needs an adjective
        return ("answer_phrase", start) if _LINE_START.search(before) or _ADJ_BEFORE.search(before) else None
    if method == "choice_phrase":
        if text[start : start + 12].lower().startswith(CASUAL_VERBS):
            ahead = _UPPER_AHEAD.match(text, m.end())  # "I'll take a" cut off: the article, not option A
            if ahead is None or not ahead.group(0)[-1].isupper():
                return None
        if _SUBJECT_BEFORE.search(before):
            return method, start
        subjectless = text[start : start + 5].lower().startswith(_SUBJECTLESS_VERBS)
        return (method, start) if subjectless and _SENTENCE_START.search(before) else None
    if method in ("conclusion", "arrow"):
        ahead = _UPPER_AHEAD.match(text, m.end())
        return (method, start) if ahead and ahead.group(0)[-1].isupper() else None
    return method, start


READ_MODE = {
    "answer_tag": "enclosed",
    "boxed": "enclosed",
    "answer_phrase": "phrase",
    "answer_header": "phrase",
    "choice_phrase": "phrase",
    "conclusion": "strict",
    "it_is": "strict",
    "arrow": "strict",
}
"""How the text after each marker is read (see :func:`~alphamed.extract.answer.read_answer`)."""

TAG_CLOSE = re.compile(r"<\s*/\s*answer\s*>", re.IGNORECASE)

# A marker inside a conditional or negated clause ("if the answer is A", "I don't think the answer is A").
CONDITIONAL = re.compile(r"\b(?:if|whether|unless|assuming|suppose|supposing|were|wonder)\b[^.!?\n]*\Z", re.IGNORECASE)
# "...$\\boxed{B}$ or $\\boxed{C}$": a marker offered as an alternative to the one before it.
ALTERNATIVE = re.compile(r"(?:\bor|\band/or|/)[\s$*]*$", re.IGNORECASE)
# "The answer is C, but I cannot tell." - doubt right after the last commitment.
DOUBT_AFTER = re.compile(
    r"[^\n]{0,60}?\b(?:cannot|can't|can\s+not)\s+(?:tell|decide|be\s+sure|say|determine)|[^\n]{0,60}?\b(?:not\s+sure"
    r"|unsure|uncertain|just\s+a\s+guess|a\s+guess)\b",
    re.IGNORECASE,
)
NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\bdoubt)\b[^.!?\n,;—–]{0,40}\Z", re.IGNORECASE)


# The checks below run for every marker read; each first rules out, with plain substring tests,
# ASCII text that cannot match (the regexes scan every position), then runs the regex on the
# only part of the text where a match can start. Non-ASCII text always goes to the regex:
# IGNORECASE folds a few non-ASCII letters onto ASCII ones (ſ, ı, K).


def _clause_start(before: str, stops: str) -> int:
    """Where the last clause of ``before`` starts (a line break ends a clause too)."""
    last = -1
    for ch in stops:
        i = before.rfind(ch)
        if i > last:
            last = i
    return last + 1


def is_conditional(before: str) -> bool:
    """Whether ``before`` ends inside a conditional clause (:data:`CONDITIONAL`)."""
    if before.isascii():
        low = before.lower()
        if not (
            "if" in low
            or "whether" in low
            or "unless" in low
            or "assuming" in low
            or "suppos" in low
            or "were" in low
            or "wonder" in low
        ):
            return False
    return CONDITIONAL.search(before, _clause_start(before, ".!?\n")) is not None


def is_negated(before: str) -> bool:
    """Whether ``before`` ends with a negation in the same clause (:data:`NEGATED`), not one inside a
    relative clause of the subject ("the vaccine that should not be given is C": the answer is C)."""
    start = max(0, len(before) - 45)
    if before.isascii():
        low = before[start:].lower()
        if not ("not" in low or "n't" in low or "never" in low or "doubt" in low):
            return False
    m = NEGATED.search(before, max(start, _clause_start(before, ".!?\n,;—–")))
    return m is not None and _SUBJECT_CLAUSE.search(before, 0, m.end()) is None


_SUBJECT_CLAUSE = re.compile(
    r"\b(?:that|which|who)\s+(?:\w+\s+){0,3}?(?:\*\*|__)?(?:not|never)(?:\*\*|__)?\s+(?:\w+\s+){1,3}?(?:is|are)\s+[^.!?\n]{0,30}\Z",
    re.IGNORECASE,
)
"""'the drug that should NOT be given is': a negation inside a relative clause, then the copula of the answer."""


_ASCII_SPACE_DOLLAR_STAR = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f$*"
r"""What ``[\s$*]`` matches among ASCII characters."""


def is_alternative(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` ends with "or" / "/" (:data:`ALTERNATIVE`)."""
    window = text[start:end]
    if window.isascii():  # the match must end the window, followed only by spaces, $ or *
        body = window.rstrip(_ASCII_SPACE_DOLLAR_STAR)
        if not (body.endswith("/") or body[-2:].lower() == "or"):
            return False
    return ALTERNATIVE.search(text, start, end) is not None


def has_doubt_after(text: str, start: int, end: int) -> bool:
    """Whether doubt follows at ``text[start:end]`` (:data:`DOUBT_AFTER`)."""
    window = text[start:end]
    if window.isascii():
        low = window.lower()
        if not ("can" in low or "sure" in low or "uncertain" in low or "guess" in low):
            return False
    return DOUBT_AFTER.match(text, start, end) is not None
