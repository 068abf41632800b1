"""Copy/match: a procedural multiple-choice family where a skill, not a fact, gives the answer.

Each question carries its own answer in a one-line note; the model must copy the drug the note names
and find it among the options::

    Question: Note: in kalemo use ripatu. Patient has kalemo. First-line?
    Options: A. sonevi  B. ripatu  C. dafogu  D. mirelak

The names are made up (5-8 letters, consonants and vowels alternating), drawn from one pool split into
disjoint sets: ``warm`` (the warm start's worked examples), ``rl`` (GRPO's questions), ``validation``
(checkpoint selection) and ``heldout`` (the final measure). A held-out name was never seen in training,
but it is made of familiar syllables (the ``syllable`` tokenizer of :mod:`alphamed.tiny_model`), so a
model that learnt to copy and match answers it; a model that memorised letters or names does not.
This is what a fact bank cannot show: a held-out fact is simply unknown, a held-out name is not needed.

Every question can be asked in several option orders (``order``: the options rotated, so the gold
letter moves and the option texts stay). Deterministic per seed.

>>> bank = CopyMatchBank.generate(seed=0, num_rl=8, num_validation=4, num_heldout=4)
>>> q = bank.questions("heldout")[0]
>>> q.options[q.answer] == q.metadata["drug"] and q.metadata["drug"] in q.question
True
>>> r = bank.questions("heldout", order=1)[0]
>>> sorted(r.options.values()) == sorted(q.options.values()) and r.answer != q.answer
True
>>> set(bank.names("heldout")).isdisjoint(bank.names("rl") + bank.names("warm"))
True
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from alphamed.schema import Question, letters_for

CONSONANTS = "bdfgklmnprstvz"
VOWELS = "aeiou"
SPLITS = ("warm", "rl", "validation", "heldout")
SOURCE = "alphamed-copymatch"
WARM_POOL = 3000  # names the warm start draws its questions from


def make_name(rng: random.Random) -> str:
    """A made-up name: 5-8 letters, consonant first, consonants and vowels alternating.

    >>> make_name(random.Random(0))
    'vobipomi'
    """
    length = rng.randint(5, 8)
    return "".join(rng.choice(VOWELS if i % 2 else CONSONANTS) for i in range(length))


def stem(condition: str, drug: str) -> str:
    """The question text: a note naming the drug, then the question.

    >>> stem("kalemo", "ripatu")
    'Note: in kalemo use ripatu. Patient has kalemo. First-line?'
    """
    return f"Note: in {condition} use {drug}. Patient has {condition}. First-line?"


def worked_answer(question: Question, style: str = "recall") -> str:
    """The worked answer the warm start (and the SFT control) trains on, ending in the boxed letter.

    Args:
        question: a labelled copy/match question.
        style: ``recall`` copies the drug, then gives the letter; ``walk`` checks each option in turn.

    Returns:
        The answer text.

    >>> q = Question(id="q", question=stem("ko", "ripatu"), options={"A": "sonevi", "B": "ripatu"}, answer="B",
    ...              metadata={"drug": "ripatu"})
    >>> worked_answer(q)
    'Use ripatu. The final answer is: $\\\\boxed{B}$'
    >>> worked_answer(q, "walk")
    'A. sonevi: no. B. ripatu: yes. The final answer is: $\\\\boxed{B}$'
    """
    end = f"The final answer is: $\\boxed{{{question.answer}}}$"
    gold = question.options[question.answer]
    if style == "walk":
        checks = "".join(f"{k}. {t}: {'yes' if t == gold else 'no'}. " for k, t in question.options.items())
        return checks + end
    return f"Use {gold}. {end}"


def rotate(question: Question, order: int) -> Question:
    """``question`` with its options rotated ``order`` places (the gold letter follows its text)."""
    letters, texts = list(question.options), list(question.options.values())
    n = len(texts)
    k = order % n
    moved = texts[n - k :] + texts[: n - k]
    gold = question.options[question.answer]
    return question.model_copy(
        update={
            "id": f"{question.id.rsplit('-o', 1)[0]}-o{order}",
            "options": dict(zip(letters, moved)),
            "answer": letters[moved.index(gold)],
            "metadata": {**question.metadata, "order": order},
        }
    )


@dataclass(frozen=True)
class CopyMatchBank:
    """Disjoint name pools and the copy/match questions built from them.

    Args:
        seed: drives the names, the split and the distractors.
        num_options: options per question (2..5).
        pools: split name -> its names (``warm``, ``rl``, ``validation``, ``heldout``).
    """

    seed: int
    num_options: int
    pools: dict[str, tuple[str, ...]]

    @classmethod
    def generate(
        cls,
        seed: int = 0,
        *,
        num_options: int = 4,
        num_rl: int = 600,
        num_validation: int = 300,
        num_heldout: int = 600,
    ) -> CopyMatchBank:
        """Draw the names and split them (two names, condition and drug, per question of a split).

        Args:
            seed: the same seed gives the same bank.
            num_options: options per question.
            num_rl: GRPO's questions.
            num_validation: questions for checkpoint selection.
            num_heldout: questions of the final measure.

        Returns:
            The bank.
        """
        if not 2 <= num_options <= 5:
            raise ValueError("num_options must be between 2 and 5")
        sizes = {"warm": WARM_POOL, "rl": 2 * num_rl, "validation": 2 * num_validation, "heldout": 2 * num_heldout}
        rng = random.Random(f"copymatch:{seed}")
        names: dict[str, None] = {}
        while len(names) < sum(sizes.values()):
            names[make_name(rng)] = None
        ordered = list(names)
        pools, start = {}, 0
        for split in SPLITS:
            pools[split] = tuple(ordered[start : start + sizes[split]])
            start += sizes[split]
        return cls(seed, num_options, pools)

    @classmethod
    def from_settings(cls, settings: object) -> CopyMatchBank:
        """The bank a recipe's ``data.copymatch`` section describes."""
        return cls.generate(
            settings.seed,  # type: ignore[attr-defined]
            num_options=settings.num_options,  # type: ignore[attr-defined]
            num_rl=settings.num_rl,  # type: ignore[attr-defined]
            num_validation=settings.num_validation,  # type: ignore[attr-defined]
            num_heldout=settings.num_heldout,  # type: ignore[attr-defined]
        )

    def names(self, split: str) -> tuple[str, ...]:
        """The names of ``split``."""
        if split not in self.pools:
            raise ValueError(f"unknown split {split!r}; choose {', '.join(SPLITS)}")
        return self.pools[split]

    def _question(self, split: str, i: int, condition: str, drug: str, rng: random.Random, gold: int) -> Question:
        others = [n for n in self.names(split) if n not in (condition, drug)]
        texts = rng.sample(others, self.num_options - 1)
        texts.insert(gold, drug)
        letters = letters_for(self.num_options)
        return Question(
            id=f"copymatch-{split}-{i}-o0",
            question=stem(condition, drug),
            options=dict(zip(letters, texts)),
            answer=letters[gold],
            source=SOURCE,
            subject=split,
            metadata={"condition": condition, "drug": drug, "order": 0},
        )

    def questions(self, split: str, *, order: int = 0) -> list[Question]:
        """The questions of ``split`` (``rl``, ``validation`` or ``heldout``), gold letters balanced.

        Args:
            split: which questions.
            order: 0 is the canonical option order; order k rotates every question's options k places.

        Returns:
            One question per name pair of the split.
        """
        if split == "warm":
            raise ValueError("the warm split has no fixed questions: use sample()")
        pool = self.names(split)
        out = []
        for i in range(len(pool) // 2):
            rng = random.Random(f"{self.seed}:{split}:{i}")
            q = self._question(split, i, pool[2 * i], pool[2 * i + 1], rng, i % self.num_options)
            out.append(rotate(q, order) if order else q)
        return out

    def sample(self, rng: random.Random, split: str = "warm") -> Question:
        """A fresh question from the names of ``split`` (the warm start's endless supply)."""
        pool = self.names(split)
        condition, drug = rng.sample(pool, 2)
        return self._question(split, 0, condition, drug, rng, rng.randrange(self.num_options))
