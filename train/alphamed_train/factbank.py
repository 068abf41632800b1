"""A synthetic clinical fact bank for the CPU learning demo.

Textbook-level "condition -> first-line drug (or antidote)" facts, written for this project,
turned into multiple-choice questions with balanced gold letters. Deterministic per seed.

The facts are split three ways:

- ``taught``: the warm start sees worked MCQs about these (partial MCQ skill, as an instruct
  base model has);
- ``rl``: GRPO trains on MCQs about these;
- ``heldout``: never seen as MCQs; their MCQs measure whether RL taught a skill or letters.

The warm start also reads prose statements of *every* fact, so the model can recall the drug
for any condition; what it must learn is turning that recall into the right option letter.

>>> bank = FactBank.generate(seed=0)
>>> len(bank.taught) + len(bank.rl) + len(bank.heldout) == len(FACTS)
True
>>> q = bank.questions("rl")[0]
>>> sorted(q.options) == ["A", "B", "C", "D"] and q.options[q.answer] == bank.rl[0].drug
True
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from alphamed.schema import Question, letters_for

# (condition, first-line drug or antidote): one drug per condition, no drug repeated.
FACTS_TABLE: tuple[tuple[str, str], ...] = (
    ("type 2 diabetes", "metformin"),
    ("anaphylaxis", "epinephrine"),
    ("absence seizures", "ethosuximide"),
    ("hypothyroidism", "levothyroxine"),
    ("acute gout", "colchicine"),
    ("trigeminal neuralgia", "carbamazepine"),
    ("syphilis", "penicillin"),
    ("Lyme disease", "doxycycline"),
    ("status epilepticus", "lorazepam"),
    ("opioid overdose", "naloxone"),
    ("bipolar disorder", "lithium"),
    ("Parkinson disease", "levodopa"),
    ("myasthenia gravis", "pyridostigmine"),
    ("malignant hyperthermia", "dantrolene"),
    ("acetaminophen overdose", "acetylcysteine"),
    ("Pneumocystis pneumonia", "cotrimoxazole"),
    ("acute migraine", "sumatriptan"),
    ("giant cell arteritis", "prednisone"),
    ("Wilson disease", "penicillamine"),
    ("heparin overdose", "protamine"),
    ("warfarin overdose", "phytonadione"),
    ("methanol poisoning", "fomepizole"),
    ("organophosphate poisoning", "atropine"),
    ("benzodiazepine overdose", "flumazenil"),
    ("cyanide poisoning", "hydroxocobalamin"),
    ("iron poisoning", "deferoxamine"),
    ("lead poisoning", "succimer"),
    ("prolactinoma", "cabergoline"),
    ("hypertension in pregnancy", "labetalol"),
    ("toxoplasmosis", "pyrimethamine"),
    ("giardiasis", "metronidazole"),
    ("pinworm infection", "albendazole"),
    ("alcohol withdrawal", "chlordiazepoxide"),
    ("schizophrenia", "risperidone"),
    ("ADHD", "methylphenidate"),
    ("osteoporosis", "alendronate"),
    ("benign prostatic hyperplasia", "tamsulosin"),
    ("rheumatoid arthritis", "methotrexate"),
    ("ulcerative colitis", "mesalamine"),
    ("motion sickness", "scopolamine"),
    ("narcolepsy", "modafinil"),
    ("essential tremor", "propranolol"),
    ("central diabetes insipidus", "desmopressin"),
    ("Addison disease", "hydrocortisone"),
    ("chronic myeloid leukemia", "imatinib"),
    ("acute promyelocytic leukemia", "tretinoin"),
    ("heart failure with edema", "furosemide"),
    ("head lice", "permethrin"),
)


@dataclass(frozen=True)
class Fact:
    """One clinical fact: ``drug`` is the first-line treatment of ``condition``."""

    condition: str
    drug: str

    def prose(self) -> str:
        """The fact as a sentence (warm-start reading material)."""
        return f"The first-line treatment of {self.condition} is {self.drug}."

    def stem(self) -> str:
        """The question stem asking for this fact."""
        return f"Which of the following is the first-line treatment of {self.condition}?"

    def worked_answer(self, letter: str, options: dict[str, str] | None = None, style: str = "recall") -> str:
        """A short worked answer ending in the boxed letter.

        Args:
            letter: the gold letter.
            options: letter -> text (needed for ``walk``).
            style: ``recall`` states the recalled drug first; ``walk`` checks each option in turn.

        Returns:
            The answer text.
        """
        end = f"The final answer is: $\\boxed{{{letter}}}$"
        if style == "walk" and options:
            checks = " ".join(
                f"{key}. {text}: {'yes' if text == self.drug else 'no'}." for key, text in options.items()
            )
            return f"{checks} {end}"
        return f"The first-line treatment of {self.condition} is {self.drug}. {end}"


FACTS: tuple[Fact, ...] = tuple(Fact(c, d) for c, d in FACTS_TABLE)


@dataclass(frozen=True)
class FactBank:
    """Facts split into taught / rl / heldout, and the MCQs built from them.

    Args:
        seed: drives the split, the distractors and the option orders.
        num_options: options per question (4 or 5).
        taught, rl, heldout: the three fact lists.
    """

    seed: int
    num_options: int
    taught: tuple[Fact, ...]
    rl: tuple[Fact, ...]
    heldout: tuple[Fact, ...]

    @classmethod
    def generate(cls, seed: int = 0, *, num_options: int = 4, num_rl: int = 16, num_heldout: int = 8) -> FactBank:
        """Split :data:`FACTS` deterministically.

        Args:
            seed: the same seed gives the same bank.
            num_options: 2..5 options per question.
            num_rl: facts GRPO trains on.
            num_heldout: facts kept for the held-out measure; the rest are ``taught``.

        Returns:
            The bank.
        """
        if not 2 <= num_options <= 5:
            raise ValueError("num_options must be between 2 and 5")
        if num_rl + num_heldout >= len(FACTS):
            raise ValueError(f"num_rl + num_heldout must be < {len(FACTS)} (facts available)")
        facts = list(FACTS)
        random.Random(seed).shuffle(facts)
        rl = tuple(facts[:num_rl])
        heldout = tuple(facts[num_rl : num_rl + num_heldout])
        taught = tuple(facts[num_rl + num_heldout :])
        return cls(seed, num_options, taught, rl, heldout)

    @classmethod
    def from_settings(cls, settings: Any) -> FactBank:
        """The bank a recipe's ``data.factbank`` section describes (seed, num_options, num_rl, num_heldout).

        >>> from types import SimpleNamespace
        >>> FactBank.from_settings(SimpleNamespace(seed=0, num_options=4, num_rl=16, num_heldout=8)) == FactBank.generate(0)
        True
        """
        return cls.generate(
            settings.seed, num_options=settings.num_options, num_rl=settings.num_rl, num_heldout=settings.num_heldout
        )

    def facts(self, split: str) -> tuple[Fact, ...]:
        """The facts of ``split`` (``taught``, ``rl``, ``heldout`` or ``all``)."""
        if split == "all":
            return self.taught + self.rl + self.heldout
        if split not in ("taught", "rl", "heldout"):
            raise ValueError(f"unknown split {split!r}; choose taught, rl, heldout or all")
        return getattr(self, split)

    def questions(self, split: str, *, variant: int = 0) -> list[Question]:
        """MCQs about the facts of ``split``; gold letters balanced over A..

        Args:
            split: ``taught``, ``rl`` or ``heldout``.
            variant: 0 is the canonical order; each other variant puts every gold answer
                under a different letter than variant 0 (same distractors).

        Returns:
            One question per fact.
        """
        letters = letters_for(self.num_options)
        facts = self.facts(split)
        out = []
        offset = {"taught": 0, "rl": 1, "heldout": 2}[split]
        for i, fact in enumerate(facts):
            rng = random.Random(f"{self.seed}:{split}:{fact.condition}")
            others = [f.drug for f in FACTS if f.drug != fact.drug]
            distractors = rng.sample(others, self.num_options - 1)
            gold = (i + offset) % self.num_options
            if variant:
                gold = (gold + 1 + (variant - 1 + i) % (self.num_options - 1)) % self.num_options
            texts = distractors[:gold] + [fact.drug] + distractors[gold:]
            out.append(
                Question(
                    id=f"fact-{split}-{i}-v{variant}",
                    question=fact.stem(),
                    options=dict(zip(letters, texts)),
                    answer=letters[gold],
                    source="alphamed-factbank",
                    subject=split,
                    metadata={"condition": fact.condition, "drug": fact.drug, "variant": variant},
                )
            )
        return out


def letter_balance(questions: list[Question]) -> Counter:
    """How many questions have each gold letter.

    >>> sorted(letter_balance(FactBank.generate(0).questions("rl")).values())
    [4, 4, 4, 4]
    """
    return Counter(q.answer for q in questions)
