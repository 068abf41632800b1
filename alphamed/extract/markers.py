"""Final-answer markers: where an output says which option it settles on.

One precompiled pattern finds every marker; each named group is a rule (the ``method`` of an
:class:`~alphamed.extract.Extraction`):

- ``answer_tag``: ``<answer>C</answer>``
- ``boxed``: ``\\boxed{C}``, ``\\boxed{\\text{C}}``, ``\\boxed{C: text}``, ``\\fbox{...}``
- ``answer_phrase``: "The (final/correct/best) answer is", "Answer:", "the correct option is",
  and the same in Chinese, French, Spanish, German, Russian, Portuguese, Italian, Japanese, Korean
- ``answer_header``: a line such as ``### Final Answer`` or ``**Answer**`` with the answer below
- ``verdict``: "Option C is correct", "(C) is the best answer"
- ``choice_phrase``: "I would choose C", "I'll go with (C)"
- ``conclusion``: "Therefore, C." (a letter standing alone after a conclusion word)
- ``arrow``: "→ C" at the end of a line
- ``conclusion_phrase``: "the most likely diagnosis is <option text or letter>"
"""

from __future__ import annotations

import re

_COPULA = (
    r"(?:\s*(?:\*\*|__))?\s*(?:(?:is|was|would\s+be|will\s+be|should\s+be|must\s+be|seems\s+to\s+be|appears\s+to\s+be"
    r"|could\s+be|might\s+be|may\s+be|remains|here\s+is|is\s+therefore|therefore\s+is|is\s+thus|is\s+then)\b"
    r"|[:：=]|->|→|⇒|=>|\s-\s|–|—)"
)
_ADJ = (
    r"(?:final|correct|right|best|true|proper|accurate|appropriate|single\s+best|most\s+(?:likely|appropriate|"
    r"accurate|correct|plausible|reasonable|probable)|overall|only|likely)"
)
_ENGLISH = (
    r"\b(?:(?:the|my|our|your)\s+)?(?:(?:" + _ADJ + r")\s+)*(?:answer|response)(?:\s+(?:choice|option|letter))?"
    r"|\b(?:(?:the|my|our)\s+)?(?:" + _ADJ + r")\s+(?:(?:" + _ADJ + r")\s+)*(?:option|choice|selection|letter)"
)
_ENGLISH_TAIL = r"(?:\s+(?:to|for|of)\s+(?:this|the)\s+(?:question|problem|case|item|mcq|vignette|scenario))?"
_FOREIGN = (
    r"(?:最终|正确|最佳)?答案\s*(?:是|为|為|应为|應為|应该是|應該是|选|選)?|故选|应选|因此选|所以选|正确选项(?:是|为)?"
    r"|(?:la\s+)?(?:bonne\s+|meilleure\s+)?r[ée]ponse(?:\s+(?:correcte|finale|exacte))?\s*(?:est|:|：)"
    r"|(?:la\s+)?respuesta(?:\s+(?:correcta|final))?\s*(?:es|:|：)"
    r"|(?:die\s+)?(?:richtige\s+|korrekte\s+)?antwort\s*(?:ist|lautet|:|：)"
    r"|(?:правильный\s+|верный\s+|окончательный\s+|итоговый\s+)?ответ\s*(?:[:：—–-]|это)?"
    r"|(?:a\s+)?resposta(?:\s+(?:correta|final))?\s*(?:é|:|：)"
    r"|(?:la\s+)?risposta(?:\s+(?:corretta|finale))?\s*(?:è|:|：)"
    r"|(?:答え|正解)\s*(?:は|:|：)|정답\s*(?:은|는|:|：)?"
)
_LETTER_AHEAD = r"(?=\s*(?:option\s+|choice\s+)?[(\[]?\s*(?-i:[A-Z])\s*[)\]]?(?:[\s.!,;:)*]|$))"

MARKERS = re.compile(
    "|".join(
        [
            r"(?P<answer_tag><\s*answer\s*>)",
            r"(?P<boxed>\\(?:boxed|fbox)\s*\{)",
            r"(?P<answer_header>(?:^|\n)[ \t]*(?:#{1,6}[ \t]*|\*\*|__)?[ \t]*(?:final[ \t]+|correct[ \t]+)?answer"
            r"[ \t]*(?:\*\*|__)?[ \t]*[:：]?[ \t]*(?:\*\*|__)?[ \t]*(?=\r?\n))",
            r"(?P<answer_phrase>(?:" + _ENGLISH + r")" + _ENGLISH_TAIL + _COPULA + r"|" + _FOREIGN + r")",
            r"(?P<verdict>(?:\b(?:option|choice)\s*|(?<![A-Za-z0-9]))[(\[]?(?-i:[A-Z])[)\]]?\s+(?:is|seems\s+to\s+be"
            r"|appears\s+to\s+be|would\s+be)\s+(?:the\s+)?(?:(?:most|single|only)\s+)?(?:(?:correct|right|best|true"
            r"|accurate|appropriate|final)\b(?:\s+(?:answer|option|choice|one|response))?|answer\b))",
            r"(?P<choice_phrase>\b(?:I(?:'d|'ll|\s+would|\s+will)?|we(?:'d|'ll|\s+would|\s+will)?|let's)\s+(?:choose"
            r"|select|pick|go\s+with|opt\s+for|mark)\b)",
            r"(?P<conclusion>\b(?:therefore|thus|hence|so|consequently|in\s+conclusion|in\s+summary|overall"
            r"|accordingly)\s*[,:]?\s*(?:the\s+answer\s+is\s+)?" + _LETTER_AHEAD + r")",
            r"(?P<arrow>(?:→|⇒|=>|->)" + _LETTER_AHEAD + r")",
            r"(?P<conclusion_phrase>\b(?:the\s+)?(?:most\s+likely|most\s+probable|likeliest|best|most\s+appropriate"
            r"|correct|definitive|final|underlying)\s+(?:diagnosis|cause|treatment|management|next\s+step|step"
            r"|explanation|mechanism|drug|medication|agent|choice|test|investigation|finding|organism|pathogen"
            r"|etiology|intervention|therapy)(?:\s+(?:in|of|for)\s+(?:the\s+)?(?:management|this\s+patient|this\s+case"
            r"|choice|treatment))*\s+(?:is|would\s+be|remains)\b)",
        ]
    ),
    re.IGNORECASE,
)
"""Every final-answer marker; ``match.lastgroup`` names the rule."""

READ_MODE = {
    "answer_tag": "enclosed",
    "boxed": "enclosed",
    "answer_phrase": "phrase",
    "answer_header": "phrase",
    "choice_phrase": "phrase",
    "conclusion_phrase": "phrase",
    "conclusion": "strict",
    "arrow": "strict",
}
"""How the text after each marker is read (see :func:`~alphamed.extract.answer.read_answer`)."""

TAG_CLOSE = re.compile(r"<\s*/\s*answer\s*>", re.IGNORECASE)

# A marker inside a conditional or negated clause ("if the answer is A", "I don't think the answer is A").
CONDITIONAL = re.compile(r"\b(?:if|whether|unless|assuming|suppose|supposing|were|wonder)\b[^.!?\n]*$", re.IGNORECASE)
NEGATED = re.compile(r"(?:\bnot|n't|\bnever|\bdoubt)\b[^.!?\n,;]{0,40}$", re.IGNORECASE)
