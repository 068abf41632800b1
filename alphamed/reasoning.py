"""Reasoning split: separate a model's reasoning trace from its answer.

Rules, applied to the output with leading whitespace ignored:

1. **Think tags.** Output that starts with ``<think>``: reasoning is everything up to the first
   ``</think>``, content everything after it. Without a ``</think>`` (the model is still
   thinking, or was cut off) everything is reasoning.
2. **HuatuoGPT headers.** Output that starts with ``## Thinking``: reasoning up to the first
   ``## Final Response``, content after it (headers dropped); without it, all reasoning.
3. **Anything else** (free text):

   a. if ``</think>`` occurs (the chat template opened the tag, so the output begins inside
      thinking): reasoning before the first ``</think>``, content after it;
   b. else, if a *final-answer sentence* occurs: reasoning is everything before the first one,
      content is that sentence and everything after it. A final-answer sentence starts at the
      beginning of the output, of a line, or of a sentence (after ``.``, ``!``, ``?`` or ``:``
      and 1-16 spaces or tabs; a line may be indented by up to 16), with optional markdown (``#``, ``*``, ``_``, ``>``), an optional connective
      (Therefore, Thus, Hence, So, Finally, Overall, In conclusion, In summary, with an optional
      comma), an optional "the", then "final answer" (any case, 1-3 spaces between words) not
      followed by a letter. This is how the released AlphaMed models end:
      ``...The final answer is: $\\boxed{C}$``;
   c. else: all content (``untagged="content"``, the default: a model that answered directly,
      "C" or "Answer: C", keeps its answer in the content), or all reasoning
      (``untagged="reasoning"``: for models that always reason in free text, such as the released
      AlphaMed checkpoints; only this setting lets a stream show free-text reasoning as it comes,
      since with the default nothing tells free text apart from a direct answer until a
      ``</think>`` or a final-answer sentence arrives).

Style ``"final-answer"`` (AlphaMed's free text; what ``alphamed serve`` streams with) changes one
thing in 3: the *first* of ``</think>`` and a final-answer sentence ends the reasoning, so content
can stream from the final-answer sentence on (with the default style ``"auto"`` a later
``</think>`` would still make it reasoning, so a stream must hold it until the output ends).

Both parts are stripped of surrounding whitespace. :class:`ReasoningSplitter` produces the same
split incrementally: concatenating its outputs equals :func:`split_reasoning` of the whole text,
however the text is chunked.

>>> split_reasoning("<think>hmm</think>The answer is B.")
('hmm', 'The answer is B.')
>>> split_reasoning("Folate is normal, B12 is low.\\nThe final answer is: $\\\\boxed{C}$")
('Folate is normal, B12 is low.', 'The final answer is: $\\\\boxed{C}$')
>>> split_reasoning("## Thinking\\nB12 is low.\\n## Final Response\\nPernicious anemia (C).")
('B12 is low.', 'Pernicious anemia (C).')
>>> split_reasoning("still thinking</think>C")
('still thinking', 'C')
"""

from __future__ import annotations

import re
from typing import Literal

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"
HUATUO_OPEN = "## Thinking"
HUATUO_CLOSE = "## Final Response"
Untagged = Literal["reasoning", "content"]
Style = Literal["auto", "final-answer"]

_MARKDOWN = "#*_>"
_CONNECTIVES = ("therefore", "thus", "hence", "so", "finally", "overall", "in conclusion", "in summary")
_SENTENCE_ENDS = ".!?:"
_FIRST_LETTERS = frozenset(w[0] for w in (*_CONNECTIVES, "the", "final"))
_MAX_OPENER = 64  # no final-answer opener is longer than this
_MAX_INDENT = 16  # spaces or tabs allowed between a sentence end or newline and the next sentence
_RECENT = 256  # look-back a stream keeps (>= _MAX_OPENER + _MAX_INDENT + the "final answer" core)
_FINAL = re.compile("final", re.IGNORECASE)
_FULL, _PARTIAL, _NO = 2, 1, 0


def split_reasoning(text: str, *, untagged: Untagged = "content", style: Style = "auto") -> tuple[str, str]:
    """Split ``text`` into ``(reasoning, content)`` by the rules in this module's docstring.

    Args:
        text: a model output.
        untagged: where free text without any marker goes.
        style: ``auto`` or ``final-answer`` (the first marker in free text ends the reasoning).

    Returns:
        ``(reasoning, content)``, both stripped.

    >>> split_reasoning("<think>unfinished")
    ('unfinished', '')
    >>> split_reasoning("C. Warfarin")
    ('', 'C. Warfarin')
    >>> split_reasoning("B12 is low, so", untagged="reasoning")
    ('B12 is low, so', '')
    """
    splitter = ReasoningSplitter(untagged=untagged, style=style)
    r1, c1 = splitter.feed(text if isinstance(text, str) else "")
    r2, c2 = splitter.finish()
    return r1 + r2, c1 + c2


def answer_region(text: str | None, *, reasoning: str | None = None) -> str:
    """The part of an output that answer extraction reads: the one definition of "what is graded".

    Rewards, ``alphamed serve`` and the client all call this, so they cannot drift apart.

    On a whole output (``reasoning`` None): the content when the split found one; nothing when
    the output stopped inside tagged reasoning (``<think>``, ``</think>`` or ``## Thinking``
    without an answer after it: the model has not committed); the whole output when it is free
    text with no reasoning marker at all (a model that answered directly, e.g. ``"C"``).

    On an output an engine's reasoning parser already split (``reasoning`` given, ``text`` the
    content it left): that content when there is any (the parser found the end of reasoning,
    as the rules above would). Otherwise the parser found no end of reasoning and its
    "reasoning" is the whole output (less a ``<think>`` it may have dropped): the region is its
    final-answer sentence and what follows, if it has one, else nothing (a letter only mentioned
    in reasoning is no commitment). That is how an AlphaMed output, free text that never writes
    ``</think>``, keeps its answer when vLLM's or SGLang's ``deepseek_r1`` parser puts all of it
    in reasoning.

    Args:
        text: a model output, or the content an engine's parser left.
        reasoning: the reasoning an engine's parser split off (None: ``text`` is the whole output).

    Returns:
        The text to pass to :func:`alphamed.extract.extract_answer`.

    >>> answer_region("Because X.\\nThe final answer is C")
    'The final answer is C'
    >>> answer_region("<think>B12 is low and"), answer_region("Answer: C")
    ('', 'Answer: C')
    >>> answer_region("", reasoning="B12 is low. The final answer is: C")
    'The final answer is: C'
    >>> answer_region("", reasoning="Maybe C? B12 is low")
    ''
    """
    if reasoning is not None:  # an engine split it; ``text`` is its content (None: it left none)
        content = text.strip() if isinstance(text, str) else ""
        if content or not isinstance(reasoning, str):
            return content
        return split_reasoning(reasoning, untagged="reasoning")[1]
    if not isinstance(text, str):
        return ""
    _, content = split_reasoning(text)
    if content:
        return content
    s = text.lstrip()
    if s.startswith((THINK_OPEN, HUATUO_OPEN)) or THINK_CLOSE in s:
        return ""
    return s.strip()


class _Stripped:
    """One output channel that emits its text with surrounding whitespace removed."""

    __slots__ = ("started", "pending")

    def __init__(self) -> None:
        self.started = False
        self.pending: list[str] = []  # whitespace held back: kept only if more text follows

    def push(self, s: str) -> str:
        if not s:
            return ""
        if not self.started:
            s = s.lstrip()
            if not s:
                return ""
            self.started = True
        body = s.rstrip()
        if not body:
            self.pending.append(s)
            return ""
        out = "".join(self.pending) + body
        self.pending = [s[len(body):]]
        return out


class _Pending:
    """Free text received but not yet assigned to a channel (appends are O(1))."""

    __slots__ = ("parts", "start")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.start = 0  # absolute offset of the first pending character

    def take(self, end: int) -> str:
        """Remove and return the pending text up to absolute offset ``end``."""
        text = "".join(self.parts)
        cut = max(0, end - self.start)
        self.parts = [text[cut:]] if cut < len(text) else []
        self.start += cut
        return text[:cut]


class ReasoningSplitter:
    """Incremental :func:`split_reasoning` for streams.

    Reasoning is emitted as soon as it is safe: only a possible partial tag at the end of what
    has arrived, trailing whitespace, and text from a line or sentence start that could still
    become a final-answer sentence are held back. In free text with the ``auto`` style, content
    from a final-answer sentence on is held until the end of the stream (a later ``</think>``
    would make it reasoning); with ``final-answer`` it streams as it comes. Work per chunk is
    proportional to the chunk (plus a bounded look-back).

    Args:
        untagged: where free text without any marker goes (see :func:`split_reasoning`).
        style: ``auto`` or ``final-answer`` (see :func:`split_reasoning`).

    >>> s = ReasoningSplitter()
    >>> s.feed("<think>B12 is lo"), s.feed("w.</th"), s.feed("ink>C"), s.finish()
    (('B12 is lo', ''), ('w.', ''), ('', 'C'), ('', ''))
    """

    def __init__(self, *, untagged: Untagged = "content", style: Style = "auto") -> None:
        self._untagged = untagged
        self._first_marker = style == "final-answer"
        self._mode = "lead"
        self._buf = ""  # lead / tagged modes: text not yet assigned (bounded by a tag's length)
        self._reasoning = _Stripped()
        self._content = _Stripped()
        self._pending = _Pending()  # free mode: unassigned text
        self._recent = ""  # free mode: the last _RECENT characters, for look-back
        self._total = 0  # free mode: characters of free text so far
        self._final_at = -1  # free mode: absolute start of the first final-answer sentence
        self._opener_from = 0  # free mode: where the next search for "final" starts
        self._finished = False

    def feed(self, delta: str) -> tuple[str, str]:
        """Consume a chunk.

        Args:
            delta: the next piece of the output (any split, even inside a tag).

        Returns:
            ``(reasoning_delta, content_delta)``.
        """
        if self._finished or not isinstance(delta, str) or not delta:
            return "", ""
        return self._step(delta, at_end=False)

    def finish(self) -> tuple[str, str]:
        """Flush what is left at the end of the stream.

        Returns:
            ``(reasoning_delta, content_delta)``.
        """
        if self._finished:
            return "", ""
        out = self._step("", at_end=True)
        self._finished = True
        return out

    def _step(self, delta: str, at_end: bool) -> tuple[str, str]:
        r: list[str] = []
        c: list[str] = []
        if self._mode == "lead":
            self._buf = (self._buf + delta).lstrip()  # leading whitespace never matters
            delta = self._decide_lead(at_end)
            if self._mode == "lead":
                return "", ""
        if self._mode == "free":
            self._step_free(delta, r, c, at_end)
        elif self._mode == "content":
            c.append(self._content.push(delta))
        else:
            self._step_tagged(delta, r, c, at_end)
        return "".join(r), "".join(c)

    def _decide_lead(self, at_end: bool) -> str:
        """Pick the mode once the first non-space text tells it; returns the text left to process."""
        s = self._buf
        if not s:
            return ""
        for tag, mode in ((THINK_OPEN, "think"), (HUATUO_OPEN, "huatuo")):
            if s.startswith(tag):
                self._mode, self._buf = mode, ""
                return s[len(tag):]
            if tag.startswith(s) and not at_end:
                return ""
        self._mode, self._buf = "free", ""
        return s

    def _step_tagged(self, delta: str, r: list[str], c: list[str], at_end: bool) -> None:
        """Think-tag or HuatuoGPT mode: reasoning until the closing marker, then content."""
        close = THINK_CLOSE if self._mode == "think" else HUATUO_CLOSE
        buf = self._buf + delta
        i = buf.find(close)
        if i >= 0:
            r.append(self._reasoning.push(buf[:i]))
            self._mode, self._buf = "content", ""
            c.append(self._content.push(buf[i + len(close):]))
            return
        keep = 0 if at_end else _partial_suffix(buf, close)
        r.append(self._reasoning.push(buf[: len(buf) - keep]))
        self._buf = buf[len(buf) - keep:]

    def _step_free(self, delta: str, r: list[str], c: list[str], at_end: bool) -> None:
        """Free text: watch for ``</think>`` and for the first final-answer sentence."""
        recent = self._recent + delta
        base = self._total - len(self._recent)  # absolute offset of recent[0]
        self._pending.parts.append(delta)
        self._total += len(delta)
        i = recent.find(THINK_CLOSE)
        if self._first_marker:  # a final-answer sentence before any </think> ends the reasoning for good
            self._final_at = self._find_opener(recent, base, at_end)
            if self._final_at >= 0 and (i < 0 or self._final_at < base + i):
                r.append(self._reasoning.push(self._pending.take(self._final_at)))
                self._mode = "content"
                c.append(self._content.push(self._pending.take(self._total)))
                return
            self._final_at = -1
        if i >= 0:
            r.append(self._reasoning.push(self._pending.take(base + i)))
            self._mode = "content"
            c.append(self._content.push(self._pending.take(self._total)[len(THINK_CLOSE):]))
            return
        if self._final_at < 0 and not self._first_marker:
            self._final_at = self._find_opener(recent, base, at_end)
            if self._final_at >= 0:
                r.append(self._reasoning.push(self._pending.take(self._final_at)))
        if at_end:
            rest = self._pending.take(self._total)
            if self._final_at >= 0 or self._untagged == "content":
                c.append(self._content.push(rest))
            else:
                r.append(self._reasoning.push(rest))
            return
        if self._final_at < 0 and self._untagged == "reasoning":
            limit = min(self._total - _partial_suffix(recent, THINK_CLOSE), self._first_partial(recent, base))
            r.append(self._reasoning.push(self._pending.take(limit)))
        self._recent = recent[-_RECENT:]

    def _find_opener(self, recent: str, base: int, at_end: bool) -> int:
        """Absolute start of the first complete final-answer opener, or -1."""
        found = -1
        for m in _FINAL.finditer(recent, max(0, self._opener_from - base)):
            core = m.start()
            for p in range(max(core - _MAX_OPENER, 0), core + 1):
                if _is_sentence_start(recent, p, base == 0) and _opener_state(recent, p, at_end) == _FULL:
                    found = base + p
                    break
            if found >= 0:
                return found
        self._opener_from = max(self._opener_from, base + len(recent) - 16)
        return -1

    def _first_partial(self, recent: str, base: int) -> int:
        """Absolute start of the first sentence start near the end that could still become an opener."""
        lo = max(self._pending.start - base, len(recent) - _MAX_OPENER, 0)
        for p in range(lo, len(recent)):
            if _is_sentence_start(recent, p, base == 0) and _opener_state(recent, p, False) == _PARTIAL:
                return base + p
        return base + len(recent)


def _partial_suffix(text: str, tag: str) -> int:
    """Length of the longest end of ``text`` that is a proper start of ``tag``."""
    for k in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:k]):
            return k
    return 0


def _is_sentence_start(text: str, p: int, text_start: bool = True) -> bool:
    """Whether a final-answer sentence may start at ``p`` (see the module docstring).

    ``text_start`` says whether ``text[0]`` is the real start of the free text (a stream passes
    a window of recent text).
    """
    if p >= len(text) or text[p].isspace():
        return False
    if p == 0:
        return text_start
    q = p - 1
    if text[q] not in " \t\n\r":
        return False
    indent = 0
    # a sentence may be indented by 16, and an opener without markdown may start with 3 more
    limit = _MAX_INDENT if text[p] in _MARKDOWN else _MAX_INDENT + 3
    while q >= 0 and text[q] in " \t":
        q -= 1
        indent += 1
        if indent > limit:
            return False
    if q < 0:
        return text_start
    return text[q] in "\n\r" or text[q] in _SENTENCE_ENDS


def _opener_state(text: str, p: int, at_end: bool) -> int:
    """Whether a final-answer opener starts at ``p``: complete, possibly (text ends), or not."""
    i = p
    while i < len(text) and i - p < 4 and text[i] in _MARKDOWN:
        i += 1
    i = _spaces(text, i, 0, 3)
    if i < 0:
        return _NO if i == -1 or at_end else _PARTIAL
    if text[i].lower() not in _FIRST_LETTERS:
        return _NO
    best = _NO
    for connective in (None, *_CONNECTIVES):
        if connective is not None and text[i].lower() != connective[0]:
            continue
        j = i if connective is None else _connective(text, i, connective)
        for article in (True, False):
            k = _spaces(text, _words(text, j, "the"), 1, 3) if article else j
            state = _PARTIAL if k == -2 else _NO if k < 0 else _core(text, k, at_end)
            if state == _FULL:
                return _FULL
            best = max(best, state)
    return _NO if at_end else best


def _connective(text: str, i: int, word: str) -> int:
    """Index after a connective and its separator (spaces and/or a comma), or -1 / -2."""
    j = _words(text, i, word)
    if j < 0:
        return j
    k = _spaces(text, j, 0, 3)
    if k >= 0 and k < len(text) and text[k] == ",":
        k = _spaces(text, k + 1, 0, 3)
    if k == len(text):
        return -2
    return k if k != j else -1


def _core(text: str, i: int, at_end: bool) -> int:
    """``final answer`` followed by a non-letter, at ``i``."""
    j = _words(text, i, "final")
    if j >= 0:
        j = _spaces(text, j, 1, 3)
    if j >= 0:
        j = _words(text, j, "answer")
    if j == -2:
        return _PARTIAL
    if j < 0:
        return _NO
    if j == len(text):
        return _FULL if at_end else _PARTIAL
    return _NO if text[j].isalpha() else _FULL


def _words(text: str, i: int, word: str) -> int:
    """Index after ``word`` (case-insensitive; inner spaces 1-3 of space/tab) at ``i``.

    Returns -2 when the text ends inside it (could still match), -1 when it does not match.
    """
    if i < 0:
        return i
    n = len(text)
    for k, part in enumerate(word.split(" ")):
        if k:
            i = _spaces(text, i, 1, 3)
            if i < 0:
                return i
        for ch in part:
            if i >= n:
                return -2
            if text[i].lower() != ch:
                return -1
            i += 1
    return i


def _spaces(text: str, i: int, low: int, high: int) -> int:
    """Index after ``low``..``high`` spaces or tabs at ``i``.

    Returns -2 when the text ends before the run can be judged, -1 when there are too few or
    too many (negative ``i`` is passed through).
    """
    if i < 0:
        return i
    n = len(text)
    j = i
    while j < n and text[j] in " \t" and j - i <= high:
        j += 1
    count = j - i
    if count > high:
        return -1
    if j == n:
        return -2
    return j if count >= low else -1
