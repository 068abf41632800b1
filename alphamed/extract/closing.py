"""Short closing lines and sentences that commit to one option by its letter.

Outputs often end on a few words that no marker phrase lists. Two shapes are read here, each by one rule:

- :func:`closing_line` -- a label of the writer's own and a separator before the letter, a word of assent
  before it or of certainty after it: "Verdict — A", "Submit: E", "tl;dr: B", "ans = B", "Ok, B.",
  "D, final.", "Option J, final.". It reads a short sentence of the last line, the last one or one followed
  only by sentences that name no letter ("TL;DR — B (previa). Do not examine."), in this shape only::

      [label (at most 3 words) separator] LETTER [(note)] [, affirmation] [.!]

  and abstains when the label negates, hedges or looks back ("Not: A", "Maybe: B", "Initially: C",
  "Ruled out - D"), when the note names another option ("B (tertiary)" for a secondary-B item), or when
  the letter names no option. Any label is allowed unless it is one of those, so a new label needs no new
  rule; what cannot pass is a letter the line does not stand behind.
- :func:`closing_letter` -- a letter standing inside a short closing sentence, where a sentence names its
  choice: "Submitting A.", "I'm going B.", "Final choice (B).", "The most appropriate step is **A**.",
  "LMWH it is - option E.", "so it's B, angle closure.", "A (confidence: high)". It reads the sentence by
  its shape rather than by its words: the letter stands at the end of the sentence (maybe followed by a
  parenthesis or a few words after a comma), after the start of the sentence, punctuation, "option",
  "is", "it", a choice verb or an -ing verb, not after a noun that it would complete ("vitamin B",
  "hepatitis C"); it is the only option letter in a clause of at most :data:`MAX_WORDS` words; the
  sentence has no negation, comparison, hedge or question, names no other option's text, and is no row
  of a list (a walk through the options ends on a row, not a choice). A trailing aside in parentheses
  ("**Choose B.** (Bismuth therapy where resistance is high.)") is skipped. A letter right after a
  label's separator (":", "→", "=") is :func:`closing_line`'s alone: this rule does not read it, so a
  label that rule refuses ("Ruled out: C", "...also leave swer: B") is not read here either.

:func:`not_but` reads a first or last sentence that opens "Not X, but Y": Y, when X and Y name two
different options (by letter in parentheses or by their words).

>>> from alphamed.extract.options import OptionIndex
>>> idx = OptionIndex({"A": "Aspirin", "B": "Heparin", "C": "Warfarin"})
>>> closing_line("Clot on CT, no bleeding.\\nVerdict — B", idx, 0, 36)
('B', (25, 36))
>>> closing_line("Clot on CT, no bleeding.\\nRuled out: B", idx, 0, 37) is None
True
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

# closing_line: "[label sep] LETTER [(note)] [, affirmation]"

_CLOSING = re.compile(
    r"[ \t>#*_\-•]*(?:(?P<label>[A-Za-z][A-Za-z'/;&.\- ]{0,32}?)[ \t]*(?:\*\*|__)?[ \t]*"
    r"(?P<sep>[:=,]|[-–—]{1,2}|=>|->|→|⇒)[ \t]*)?"
    r"(?:\*\*|__)?[ \t]*(?:(?i:option|choice|letter)[ \t]+)?[(\[]?(?P<letter>[A-Z])[)\]]?[ \t]*(?:\*\*|__)?"
    r"(?:[ \t]*\((?P<note>[^()\n]{1,60})\))?"
    r"(?:[ \t]*[,—–\-][ \t]*(?P<affirm>final(?:[ \t]+answer)?|no[ \t]+doubt|for[ \t]+sure|definitely|locked(?:[ \t]+in)?"
    r"|confirmed|done|easy|obviously|certainly))?"
    r"[ \t]*[.!]*[ \t]*(?:\*\*|__)?[ \t]*"
)
_LINE_SENTENCE_END = re.compile(r"(?:(?<![\s(*>#_\-][A-Z])(?<!^[A-Z])\.|[!?])[ \t]+")
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
_LINE_READ = 320
"""Characters read back from the end: three short sentences at most."""
_ARTICLES = frozenset(("the", "a", "an"))
_GARBLED = re.compile(r".nswer|^nswer|answer.")
_HEDGED_NOTE = re.compile(r"\b(?:or|maybe|possibly|perhaps|probably\s+not|not|vs|versus|unsure|guess)\b", re.I)


def closing_line(text: str, options: OptionIndex, start: int, end: int) -> tuple[str, tuple[int, int]] | None:
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
    line_start = max(start, text.rfind("\n", max(start, body_end - _LINE_READ), body_end) + 1, body_end - _LINE_READ)
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
    cuts = [0] + [m.end() for m in _LINE_SENTENCE_END.finditer(line)]
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


# closing_letter: a letter standing where a short closing sentence names its choice

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
    if _LABEL_BEFORE.search(before_text):
        return False  # "label: B", "label → B": :func:`closing_line`'s shape, read (or refused) there
    if after is None:
        return not word and not before_text.strip(" \t*_([") and bool(_START_AFTER.match(sentence, found.end(1)))
    if not _TERMINAL.search(sentence):
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
