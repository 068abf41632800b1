"""A closing line that gives the letter in a few words of its own.

Outputs often end on a short line that is neither a known marker nor a bare letter: a label of
the writer's own and a separator ("Verdict — A", "Submit: E", "tl;dr: B", "ans = B"), a word of
assent before the letter ("Ok, B.", "A? yeah, A.") or of certainty after it ("D, final.",
"Option J, final."). The rule reads a short sentence of the last line, the last one or one followed
only by sentences that name no letter ("TL;DR — B (previa). Do not examine."), in this shape only::

    [label (at most 3 words) separator] LETTER [(note)] [, affirmation] [.!]

and abstains when the label negates, hedges or looks back ("Not: A", "Maybe: B", "Initially: C",
"Ruled out - D"), when the note names another option ("B (tertiary)" for a secondary-B item),
or when the letter names no option. Any label is allowed unless it is one of those, so a
new label needs no new rule; what cannot pass is a letter the line does not stand behind.

>>> from alphamed.extract.options import OptionIndex
>>> idx = OptionIndex({"A": "Aspirin", "B": "Heparin", "C": "Warfarin"})
>>> closing_letter("Clot on CT, no bleeding.\\nVerdict — B", idx, 0, 36)
('B', (25, 36))
>>> closing_letter("Clot on CT, no bleeding.\\nRuled out: B", idx, 0, 37) is None
True
"""

from __future__ import annotations

import re

from alphamed.extract.options import OptionIndex
from alphamed.extract.paraphrase import named_option

_CLOSING = re.compile(
    r"[ \t>#*_\-•]*(?:(?P<label>[A-Za-z][A-Za-z'/;&.\- ]{0,32}?)[ \t]*(?:\*\*|__)?[ \t]*"
    r"(?P<sep>[:=,]|[-–—]{1,2}|=>|->|→|⇒)[ \t]*)?"
    r"(?:\*\*|__)?[ \t]*(?:(?i:option|choice|letter)[ \t]+)?[(\[]?(?P<letter>[A-Z])[)\]]?[ \t]*(?:\*\*|__)?"
    r"(?:[ \t]*\((?P<note>[^()\n]{1,60})\))?"
    r"(?:[ \t]*[,—–\-][ \t]*(?P<affirm>final(?:[ \t]+answer)?|no[ \t]+doubt|for[ \t]+sure|definitely|locked(?:[ \t]+in)?"
    r"|confirmed|done|easy|obviously|certainly))?"
    r"[ \t]*[.!]*[ \t]*(?:\*\*|__)?[ \t]*"
)
_SENTENCE_END = re.compile(r"(?:(?<![\s(*>#_\-][A-Z])(?<!^[A-Z])\.|[!?])[ \t]+")
"""A sentence ends at a stop, but not after a letter opening a row ("D. Anemia of chronic disease")."""
_REFERS = re.compile(r"(?<![A-Za-z0-9])[A-Z](?![A-Za-z0-9]|-[A-Za-z0-9])")
"""A capital letter standing alone (after the closing phrase, any such letter makes the line unclear)."""
_LABEL_WORD = re.compile(r"[a-z']+")
_REFUSED = frozenset(
    """not no never nor neither either or maybe perhaps possibly might could unlikely wrong incorrect false
    excluded exclude excluding ruled rule eliminated eliminate eliminating rejected reject avoid contraindicated
    distractor distractors trap tempting initially originally first earlier previously before thought was were
    instead rather than vs versus except unlike besides if unless whether question q which what between
    alternative alternatives other others also second runner backup less least worst wait hmm hm consider
    considered considering ddx differential isn't wasn't don't doesn't nope against without
    is are be my your its
    type vitamin hepatitis group class plan grade stage phase hemophilia factor blood zone part step row item
    exhibit figure fig table panel image series box""".split()
)
"""Label words that do not commit ("Not: A", "Initially: C", "Ruled out - D") or that name a thing with a
letter ("Type: A", "Hepatitis - B")."""
_READ = 320
"""Characters read back from the end: three short sentences at most."""
_ARTICLES = frozenset(("the", "a", "an"))
_GARBLED = re.compile(r".nswer|^nswer|answer.")
_HEDGED_NOTE = re.compile(r"\b(?:or|maybe|possibly|perhaps|probably\s+not|not|vs|versus|unsure|guess)\b", re.I)


def closing_letter(text: str, options: OptionIndex, start: int, end: int) -> tuple[str, tuple[int, int]] | None:
    """The letter the last sentence of ``text[start:end]`` gives in the shape :data:`_CLOSING` reads.

    Args:
        text: the output.
        options: the question's options.
        start: window start.
        end: window end.

    Returns:
        ``(letter, span)`` or None.
    """
    body_end = end
    while body_end > start and text[body_end - 1].isspace():
        body_end -= 1
    line_start = max(start, text.rfind("\n", max(start, body_end - _READ), body_end) + 1, body_end - _READ)
    line = text[line_start:body_end]
    if _REFERS.search(line, max(0, len(line) - 100)) is None:
        return None  # no capital letter standing alone near the end: nothing this rule could read
    m = _closing_sentence(line, whole=line_start == start or text[line_start - 1] == "\n")
    if m is None:
        return None
    cut = m.start()
    letter = m.group("letter")
    if not options.valid(letter):
        return None
    label = (m.group("label") or "").lower()
    label_words = _LABEL_WORD.findall(label)
    if len(label_words) > 3 or any(word in _REFUSED for word in label_words):
        return None
    if label_words and (label_words[0] in _ARTICLES or any(_GARBLED.search(word) for word in label_words)):
        return None  # "The tempr: C", "reanswer: A": a sentence cut off or a marker glued to a word, not a label
    if label and options.texts and options.mentions(label):
        return None  # "Warfarin is my reanswer: B": a sentence about an option, not a label
    if m.group("sep") == "," and (
        len(label_words) > 2 or not (line.rstrip(" \t*_")[-1:] in ".!" or m.group("affirm"))
    ):
        return None  # "In short, whatever the labs say, B" is a clause; "Still, I" a sentence cut off
    note = m.group("note")
    if note is not None:
        if _HEDGED_NOTE.search(note):
            return None
        named = named_option(note, options) if options.texts else None
        if named is not None and named != letter:
            return None  # the note names another option: letter and text disagree
    if not (m.group("label") or note or m.group("affirm")) and cut == 0 and m.end() == len(line):
        return None  # a bare letter line: :func:`~alphamed.extract.fallback.bare_line` reads it
    return letter, (line_start + cut, body_end)


def _closing_sentence(line: str, whole: bool) -> re.Match[str] | None:
    """The match of :data:`_CLOSING` on one of the last three sentences of ``line`` (each short), the
    sentences after it naming no letter; ``whole`` is False when ``line`` is the end of a longer line (its
    first piece is then no sentence)."""
    cuts = [0] + [m.end() for m in _SENTENCE_END.finditer(line)]
    for i in range(len(cuts) - 1, max(-1 if whole else 0, len(cuts) - 4), -1):
        stop = cuts[i + 1] if i + 1 < len(cuts) else len(line)
        if stop - cuts[i] > 80:
            return None  # a sentence, not a closing phrase
        if _REFERS.search(line, cuts[i], stop) is None:
            continue  # no capital letter standing alone: not the closing phrase (the regex below is the costly part)
        m = _CLOSING.fullmatch(line[:stop].rstrip(), cuts[i])
        if m is not None:
            return None if stop < len(line) and _REFERS.search(line, stop) else m
    return None
