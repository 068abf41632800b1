"""Weaker evidence, used only when an output has no final-answer marker.

- :func:`bare_line`: the output's first or last line is just an answer ("C", "(C)",
  "**C. Warfarin**"), or its first sentence is exactly an option text ("No. The trial...").
- :func:`concluding_option`: the concluding sentence names exactly one option by its text,
  not negated ("rules out X", "X is unlikely"), not hedged, and the output is not cut off.

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
# A dot between digits ("4.5 hours") or after a genus initial ("E. coli") is inside a sentence: no sentence
# starts or ends there.
_SENTENCE = re.compile(
    r"(?<![^.!?\n。])(?!(?<=\.)[0-9])[^.!?\n。]+"
    r"(?:(?:(?<=[0-9])\.(?=[0-9])|(?<=[^A-Za-z][A-Z])\.(?=[ \t][a-z]{3}))[^.!?\n。]*)*(?:[.!?。]+(?=\s|$)|\n|$)"
)
_TAIL = 700
_LABEL_LINE = re.compile(
    r"[ \t>#*_\-]*([A-Za-z][A-Za-z' ]{0,40}?)[ \t]*(?:\*\*|__)?[ \t]*(?::|→|->|=>|[ \t][-–—](?=[ \t]))[ \t]*(?:\*\*|__)?[ \t]*"
    r"([^\n]{2,160}?)[ \t.]*(?:\*\*|__)?[ \t]*"
)
_COMPLEMENT = re.compile(
    r"\b(?:is|are|was)[ \t]+(?:an?[ \t]+|the[ \t]+)?([^,;:()]{2,40}?)[ \t]*(?:[,;(]|[.!]*[ \t]*$)"
)
"""What the last copula of a sentence names, up to a comma or the end."""
_REJECTS_NEXT = re.compile(
    r"[*_ \t]*(?:[.:,]|[ \t][-–—])?[ \t]*(?:is[ \t]+|are[ \t]+)?(?:not|no|unlikely|incorrect|wrong|less[ \t]+likely"
    r"|ruled[ \t]+out|excluded)\b",
    re.IGNORECASE,
)
_EQUATED = re.compile(r"[ \t]=[ \t]*([^=,;:()]{2,40}?)[ \t]*[.!]*[ \t]*$")
"""Findings equated with a name at the end of a sentence: the conclusion."""
_HEAD_CLAUSE = re.compile(r"[^(,;:\s]+(?:[ \t]+(?!\d)[^(,;:\s]+)*")
_INNER_STOP = re.compile(r"[.!?:][ \t]")
"""The name a label's value opens with, before a note, a comma or a dose ("epinephrine IM 0.5 mg": a number)."""
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
_LETTER_WORD = re.compile(r"(?<![A-Za-z0-9])[A-J](?![A-Za-z0-9]|-[A-Za-z0-9]|\.[ \t]?[a-z]{3})")
"""A letter standing as a word: not "C-peptide", "X-linked" or the genus of "E. coli"."""
_NAME_HEAD = re.compile(
    r"\b(?:vitamins?|hepatitis|hep|type|group|factor|class|grade|stage|phase|h(?:a)?emophilia|protein|plan|zone"
    r"|schedule|cluster|immunoglobulin|ig|blood|antigens?|strep)[ \t]+$",
    re.IGNORECASE,
)
"""Words a letter completes as a name ("vitamin D", "hemophilia A", "type A blood"): that letter is no option."""
_TAG_AFTER = re.compile(r"[ \t]*(?:\*\*|__)?[ \t]*\(([A-Z])\)")
_END_TAG = re.compile(
    r"(?:\(([A-Z])\)|\b(?:option|choice|answer|letter)[ \t]+\(?([A-Z])\)?)[ \t*_]*[.!]*[ \t*_]*$", re.IGNORECASE
)
"""A sentence ending on its letter: "... resolved with immunity (C)." (the words before the tag name it too),
"... secretion — answer A."."""
_CLAUSE_BREAK = re.compile(r"[:;][ \t]|[ \t][—–][ \t]")
_HEDGED = re.compile(
    r"\b(?:either|unsure|not\s+sure|uncertain|unclear|cannot|can't|could\s+be|might\s+be|may\s+be|possibly|perhaps"
    r"|difficult\s+to|hard\s+to|impossible\s+to|don't\s+know|do\s+not\s+know|unable|consult)\b"
)
_CUE = re.compile(
    r"\b(?:most\s+likely|likely|likeliest|probabl|diagnos|therefore|thus|hence|so|consistent|compatible|points?\s+to"
    r"|pointing|indicat|suggest|conclu|answer|choose|choice|select|best|correct|appropriate|first[- ]line|confirm"
    r"|explain|responsible|caused|cause|treat|manage|recommend|should|fits?|characteristic|classic|typical"
    r"|pathognomonic|in\s+summary|overall|go\s+with|yes|no|maybe|this\s+is|it\s+is|it's|lean|prefer|favou?r"
    r"|next\s+(?:best\s+)?(?:step|move))"
)
_COPULA_BEFORE = re.compile(r"(?:\b(?:is|are|was|be|means|implies|indicates|shows)\s+(?:the\s+|an?\s+)?|\s=\s*)$")
_NEG_BEFORE = re.compile(
    r"\b(?:not|no|unlikely|rules?\s+out|ruled\s+out|ruling\s+out|excludes?|excluded|excluding|rather\s+than"
    r"|instead\s+of|less\s+likely|other\s+than|than|against|without|nor|neither|isn't|wasn't|doesn't|don't"
    r"|except|besides|unlike|although|though|despite|while|whereas)\b[^,;:]{0,40}$"
)
_NEG_AFTER = re.compile(
    r"^[^,;:]{0,30}?\b(?:is|are|was|seems|appears)\s+(?:also\s+|much\s+)?(?:unlikely|less\s+likely|excluded"
    r"|ruled\s+out|incorrect|wrong|not|inconsistent|implausible|tempting)\b"
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
    if sentence and _REJECTS_NEXT.match(window, sentence.end(1)):
        sentence = None  # "**Club cells**: not the answer here": an option named to be rejected
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


def _only_listing(window: str) -> bool:
    """Whether ``window`` is only option lines, one per paragraph ("A. x\n\nB. y\n\nC. z"): no line of it
    stands out as an answer."""
    lines = [line for line in window.splitlines() if line.strip()]
    if len(lines) < 2 or len(_LIST_LINE.findall(window)) != len(lines):
        return False
    return all(paragraph.strip().count("\n") == 0 for paragraph in _BLANK_LINE.split(window))


def _labeled_line(line: str, options: OptionIndex) -> str | None:
    """The option a closing "label: option" line names ("Culprit: the RCA", "Bottom line → low potassium")."""
    m = _LABEL_LINE.fullmatch(line)
    if m is None or not options.texts or len(m.group(1).split()) > 4 or len(m.group(1).strip()) < 2:
        return None
    if m.group(1).strip().lower() in _EXPLANATION_LABELS:
        return None  # "Explanation: ... glucagon is for beta blockers": a reason, not an answer
    if "?" in line or _NEGATION_ANYWHERE.search(line.lower()):
        return None  # "Not A: prednisone does not fit", "Which is correct: A, B or C?"
    phrase = m.group(2)
    norm = normalize_text(phrase)
    for letter, option_text in options.texts.items():
        if norm == option_text:
            return letter
    named = named_option(phrase, options, loose=True)
    head = _HEAD_CLAUSE.match(phrase)
    if named is None and head and head.end() < len(phrase) and not _INNER_STOP.search(phrase):  # "T1DM (autoimmune)"
        named = named_option(head.group(0), options, loose=True)
    return named


def _last_sentence_letter(line: str, options: OptionIndex) -> str | None:
    """A letter standing alone as the last sentence of the last line ("Easy one. B.")."""
    m = _LAST_SENTENCE.search(line)
    if m is None:
        return None
    bare = _BARE.fullmatch(m.group(1))
    return bare.group(1) if bare and not bare.group(2) and options.valid(bare.group(1)) else None


def _is_option_row(tail: str, at: int) -> bool:
    """Whether the line of ``tail`` holding offset ``at`` is a row of an options list ("- C. text ...")."""
    line_start = tail.rfind("\n", 0, at) + 1
    return _LIST_LINE.match(tail, line_start) is not None


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
    for m in reversed(sentences[-4:]):
        sentence = m.group(0)
        lowered = sentence.lower()
        if len(lowered) != len(sentence):
            lowered = sentence  # exotic case mapping: keep offsets exact, match case-sensitively
        mentions = options.mentions(lowered)
        refs = _letter_refs(sentence, options)
        if len(refs) > 1:
            tagged = _clause_tag(sentence, options) if m is sentences[-1] else None
            if tagged is None:
                return None  # "A or maybe C, but A": a sentence about letters; its words ("maybe") are no option text
            return tagged[0], (tail_start + m.start() + tagged[1], tail_start + m.end())
        if _is_option_row(tail, m.start()):
            continue  # a row of an options list ("- D: Refer ... - unlikely") concludes nothing
        if any(_disagrees(sentence, s, e, letter) for s, e, letter in mentions):
            return None  # "the antidote is fomepizole (A)" when fomepizole is B: letter and text disagree
        if m is not sentences[-1] and any(_TAG_AFTER.match(sentence, e) for _, e, _ in mentions):
            return None  # "Vitamin D (I) causes rickets. J is wrong ...": a walk through the options
        if not mentions and refs and m is sentences[-1]:
            tagged = _clause_tag(sentence, options)
            if tagged is not None and tagged[0] in refs:
                return tagged[0], (tail_start + m.start() + tagged[1], tail_start + m.end())
        if not mentions:
            last = m is sentences[-1]
            named = _named_in_words(sentence, lowered, options) if last or _ANSWER_TAIL.search(sentence) else None
            if named is not None:
                return named, (tail_start + m.start(), tail_start + m.end())
            if last and _explicit(sentence):
                return None  # an explicit conclusion ("So the best choice here is ...") that names nothing we read
            continue
        return _decide_sentence(lowered, mentions, tail_start + m.start())
    return None


def _letter_refs(sentence: str, options: OptionIndex) -> set[str]:
    """The option letters ``sentence`` refers to as words (not "vitamin D", "C-peptide", "E. coli")."""
    return {
        x.group(0)
        for x in _LETTER_WORD.finditer(sentence)
        if options.valid(x.group(0))
        and not (
            sentence[x.start() - 1 : x.start()] == " "
            and _NAME_HEAD.search(sentence, max(0, x.start() - 16), x.start())
        )
    }


def _disagrees(sentence: str, start: int, end: int, letter: str) -> bool:
    """Whether an option's text at ``sentence[start:end]`` is tagged with another letter ("fomepizole (A)")."""
    tag = _TAG_AFTER.match(sentence, end)
    return tag is not None and tag.group(1) != letter


def _clause_tag(sentence: str, options: OptionIndex) -> tuple[str, int] | None:
    """The letter a concluding sentence (or its last clause, after a colon, semicolon or dash) ends on, when that
    clause refers to no other letter, names no other option and neither hedges nor negates.

    Returns:
        ``(letter, offset of the clause)`` or None.
    """
    start = 0
    for brk in _CLAUSE_BREAK.finditer(sentence):
        start = brk.end()
    for begin in dict.fromkeys((start, 0)):
        clause = sentence[begin:]
        tag = _END_TAG.search(clause)
        if tag is None:
            continue
        letter = tag.group(1) or tag.group(2)
        lowered = clause.lower()
        if _letter_refs(clause, options) != {letter} or _HEDGED.search(lowered) or _NEGATION_ANYWHERE.search(lowered):
            continue
        if not _CUE.search(lowered) or any(x[2] != letter for x in options.mentions(lowered)):
            continue
        if tag.group(1) and named_option(" ".join(clause[: tag.start()].split()[-8:]), options) != letter:
            continue  # "(C)" confirms the words before it only when they name C too
        return letter, begin
    return None


def _named_in_words(sentence: str, lowered: str, options: OptionIndex) -> str | None:
    """The option a short concluding sentence names in other words ("So the best choice here is IV artesunate.")."""
    if _HEDGED.search(lowered) or _NEGATION_ANYWHERE.search(lowered):
        return None
    equated = _EQUATED.search(sentence)
    if equated is not None:  # "Low C-peptide, GAD65 antibodies and DKA in a lean child = T1DM."
        return named_option(equated.group(1), options, max_words=4)
    if not _CUE.search(lowered) and not _explicit(sentence):
        return None
    named = named_option(_ANSWER_TAIL.sub("", _LEAD_IN.sub("", sentence)), options, max_words=8, superset=True)
    complement = _COMPLEMENT.search(sentence) if named is None else None
    if complement is not None:  # "...: the likely organism is E. coli, by far the commonest."
        named = named_option(complement.group(1), options, max_words=4, superset=True)
    return named


def _explicit(sentence: str) -> bool:
    """Whether ``sentence`` opens with an explicit conclusion ("So the best choice here is", "I'd go with")."""
    lead_in = _LEAD_IN.match(sentence)
    return lead_in is not None and lead_in.group("explicit") is not None


def _decide_sentence(
    lowered: str, mentions: list[tuple[int, int, str]], offset: int
) -> tuple[str, tuple[int, int]] | None:
    """The single option a concluding sentence commits to, if any."""
    if _HEDGED.search(lowered):
        return None
    kept = [
        (s, e, letter)
        for s, e, letter in mentions
        if not _NEG_BEFORE.search(lowered, 0, s) and not _NEG_AFTER.search(lowered[e:])
    ]
    letters = {letter for _, _, letter in kept}
    if len(letters) != 1:
        return None
    s, e, letter = min(kept)
    if not _CUE.search(lowered) and not _COPULA_BEFORE.search(lowered, 0, s) and not _explicit(lowered):
        return None
    return letter, (offset + s, offset + e)
