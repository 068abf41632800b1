"""Answer extraction: which option a model's output commits to.

Evidence, strongest first:

1. Final-answer markers (:mod:`alphamed.extract.markers`): answer tags, ``\\boxed{}``, "the answer
   is", "Answer:", answer headers, "Option C is correct", "I'd choose", multilingual markers. The
   LAST marker in the output wins, so a revised answer beats a tentative one; when that last
   marker hedges ("either B or C"), negates ("not A"), names a letter that is not an option, or
   gives a letter whose text contradicts another option, the output commits to nothing.
2. A bare answer line: the output is only "C" / "(C)" / "C. text", or its first or last line is
   (not when the lines are an options list).
3. Option text in the concluding sentence ("...most likely pernicious anemia."), the longest
   option text winning over shorter ones it contains; negated mentions ("not X", "rules out X")
   and hedged or several-option sentences abstain.

Otherwise None: truncated reasoning, refusals, hedges, gibberish. A wrong letter is worse than
None. Outputs longer than :data:`WINDOW` characters are read in two bounded windows (the head
for an answer given first, the tail for the final commitment), so the cost per output is bounded.

Where the time goes: :mod:`alphamed.extract.shortcuts` reads the commonest endings
("The final answer is: $\\boxed{C}$", "The answer is (C).") directly when the rules provably give
the same; :mod:`alphamed.extract.search` finds the last marker reading from the end backwards.
The rules (:mod:`alphamed.extract.engine` and the modules it imports) are also compiled with
mypyc at install time (:mod:`alphamed.extract.build`); :data:`ENGINE` says which one runs:
``compiled`` when the compiled copy is installed and was built from these very sources,
``python`` otherwise. ``ALPHAMED_EXTRACT_ENGINE=python`` (or ``compiled``) forces one.

>>> extract_answer("So the answer is clear. The final answer is: $\\\\boxed{C}$", ["a", "b", "c"]).letter
'C'
>>> extract_answer("Initially B looks right, but the answer is D.", ["w", "x", "y", "z"]).letter
'D'
>>> extract_answer("The findings point to pernicious anemia.", ["Folate deficiency", "Pernicious anemia"]).method
'option_text'
>>> extract_answer("It is either B or C.", ["a", "b", "c"]) is None
True
>>> extract_answer("I am not sure.", ["a", "b"]) is None
True
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

from alphamed.extract import engine as python_engine
from alphamed.extract.build import source_digest
from alphamed.extract.engine import HEAD, WINDOW
from alphamed.extract.options import OptionIndex, Options, normalize_options

__all__ = ["Extraction", "Options", "extract_answer", "normalize_options", "WINDOW", "HEAD", "ENGINE"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Extraction:
    """What an output commits to.

    Args:
        letter: the option letter.
        text: that option's text (None when options were not given with texts).
        method: the rule that found it (``answer_tag``, ``boxed``, ``answer_phrase``, ``option_text``...).
        span: (start, end) of the evidence in the text.
    """

    letter: str
    text: str | None
    method: str
    span: tuple[int, int]


def _compiled_engine() -> ModuleType | None:
    """The mypyc-compiled engine when it is installed and built from the sources next to this file."""
    try:
        from alphamed._compiled import engine as compiled  # type: ignore[attr-defined]
    except ImportError:
        return None
    digest = source_digest(Path(__file__).resolve().parent)
    if digest is not None and digest != getattr(compiled, "SOURCE_DIGEST", None):
        logger.warning("the compiled answer extractor was built from other sources than alphamed/extract: "
                       "using the pure-Python one (reinstall alphamed to rebuild it)")
        return None
    return compiled


def _choose_engine() -> tuple[ModuleType, str]:
    wanted = os.environ.get("ALPHAMED_EXTRACT_ENGINE", "auto").strip().lower() or "auto"
    if wanted not in ("auto", "python", "compiled"):
        raise ValueError(f"ALPHAMED_EXTRACT_ENGINE must be auto, python or compiled, not {wanted!r}")
    if wanted == "python":
        return python_engine, "python"
    compiled = _compiled_engine()
    if compiled is not None:
        return compiled, "compiled"
    if wanted == "compiled":
        raise ImportError("ALPHAMED_EXTRACT_ENGINE=compiled, but alphamed._compiled is not installed or is stale: "
                          "reinstall alphamed with a C compiler (pip install -e .)")
    return python_engine, "python"


_engine, ENGINE = _choose_engine()
"""Which engine :func:`extract_answer` uses: ``compiled`` or ``python``."""


@cache
def engines() -> dict[str, ModuleType]:
    """The engines available here, by name (``python`` always; ``compiled`` when installed and current).

    Looked up once: the check of the compiled engine reads and hashes its sources."""
    found = {"python": python_engine}
    compiled = _engine if ENGINE == "compiled" else _compiled_engine()
    if compiled is not None:
        found["compiled"] = compiled
    return found


def extract_answer(text: str, options: Options | None = None) -> Extraction | None:
    """The option ``text`` commits to, or None when it commits to no single option.

    Never raises: any input that is not a string, or anything unexpected, gives None.

    Args:
        text: the model output.
        options: option texts in order (letters A, B, ... implied), a letter -> text mapping,
            or either as a JSON string. Without options any capital letter is accepted and
            option texts cannot be matched.

    Returns:
        An :class:`Extraction`, or None.

    >>> extract_answer("<answer>(B) Heparin</answer>", {"A": "Aspirin", "B": "Heparin"})
    Extraction(letter='B', text='Heparin', method='answer_tag', span=(0, 19))
    """
    try:
        return _extract(_engine, text, options)
    except Exception:  # a bug must not take down training or serving; it is logged
        logger.exception("answer extraction failed on a %d-character output", len(text))
        return None


def _extract(module: Any, text: Any, options: Any) -> Extraction | None:
    found = module.extract(text, options)
    return None if found is None else Extraction(found[0], found[1], found[2], (found[3], found[4]))


def extractor(engine: str) -> Callable[[str, Any], Extraction | None]:
    """:func:`extract_answer` on the named engine (see :func:`engines`), raising on bugs; for tests and benchmarks.

    Args:
        engine: ``python`` or ``compiled``.

    >>> extractor("python")("The answer is B.", ["x", "y"]).letter
    'B'
    """
    return partial(_extract, engines()[engine])


def option_index(options: Any) -> Any:
    """Prepared options for :func:`find_answer`, cached (the active engine's ``OptionIndex``).

    Args:
        options: as for :func:`extract_answer`.
    """
    return _engine.option_index(options)


def find_answer(text: str, options: Any, fast: bool = True) -> Extraction | None:
    """:func:`extract_answer` that raises on bugs, for tests.

    Args:
        text: the output (non-empty).
        options: prepared options (:func:`option_index`, or an
            :class:`~alphamed.extract.options.OptionIndex`), or options as for :func:`extract_answer`.
        fast: allow the shortcuts for outputs ending in a common fixed shape
            (:mod:`alphamed.extract.shortcuts`); tests compare them with the full rules.
    """
    if not isinstance(options, _engine.OptionIndex):
        options = _engine.option_index(options.letters if isinstance(options, OptionIndex) else options)
    found = _engine.find(text, options, fast)
    if found is None:
        return None
    letter, method, start, end = found
    return Extraction(letter, options.text_of(letter), method, (start, end))
