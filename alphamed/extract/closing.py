"""A short closing sentence that commits to one option by its letter.

The last sentence of an output often commits in a few words that no marker phrase lists: "Submitting A.",
"I'm going B.", "Final choice (B).", "The most appropriate step is **A**.", "LMWH it is - option E.",
"so it's B, angle closure.", "A (confidence: high)". :func:`closing_letter` reads such a sentence by its
shape rather than by its words:

- the letter stands where a choice is named: at the end of the sentence (maybe followed by a parenthesis
  or a few words after a comma), after the start of the sentence, punctuation, "option", "is", "it",
  a choice verb or an -ing verb; not after a noun that it would complete ("vitamin B", "hepatitis C");
- it is the only option letter in the sentence, in a clause of at most :data:`MAX_WORDS` words;
- the sentence has no negation, comparison, hedge or question, names no other option's text, and is
  no row of a list (a walk through the options ends on a row, not a choice).

A trailing aside in parentheses ("**Choose B.** (Bismuth therapy where resistance is high.)") is skipped.

:func:`not_but` reads a first or last sentence that opens "Not X, but Y": Y, when X and Y name two
different options (by letter in parentheses or by their words).

>>> from alphamed.extract.options import OptionIndex
>>> idx = OptionIndex({"A": "Aspirin", "B": "Heparin", "C": "Warfarin"})
>>> text = "A mechanical valve needs long-term cover. Submitting C."
>>> closing_letter(text, idx, 0, len(text))
('C', (53, 54))
>>> text = "Heparin acts faster than C."
>>> closing_letter(text, idx, 0, len(text)) is None
True
"""

from __future__ import annotations

import re

from alphamed.extract.options import OptionIndex
from alphamed.extract.paraphrase import named_option

MAX_WORDS = 10
"""The clause that holds the letter has at most this many words."""
_TAIL = 400
_LETTER = re.compile(r"(?<![A-Za-z0-9'’\-/.])([A-Z])(?![A-Za-z0-9'’\-/]|\.[A-Za-z0-9])")
_PRONOUN_OR_ARTICLE = re.compile(r"[AI](?:['’]|[ \t]+[a-z0-9])")
"""'I think', "I'm", 'A patient': the pronoun and the article, not options A and I."""
_AFTER = re.compile(
    r"(?:\*\*|__|[)\]])*[ \t]*(?:\([^()\n]{1,40}\))?[ \t]*(?:,[ \t]*(?P<words>[A-Za-z][\w' \-]{0,30}))?"
    r"[ \t]*(?:\*\*|__)?[ \t]*[.!]*[ \t]*(?:\*\*|__)?[ \t]*\Z"
)
"""What may follow the letter to the end of the sentence: a closing bracket, a parenthesis, ", a few words"."""
_START_AFTER = re.compile(r"[ \t]+(?:is[ \t]+the[ \t]+one|it[ \t]+is)[ \t]*[.!]*[ \t]*\Z", re.IGNORECASE)
"""'B is the one.', 'B it is.': the letter opening a sentence that only says it is the choice."""
_BEFORE_WORDS = frozenset(
    "option choice letter answer is it it's that's be choose select pick take say mark circle submit vote bet put "
    "write tick click bubble commit go with".split()
)
"""Words after which a letter names a choice ("option C", "it's B", "go with A"), besides -ing verbs ("Submitting A")."""
_BEFORE = re.compile(r"(?:^|[^\w'’]|\b([A-Za-z'’]+))[ \t]*(?:\*\*|__|[(\[])*[ \t]*\Z")
_NEGATION_OR_DOUBT = re.compile(
    r"\b(?:not|no|never|none|neither|nor|without|avoid|wrong|incorrect|unlikely|except|than|unlike|versus|vs"
    r"|rather|instead|maybe|perhaps|possibly|either|or|unsure|uncertain|if|whether|unless|might|could|torn"
    r"|between|guess|hope|similar|compared?|like|rules?\s+out|ruled|exclud\w*|eliminat\w*|reject\w*|least|distractor"
    r"|trap|tempting)\b|n't\b|\?",
    re.IGNORECASE,
)
_GLUED_ANSWER = re.compile(r"[A-Za-z]answer", re.IGNORECASE)
"""'reanswer: C': a marker glued to a word is no marker (:func:`~alphamed.extract.markers.word_before`), nor a label."""
_TERMINAL = re.compile(r"[.!)\]*_][ \t]*\Z")
_LABEL_BEFORE = re.compile(r"[:→=][ \t*_]*\Z")
_ROW = re.compile(r"[ \t>]*(?:[-*+•][ \t]|\d{1,2}[.)][ \t]|(?:\*\*)?[(\[]?[A-Z][)\].:](?:[ \t]|$))")
_SENTENCE_END = re.compile(r"(?<![0-9])[.!?]+(?:\*\*|__)?[ \t]+(?=\S)|\n")
_CLAUSE_END = re.compile(r"[;:][ \t]|[ \t][—–-][ \t]")
_ASIDE = re.compile(r"(?:^|(?<=[.!*_\n])|(?<=[.!][ \t]))[ \t]*\([^()]{1,200}\)[ \t]*\Z")


def closing_letter(text: str, options: OptionIndex, start: int, end: int) -> tuple[str, tuple[int, int]] | None:
    """The option letter the last sentence of ``text[start:end]`` commits to, or None.

    Args:
        text: the output.
        options: the question's options.
        start: window start.
        end: window end.

    Returns:
        ``(letter, span)`` with the span of the letter, or None.
    """
    tail_start = max(start, end - _TAIL)
    tail = text[tail_start:end].rstrip()
    aside = _ASIDE.search(tail) if tail.endswith(")") else None  # the regex tries every position: gate it
    if aside is not None and aside.start() > 0:
        tail = tail[: aside.start()].rstrip()
    line_start = tail.rfind("\n") + 1
    line = tail[line_start:]
    if not line or _ROW.match(line):
        return None  # a row of a list ("- Warfarin (C)"), maybe of a walk through the options cut off
    sentence_start = 0
    for m in _SENTENCE_END.finditer(line):
        if m.end() < len(line):
            sentence_start = m.end()
    sentence = line[sentence_start:]
    found = _only_letter(sentence, options)
    if found is None or _NEGATION_OR_DOUBT.search(sentence) or _GLUED_ANSWER.search(sentence):
        return None
    at = found.start(1)
    clause_start = 0
    for m in _CLAUSE_END.finditer(sentence, 0, at):
        clause_start = m.end()
    if len(sentence[clause_start:].split()) > MAX_WORDS:
        return None
    letter = found.group(1)
    if not _stands_as_choice(sentence, clause_start, found, options):
        return None
    mentioned = {x[2] for x in options.mentions(sentence.lower())} if options.texts else set()
    if mentioned - {letter}:
        return None  # "Warfarin, so C": a letter and another option's text
    offset = tail_start + line_start + sentence_start
    return letter, (offset + at, offset + found.end(1))


def _only_letter(sentence: str, options: OptionIndex) -> re.Match[str] | None:
    """The one option letter standing as a token in ``sentence`` (outside option texts), or None."""
    spans = [(s, e) for s, e, _ in options.mentions(sentence.lower())] if options.texts else []
    found = None
    for m in _LETTER.finditer(sentence):
        if not options.valid(m.group(1)) or _PRONOUN_OR_ARTICLE.match(sentence, m.start(1)):
            continue
        if m.group(1) == "I" and "I" not in options.letters:
            continue  # without options, "Still, I" is the pronoun
        if any(s <= m.start(1) < e for s, e in spans):
            continue  # "vitamin A": a letter inside an option's text
        if found is not None and found.group(1) != m.group(1):
            return None
        found = found or m
    return found


def _stands_as_choice(sentence: str, clause_start: int, found: re.Match[str], options: OptionIndex) -> bool:
    """Whether the letter in ``found`` stands where a sentence names its choice."""
    after = _AFTER.match(sentence, found.end(1))
    before_text = sentence[clause_start : found.start(1)]
    before = _BEFORE.search(before_text)
    if before is None:
        return False
    word = (before.group(1) or "").lower()
    if word and word not in _BEFORE_WORDS and not (word.endswith("ing") and len(word) > 4):
        return False  # "vitamin B", "hepatitis C": the letter completes a name
    if after is None:
        return not word and not before_text.strip(" \t*_([") and bool(_START_AFTER.match(sentence, found.end(1)))
    if not _TERMINAL.search(sentence) and not _LABEL_BEFORE.search(before_text):
        return False  # "...and my first instinct is E, hypo": cut off
    words = after.group("words")
    if words:
        if len(words.split()) > 3:
            return False
        named = named_option(words, options)
        if named is not None and (named != found.group(1) or word in ("", "option", "choice", "letter")):
            return False  # "Option B, mycoplasma pneumoniae.": a row naming option B, not a choice
    return True


_NOT_BUT = re.compile(
    r"[ \t>*_]*(?:it(?:'s|[ \t]+is)[ \t]+)?not[ \t]+(?P<negated>[^,;:.!?\n]{1,80}?)[ \t]*,?[ \t]+but[ \t]+"
    r"(?P<kept>[^,;:.!?\n]{1,80})",
    re.IGNORECASE,
)
_OWN_LETTER = re.compile(r"\((?:option[ \t]+)?([A-Z])\)")


def not_but(text: str, options: OptionIndex, start: int, end: int) -> tuple[str, tuple[int, int]] | None:
    """The option a first or last sentence "Not X (E), but Y (A): ..." commits to (Y), or None.

    Returns:
        ``(letter, span)`` of Y, or None.
    """
    body = start + len(text[start:end]) - len(text[start:end].lstrip())
    tail = text[max(body, end - _TAIL) : end].rstrip()
    if not (_has_but(tail) or _has_but(text[body : min(end, body + 200)])):
        return None  # cheap: no "but", no "Not X, but Y" (the regexes below try every position)
    last = tail_start = max(body, end - _TAIL)
    for m in _SENTENCE_END.finditer(tail):
        if m.end() < len(tail):
            last = tail_start + m.end()
    for at in dict.fromkeys((body, last)):
        m = _NOT_BUT.match(text, at, end)
        if m is None:
            continue
        negated, kept = _named_by(m.group("negated"), options), _named_by(m.group("kept"), options)
        if kept is not None and negated != kept and not _NEGATION_OR_DOUBT.search(m.group("kept")):
            return kept, m.span("kept")
    return None


def _has_but(text: str) -> bool:
    return "but" in text or "But" in text or "BUT" in text


def _named_by(phrase: str, options: OptionIndex) -> str | None:
    """The option a phrase names by its own letter in parentheses and its words (which must agree)."""
    letters = {x for x in _OWN_LETTER.findall(phrase) if options.valid(x)}
    named = named_option(_OWN_LETTER.sub(" ", phrase), options) if options.texts else None
    if len(letters) > 1 or (letters and named is not None and named not in letters):
        return None
    return named if not letters else next(iter(letters))
