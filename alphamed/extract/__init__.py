"""Answer extraction: which option a model's output commits to.

Evidence, strongest first:

1. Final-answer markers (:mod:`alphamed.extract.markers`): answer tags, ``\\boxed{}``, "the answer
   is", "Answer:", answer headers, "Option C is correct", "I'd choose", multilingual markers. The
   LAST marker in the output wins, so a revised answer beats a tentative one; when that last
   marker hedges ("either B or C"), negates ("not A"), names a letter that is not an option, or
   gives a letter whose text contradicts another option, the output commits to nothing.
2. A bare answer line: the output is only "C" / "(C)" / "C. text", or its first or last line is
   (not when the lines are an options list).
   A short closing sentence that ends on one letter ("Submitting A.", "I'm going B.") counts too
   (:mod:`alphamed.extract.closing`), and so does an opening letter or label that the rest only explains.
3. Option text in the concluding sentence ("...most likely pernicious anemia."), the longest
   option text winning over shorter ones it contains; negated mentions ("not X", "rules out X")
   and hedged or several-option sentences abstain.

Otherwise None: truncated reasoning, refusals, hedges, gibberish. A wrong letter is worse than
None. Outputs longer than :data:`WINDOW` characters are read in two bounded windows (the head
for an answer given first, the tail for the final commitment), so the cost per output is bounded.

Where the time goes: :mod:`alphamed.extract.search` finds the last marker reading from the end
backwards, so the cost rarely depends on the length of the reasoning.
The whole extractor is pure Python (:mod:`alphamed.extract.engine` runs the rules end to end).

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
from typing import Any

from alphamed.extract.engine import HEAD, WINDOW, Extraction, extract, find, option_index
from alphamed.extract.options import OptionIndex, Options, normalize_options

__all__ = ["Extraction", "Options", "extract_answer", "normalize_options", "WINDOW", "HEAD"]

logger = logging.getLogger(__name__)


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
        return extract(text, options)
    except Exception:  # a bug must not take down training or serving; it is logged
        logger.exception("answer extraction failed on a %d-character output", len(text))
        return None


def find_answer(text: str, options: Any) -> Extraction | None:
    """:func:`extract_answer` that raises on bugs, for tests.

    Args:
        text: the output (non-empty).
        options: prepared options (:func:`option_index`, or an
            :class:`~alphamed.extract.options.OptionIndex`), or options as for :func:`extract_answer`.
    """
    if not isinstance(options, OptionIndex):
        options = option_index(options)
    return find(text, options)
