"""Reading the answer that follows a marker: a letter, an option text, or a hedge.

:func:`read_answer` looks at a short segment right after a final-answer marker
("The answer is", ``\\boxed{``, ``<answer>``...) and says what it commits to.
Formatting noise is normalised first: full-width letters, Cyrillic and Greek capitals that
look like Latin ones, ``\\text{C}`` / ``\\textbf{C}``, markdown bold, parentheses and arrows.

>>> from alphamed.extract.options import OptionIndex
>>> idx = OptionIndex({"A": "Aspirin", "B": "Heparin", "C": "Warfarin"})
>>> read_answer(": $\\\\boxed{\\\\text{Ｃ}}$", idx, "phrase")
Reading(kind='commit', letter='C', end=18)
>>> read_answer(" either B or C.", idx, "phrase").kind
'hedge'
>>> read_answer(" not A", idx, "phrase").kind
'negation'
>>> read_answer(" heparin.", idx, "phrase")
Reading(kind='commit', letter='B', end=8)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from alphamed.extract.options import OptionIndex
from alphamed.extract.paraphrase import named_option

SEGMENT = 240
"""How many characters after a marker are read."""

_CONFUSABLES: dict[int, Any] = {
    **{0xFF21 + i: 0x41 + i for i in range(26)},  # full-width capitals
    **{0xFF41 + i: 0x61 + i for i in range(26)},  # full-width small letters
    **{ord(c): ord(latin) for c, latin in zip("АВСЕНКМОРТХ", "ABCEHKMOPTX")},  # Cyrillic capitals
    **{ord(c): ord(latin) for c, latin in zip("ΑΒΕΗΙΚΜΝΟΡΤΧΖ", "ABEHIKMNOPTXZ")},  # Greek capitals
    0xFF08: "(",
    0xFF09: ")",
    0xFF1A: ":",
    0xFF0E: ".",
    0xFF0C: ",",
    0x3010: "[",
    0x3011: "]",
    0x3002: ".",
    0x3001: ",",
    0xFF3B: "[",
    0xFF3D: "]",
    0x00A0: " ",
    0x3000: " ",
}
TRANSLATE: dict[int, int] = str.maketrans(_CONFUSABLES)  # one character to one character: offsets are kept

# Noise before the answer proper: whitespace, markup, colons, arrows, LaTeX wrappers, filler adverbs.
_SKIP = re.compile(
    r"""(?:\s+|[*_"'`$>:=~\-–—→⇒\]】✓✔☑✅}]+|one\b[ \t]*,|\\[(\[]
    |\\(?:text(?:bf|it|tt|rm)?|math(?:rm|bf|it|sf|tt)|bf|boxed|fbox|underline)\s*\{
    |(?:therefore|thus|then|hence|clearly|definitely|certainly|probably|likely|most\s+likely|indeed|simply|still
    |actually|obviously|undoubtedly|that|as\s+follows|option|choice|letter|answer|the\s+option|the\s+letter
    |the\s+choice
    |réponse|respuesta|antwort|ответ|la|el|le|il|die|der|alternativa|opci[oó]n|op[cç][aã]o|opzione
    |lettre|letra
    |optie|pilihan)\b)*""",
    re.IGNORECASE | re.VERBOSE,
)
_NEGATION = re.compile(r"(?:not|n't|neither|never|none\s+of|no\s+longer)\b\s*", re.IGNORECASE)
_HEDGE = re.compile(
    r"(?:either|between|one\s+of|both|unclear|uncertain|undetermined|unknown|ambiguous|"
    r"not\s+(?:clear|sure|certain|determinable)|indeterminate|cannot\s+be\s+determined)\b",
    re.IGNORECASE,
)
_LETTER = re.compile(r"([(\[{]?)[ \t]*([A-Za-z])(?![A-Za-z0-9]|-[A-Za-z0-9]|['’][A-Za-z]|\.[A-Za-z0-9])")
_CLOSE = re.compile(r"[ \t]*[)\]}]")
_SECOND = re.compile(
    r"[ \t]*(?:\*\*)?[ \t]*(?:\\(?:text|mathrm|textrm)\s*\{[ \t]*)?"
    r"(?:,|/|&|\bor\b|\band\b|\bvs\.?|\bversus\b|\bили\b|\bou\b|\bo\b|或|和)[ \t]*\}?[ \t]*(?:\*\*)?[ \t]*"
    r"(?:option[ \t]+|choice[ \t]+)?[(\[]?[ \t]*([A-Z])(?![A-Za-z0-9]|-[A-Za-z0-9]|['’][A-Za-z])",
)
# "C, or maybe D" / "C (possibly D)": a second option offered in the same clause.
_TRAILING_HEDGE = re.compile(
    r"[^.!?\n]{0,40}?\b(?:or|and/or|perhaps|possibly|maybe)\b[ \t,]*(?:option[ \t]+)?[(\[]?([A-Z])(?![A-Za-z0-9])"
)
_TEXT_AFTER_LETTER = re.compile(r"[ \t]*(?:[.:)\]\-–—,]|\*\*)?[ \t]*(?:\*\*)?[ \t]*")
_TERMINAL = re.compile(r"[ \t]*(?:\*\*|__)?[ \t]*[.!,;:)\]}*$|]*[ \t]*(?:\*\*|__)?[ \t]*(?:\n|$)")
_BUT = re.compile(r"[ \t]*[,;]?[ \t]*(?:but|rather|instead|it'?s|it\s+is)\b[ \t,:]*", re.IGNORECASE)
# After a letter, words that continue a sentence ("C because ..."), as opposed to the article "A patient".
_CONTINUATION = frozenset(
    "because since as which is was would will should for given due in on with and but so here this that "
    "the than being".split()
)
_WORD = re.compile(r"[ \t]+(\w+)")
# An option named in other words after a marker: up to the end of the clause ("IV alteplase (tPA).").
_PHRASE = re.compile(r"[^.;:,!?\n]{1,80}(?:\.(?=[a-z]))?[^.;:,!?\n]{0,40}")
_LABEL_END = re.compile(r"[ \t]*(?:\*\*)?[ \t]*(?:[.,;:)\]}!?]|\n|$)")
# What may follow a letter that ends a commitment in strict mode besides the end of the line: the end
# of a sentence ("B. Next question."), a concession ("A, but I can't rule out B") or a set phrase
# ("B it is", "A on this one").
_COMMIT_END = re.compile(
    r"[ \t]*(?:\*\*)?(?:[.!]+[ \t]+(?=[A-Z])|[ \t]*,[ \t]*(?:but|though|although)\b"
    r"|[ \t]+(?:it[ \t]+is|on[ \t]+this[ \t]+one|here)\b"
    r"|[ \t]+(?:<=+|<-+|←|⇐)[ \t]*(?=\n|$)"  # a closing arrow mirroring the opening one: "=> B <="
    r"|[ \t]*[,—–-][ \t]*(?:final|no[ \t]+doubt|for[ \t]+sure|definitely|locked(?:[ \t]+in)?|confirmed)\b[ \t.!]*(?=\n|$)"
    r"|[ \t]+(?P<note>\([^()\n]{1,60}\))[ \t.!]*(?=\n|$))"  # "=> B (secondary)": a note naming no other option
)
# After a marker, words naming no option and then a letter in parentheses ending the line: "Respuesta: sí (A)".
_WORDS_THEN_LETTER = re.compile(r"[^()\n.;:,!?]{1,40}?[ \t]\(([A-Z])\)(?=[ \t]*(?:\*\*)?[ \t]*[.!]?[ \t]*(?:\n|$))")
_NUMBERED = re.compile(r"([1-9][0-9]?)[ \t]*(?=\(([A-Z])\))")
# "E. coli", "S. aureus": a genus abbreviation, not a letter.
_GENUS = re.compile(r"\.[ \t]?([a-z]{3,})")
# The commonest segment: a lone capital letter, maybe in parentheses or bold, ending its line
# (" C.", ": (C)", "** C**", " C;", "C" inside a box). The full reading gives the same for it:
# nothing skipped but spaces, a colon and "**", no hedge, negation, option text, second letter
# or trailing hedge can follow, and the letter is terminal (``tests/core/test_extract_shortcuts.py``
# compares both).
_LONE_LETTER = re.compile(r"[ \t]*(?::[ \t]*)?(?:\*\*[ \t]*)?\(?([A-Z])\)?(?P<close>)[.!;]*(?:\*\*)?[ \t]*(?:\n|\Z)")


def _skip(seg: str, pos: int) -> int:
    """Where the answer proper starts: after the noise :data:`_SKIP` matches at ``pos``."""
    m = _SKIP.match(seg, pos)
    return m.end() if m is not None else pos  # _SKIP matches the empty string: never None


@dataclass(slots=True)
class Reading:
    """What a segment commits to.

    kind: ``commit`` (letter), ``invalid`` (a letter that names no option), ``hedge``
    (several options), ``negation`` ("not A"), ``conflict`` (letter and text disagree) or ``none``.
    """

    kind: str
    letter: str | None = None
    end: int = 0


NOTHING = Reading("none")


def read_answer(segment: str, options: OptionIndex, mode: str = "phrase") -> Reading:
    """What ``segment`` (the text right after a marker) commits to.

    Args:
        segment: text after the marker; only the first :data:`SEGMENT` characters matter.
        options: the question's options.
        mode: ``phrase`` (after "answer is"), ``enclosed`` (the whole content of a box or tag:
            lower-case letters allowed), or ``strict`` (weak markers such as "so," or an arrow:
            only a letter standing alone at the end of a line counts).

    Returns:
        A :class:`Reading`; ``end`` is the offset just after the evidence.
    """
    seg = segment[:SEGMENT]
    if not seg.isascii():  # every character TRANSLATE maps is non-ASCII
        seg = seg.translate(TRANSLATE)
    lone = _LONE_LETTER.match(seg)
    if lone is not None:
        letter = lone.group(1)
        return Reading("commit" if options.valid(letter) else "invalid", letter, lone.end("close"))
    return _read_full(seg, options, mode)


def _read_full(seg: str, options: OptionIndex, mode: str) -> Reading:
    """:func:`read_answer` on an already normalised segment, without the lone-letter shortcut."""
    pos = _skip(seg, 0)
    numbered = _NUMBERED.match(seg, pos)
    if numbered is not None and int(numbered.group(1)) == ord(numbered.group(2)) - 64:
        pos = numbered.end(1)  # "option 2 (B)": the option's number, then its own letter
        pos = _skip(seg, pos)
    if _HEDGE.match(seg, pos):
        return Reading("hedge", None, pos)
    neg = _NEGATION.match(seg, pos)
    if neg:
        return _read_negated(seg, neg.end(), options, mode)
    reading = _read_letter(seg, pos, options, mode)
    if reading is not None:
        return reading
    if mode == "strict":
        return NOTHING
    return _read_option_text(seg, pos, options)


def _read_negated(seg: str, pos: int, options: OptionIndex, mode: str) -> Reading:
    """After "not": a negation when an option follows, with "not A but C" read as C."""
    pos = _skip(seg, pos)
    negated = _read_letter(seg, pos, options, "phrase" if mode == "strict" else mode) or _read_option_text(
        seg, pos, options
    )
    if negated.kind in ("none", "hedge"):
        return NOTHING if negated.kind == "none" else negated
    but = _BUT.match(seg, negated.end)
    if but:
        after = read_answer(seg[but.end() :], options, mode)
        if after.kind == "commit":
            return Reading("commit", after.letter, but.end() + after.end)
    return Reading("negation", negated.letter, negated.end)


def _read_letter(seg: str, pos: int, options: OptionIndex, mode: str) -> Reading | None:
    """A letter token at ``pos``: None when there is none (or it is a word such as the article A)."""
    m = _LETTER.match(seg, pos)
    if m is None:
        return None
    opened, letter = m.group(1), m.group(2)
    end = m.end()
    close = _CLOSE.match(seg, end)
    if close:
        end = close.end()
    upper = letter.upper()
    lowered = seg.lower()
    named_text = _named_option(options, lowered, end)
    if named_text is not None and named_text[0] != upper and not _LABEL_END.match(seg, named_text[1]):
        named_text = None  # "C: phenytoin can aggravate...": a sentence about another option, not C's label
    wrapped = bool(opened) and bool(close)
    terminal = _TERMINAL.match(seg, end) is not None
    if letter.islower() and not (wrapped or terminal or mode == "enclosed"):
        return None
    if named_text is None and not wrapped and _is_genus(seg, end, upper, options):
        return None
    if named_text is None and not (wrapped or terminal or mode == "enclosed"):
        if mode == "strict":
            commit_end = _COMMIT_END.match(seg, end)
            if commit_end is None:
                return None
            note = commit_end.group("note")
            if note and options.texts and named_option(note, options) not in (None, upper):
                return Reading("conflict", upper, commit_end.end()) if options.valid(upper) else None
            return _read_second(seg, end, upper, options)
        word = _WORD.match(seg, end)
        if (
            word
            and not close
            and upper in "AI"
            and word.group(1).isascii()
            and word.group(1).lower() not in _CONTINUATION
        ):
            return None  # "A 45-year-old", "I think" (but "A) Vancomicina oral" is the letter)
    if named_text is not None and named_text[0] != upper:
        return Reading("conflict", upper, named_text[1]) if options.valid(upper) else Reading("invalid", upper, end)
    return _read_second(seg, named_text[1] if named_text else end, upper, options)


def _read_second(seg: str, end: int, upper: str, options: OptionIndex) -> Reading:
    """The reading of letter ``upper`` ending at ``end``: a hedge when a second option follows."""
    second = _SECOND.match(seg, end) or _TRAILING_HEDGE.match(seg, end)
    if second and options.valid(second.group(1)) and second.group(1) != upper:
        return Reading("hedge", None, second.end())
    if not options.valid(upper):
        return Reading("invalid", upper, end)
    return Reading("commit", upper, end)


def _few_words(tagged: re.Match[str]) -> bool:
    """Whether the words before a tagged letter are a short answer of their own ("sí", "O neg"), not a longer
    name that is no option's text ("Right coronary artery (C)" for another question) or a function word."""
    found = tagged.group(0)[: tagged.start(1) - tagged.start() - 1].split()
    return 0 < len(found) <= 2 and not any(w.lower() in _FUNCTION_WORDS or not w.isalpha() for w in found)


_FUNCTION_WORDS = frozenset("is was be the a an it that this option choice letter answer".split())


def _is_genus(seg: str, end: int, letter: str, options: OptionIndex) -> bool:
    """Whether the letter ending at ``end`` abbreviates a genus named in the options
    ("E. coli" when an option is "Escherichia coli")."""
    m = _GENUS.match(seg, end)
    if m is None:
        return False
    species = m.group(1).lower()
    return any(text[:1] == letter.lower() and species in text.split()[1:] for text in options.texts.values())


def _named_option(options: OptionIndex, lowered: str, pos: int) -> tuple[str, int] | None:
    """The option whose text follows a letter ("C) Warfarin"), if any."""
    m = _TEXT_AFTER_LETTER.match(lowered, pos)
    return options.prefix_match(lowered, m.end()) if m else None


def _read_option_text(seg: str, pos: int, options: OptionIndex) -> Reading:
    """An option named by its text at ``pos`` ("the answer is heparin")."""
    lowered = seg.lower()
    found = options.prefix_match(lowered, pos)
    if found is None:
        phrase = _PHRASE.match(seg, pos)
        letter = named_option(phrase.group(0), options) if phrase else None
        tagged = _WORDS_THEN_LETTER.match(seg, pos)
        if (
            tagged is not None
            and options.valid(tagged.group(1))
            and letter in (None, tagged.group(1))
            and _few_words(tagged)
        ):
            return _read_second(seg, tagged.end(1) + 1, tagged.group(1), options)  # "sí (A)": words, then the letter
        return NOTHING if letter is None or phrase is None else Reading("commit", letter, phrase.end())
    letter, end = found
    m = _TEXT_AFTER_LETTER.match(lowered, end)
    rest = m.end() if m else end
    for alt in (" or ", "or ", "/", " and "):
        if lowered.startswith(alt, rest):
            other = options.prefix_match(lowered, _skip(lowered, rest + len(alt)))
            if other is not None and other[0] != letter:
                return Reading("hedge", None, other[1])
    return Reading("commit", letter, end)
