"""Matching an option named in other words: abbreviated, paraphrased, or with a word left out.

"type 1 DM" names "Type 1 diabetes mellitus", "IV artesunate" names "Intravenous artesunate",
"Graves'" names "Graves disease", "the RCA" names "Right coronary artery", and an acronym of an
option's initials written in capitals names it ("TRALI" for "Transfusion-related acute lung injury")
when no other option has the same initials (not "CD" when both Crohn and celiac disease are options).
A phrase holding every word of one option and at most half of another's names the first ("the
physician treating the patient" names "The treating physician", not "The patient's family"). A phrase names an option
when it holds at least one of that option's *distinctive* words (words no other option has) and
no distinctive word of any other option, so near misses stay apart: "type 1" vs "type 2",
"secondary" vs "tertiary hyperparathyroidism". Words are compared loosely (one a prefix of the
other: "angiogram" / "angiography", "gouty" / "gout"), after expanding common clinical
abbreviations and roman numerals after "type", "class", "grade", "stage" or "phase".

>>> from alphamed.extract.options import OptionIndex
>>> idx = OptionIndex({"A": "Type 2 diabetes mellitus", "B": "Type 1 diabetes mellitus", "C": "Diabetes insipidus"})
>>> named_option("type I DM", idx), named_option("T2DM", idx), named_option("diabetes", idx)
('B', 'A', None)
"""

from __future__ import annotations

import re

from alphamed.extract.options import OptionIndex

_TOKEN = re.compile(r"[a-z0-9]+")
_ALTERNATIVES = re.compile(r"\b(?:or|and/or|versus|vs)\b", re.IGNORECASE)
_SLASHED = re.compile(r"\b([a-z])/([a-z])\b")
_STOP = frozenset(
    "the a an of with and or for to in on by from is are was this that here its it be give given start use used "
    "due after at as my our your their his her most likely best choice option answer go going would i we so then "
    "first next step diagnosis therefore dose course yes no maybe".split()
)
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5"}
_ROMAN_AFTER = frozenset(("type", "class", "grade", "stage", "phase"))
ABBREVIATIONS = {
    "iv": "intravenous",
    "im": "intramuscular",
    "po": "oral",
    "sc": "subcutaneous",
    "subcut": "subcutaneous",
    "dm": "diabetes mellitus",
    "t1dm": "type 1 diabetes mellitus",
    "t2dm": "type 2 diabetes mellitus",
    "ctpa": "ct pulmonary angiography",
    "mi": "myocardial infarction",
    "pe": "pulmonary embolism",
    "hbv": "hepatitis b",
    "hcv": "hepatitis c",
    "hiv": "human immunodeficiency virus",
    "tpa": "alteplase",
    "ics": "inhaled corticosteroid",
    "laba": "long acting beta agonist",
    "hctz": "hydrochlorothiazide",
    "mtx": "methotrexate",
    "nac": "n acetylcysteine",
    "rca": "right coronary artery",
    "lad": "left anterior descending artery",
    "lcx": "left circumflex artery",
    "ppi": "proton pump inhibitor",
    "mgso4": "magnesium sulfate",
    "rsv": "respiratory syncytial virus",
    "nms": "neuroleptic malignant syndrome",
    "siadh": "syndrome of inappropriate antidiuretic hormone secretion",
    "ivig": "intravenous immunoglobulin",
    "pth": "parathyroid hormone",
    "hyperpth": "hyperparathyroidism",
    "dka": "diabetic ketoacidosis",
    "copd": "chronic obstructive pulmonary disease",
    "ssri": "selective serotonin reuptake inhibitor",
    "nsaid": "nonsteroidal anti inflammatory drug",
    "ffp": "fresh frozen plasma",
    "pcc": "prothrombin complex concentrate",
    "ecg": "electrocardiogram",
    "ekg": "electrocardiogram",
    "mri": "magnetic resonance imaging",
    "ct": "computed tomography",
    "vq": "ventilation perfusion",
    "hf": "heart failure",
    "af": "atrial fibrillation",
    "uti": "urinary tract infection",
    "cpr": "cardiopulmonary resuscitation",
    "ace": "angiotensin converting enzyme",
    "arb": "angiotensin receptor blocker",
    "ttp": "thrombotic thrombocytopenic purpura",
    "gbs": "guillain barre syndrome",
    "adrenaline": "epinephrine",
    "noradrenaline": "norepinephrine",
    "paracetamol": "acetaminophen",
    "ativan": "lorazepam",
    "dilantin": "phenytoin",
    "pyridoxine": "vitamin b6",
    "thiamine": "vitamin b1",
    "cobalamin": "vitamin b12",
    "folate": "folic acid",
    "steroid": "corticosteroid",
    "steroids": "corticosteroid",
    "hyperparathyroidism": "hyperparathyroidism",
    "drip": "infusion",
    "mtb": "mycobacterium tuberculosis",
    "achr": "acetylcholine receptor",
    "ptu": "propylthiouracil",
    "mmi": "methimazole",
    "mcd": "minimal change disease",
    "fsgs": "focal segmental glomerulosclerosis",
    "vanc": "vancomycin",
    "vanco": "vancomycin",
    "cmv": "cytomegalovirus",
    "ebv": "epstein barr virus",
    "hsv": "herpes simplex virus",
    "sah": "subarachnoid hemorrhage",
    "sdh": "subdural hematoma",
    "edh": "epidural hematoma",
    "dvt": "deep vein thrombosis",
    "ckd": "chronic kidney disease",
    "ccb": "calcium channel blocker",
    "tca": "tricyclic antidepressant",
    "maoi": "monoamine oxidase inhibitor",
    "vwd": "von willebrand disease",
}
"""Common clinical abbreviations and synonyms (each expands to the words an option text would use)."""


def words(text: str) -> list[str]:
    """Content words of ``text``: lower-cased, abbreviations expanded, roman numerals after "type" read as digits.

    >>> words("IV calcium gluconate, type II")
    ['intravenous', 'calcium', 'gluconate', 'type', '2']
    """
    raw = _TOKEN.findall(_SLASHED.sub(r"\1\2", text.lower()).replace("'s ", " ").replace("/", " "))
    out: list[str] = []
    for i, token in enumerate(raw):
        if i and raw[i - 1] in _ROMAN_AFTER and token in _ROMAN:
            out.append(_ROMAN[token])
            continue
        expanded = ABBREVIATIONS.get(token)
        out.extend(expanded.split() if expanded else [token])
    return [w for w in out if w not in _STOP and (len(w) > 1 or w.isdigit())]  # a lone letter names nothing


def _same(a: str, b: str) -> bool:
    """Loose equality of two words: equal, or one a prefix (of at least 4 letters) of the other, or a shared
    6-letter start."""
    if a == b:
        return True
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 4 and long.startswith(short) and not short.isdigit():
        return True
    return len(short) >= 6 and a[:6] == b[:6]


def _has(tokens: list[str], word: str) -> bool:
    if word in tokens:
        return True
    return any(_same(token, word) for token in tokens if token[:1] == word[:1])


def option_words(options: OptionIndex) -> dict[str, tuple[list[str], list[str]]]:
    """Letter -> (all words, distinctive words) of each option text (cached on ``options``)."""
    cached = options.word_cache
    if cached is None:
        all_words = {letter: words(text) for letter, text in options.texts.items()}
        cached = {}
        for letter, own in all_words.items():
            others = [w for other, ws in all_words.items() if other != letter for w in ws]
            cached[letter] = (own, [w for w in own if not _has(others, w)])
        options.word_cache = cached
    return cached


_CAPITALS = re.compile(r"\b[A-Z][A-Z0-9]{1,6}\b")
_INITIAL_WORDS = re.compile(r"[A-Za-z0-9]+")
_SKIPPED_IN_ACRONYMS = frozenset(("of", "the", "and", "with", "a", "an", "in", "for", "to", "on", "or"))


def option_acronyms(options: OptionIndex) -> dict[str, str]:
    """Acronym of each option's initials -> that option's text, for acronyms that only one option has
    ("TRALI" for "Transfusion-related acute lung injury"; cached on ``options``)."""
    cached = options.acronym_cache
    if cached is None:
        seen: dict[str, str | None] = {}
        for text in options.texts.values():
            initials = [w[0] for w in _INITIAL_WORDS.findall(text) if w not in _SKIPPED_IN_ACRONYMS]
            if len(initials) >= 2:
                acronym = "".join(initials).upper()
                seen[acronym] = None if acronym in seen else text
        cached = {acronym: text for acronym, text in seen.items() if text is not None}
        options.acronym_cache = cached
    return cached


def _expand_acronyms(phrase: str, options: OptionIndex) -> str:
    """``phrase`` with each capitalised acronym of an option's initials replaced by that option's text."""
    if _CAPITALS.search(phrase) is None:
        return phrase
    acronyms = option_acronyms(options)
    if not acronyms:
        return phrase
    return _CAPITALS.sub(
        lambda m: acronyms.get(m.group(0), m.group(0)) if m.group(0).lower() not in ABBREVIATIONS else m.group(0),
        phrase,
    )


def named_option(phrase: str, options: OptionIndex, max_words: int = 10) -> str | None:
    """The one option ``phrase`` names in other words, or None (none, several, or too long a phrase).

    Args:
        phrase: a short phrase ("type 1 DM", "IV artesunate").
        options: the question's options.
        max_words: longer phrases name nothing (they are sentences, not names).
    """
    if _ALTERNATIVES.search(phrase):
        return None  # "X or Y": two names
    if options.texts:
        phrase = _expand_acronyms(phrase, options)
    tokens = words(phrase)
    if not tokens or len(tokens) > max_words or not options.texts:
        return None
    initials = {w[:1] for own, _ in option_words(options).values() for w in own}
    tokens = [t for t in tokens if t[:1] in initials]  # words that cannot match any option go first
    if not tokens:
        return None
    named = []
    for letter, (own, distinctive) in option_words(options).items():
        if any(_has(tokens, w) for w in distinctive):
            named.append((letter, sum(_has(tokens, w) for w in own), len(own)))
    if len(named) == 1:
        letter, matched, size = named[0]
        return None if matched * 2 < size else letter  # too little of the option ("type" of "Type 1 diabetes")
    whole = [x for x in named if x[1] == x[2]]
    if len(whole) == 1 and all(x[1] * 2 <= x[2] for x in named if x is not whole[0]):
        return whole[0][0]  # "the physician treating the patient": all of one option, at most half of another
    return None
