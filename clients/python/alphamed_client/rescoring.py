"""Re-scoring kept outputs offline: with the current extractor, strictly or leniently.

``strict`` (ours, the default) is what scoring does: the core extractor reads the answer region
and abstains (no letter) when the output commits to no single option. ``lenient`` mimics the
scorers behind published medical-reasoning tables (HuatuoGPT-o1's ``match_choice``, as its paper
and code describe it): take the strict letter when there is one, else never abstain and pick the
option whose text is most similar to the answer text (``difflib`` ratio; the first option on a tie).
Written from that documented behaviour, not copied.

>>> most_similar_option("it is probably metformin", {"A": "Insulin", "B": "Metformin", "C": "Warfarin"})
'B'
>>> most_similar_option("", {"A": "x", "B": "y"})
'A'
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, Field

from alphamed.voting import majority_vote
from alphamed_client.models import ResultRow, Sample
from alphamed_client.permute import to_original
from alphamed_client.protocol import message_split, sample_from_message

SCORERS = ("strict", "lenient")
LENIENT_METHOD = "similarity"


def most_similar_option(text: str, options: Mapping[str, str]) -> str:
    """The letter whose option text is most similar to ``text`` (case-insensitive)."""
    lowered = text.lower()
    best, best_ratio = next(iter(options)), -1.0
    for letter, option in options.items():
        ratio = difflib.SequenceMatcher(None, option.lower(), lowered).ratio()
        if ratio > best_ratio:
            best, best_ratio = letter, ratio
    return best


def has_outputs(row: ResultRow) -> bool:
    """Whether ``row`` kept what re-scoring needs (rows written before outputs were kept did not)."""
    return row.error is None and (row.output is not None or bool(row.outputs)) and bool(row.options)


def kept_messages(row: ResultRow) -> list[dict[str, str]]:
    """The assistant messages of ``row``'s samples as the server sent them (content, and reasoning
    when the server split it)."""
    outputs = row.outputs if row.outputs else [row.output or ""]
    reasonings = row.server_reasoning or [""] * len(outputs)
    return [{"content": out, **({"reasoning": r} if r else {})} for out, r in zip(outputs, reasonings)]


def _sample(message: Mapping[str, str], options: Mapping[str, str], scorer: str) -> Sample:
    sample = sample_from_message(message, options)
    if scorer == "strict" or sample.letter is not None:
        return sample
    region = message_split(message)[2] or sample.content or sample.output
    letter = most_similar_option(region, options)
    return sample.model_copy(
        update={"letter": letter, "text": options[letter], "method": LENIENT_METHOD, "span": None}
    )


def rescore_row(row: ResultRow, scorer: str = "strict") -> ResultRow:
    """``row`` scored again from its kept outputs (rows without outputs come back unchanged).

    Args:
        row: a result row.
        scorer: ``strict`` or ``lenient`` (see the module docstring).

    Returns:
        A copy with ``predicted``, ``correct``, ``method``, ``span``, ``votes``, ``agreement`` and
        ``letters`` recomputed (letters of the original option order).
    """
    if scorer not in SCORERS:
        raise ValueError(f"unknown scorer {scorer!r}; choose from {', '.join(SCORERS)}")
    if not has_outputs(row):
        return row
    assert row.options is not None
    samples = [_sample(m, row.options, scorer) for m in kept_messages(row)]
    vote = majority_vote([s.letter for s in samples])
    chosen = next((s for s in samples if vote.letter and s.letter == vote.letter), None)
    shown = chosen or samples[0]
    predicted = to_original(vote.letter, row.option_order)
    votes: dict[str, int] = {}
    for letter, count in vote.votes.items():
        key = to_original(letter, row.option_order) or letter
        votes[key] = votes.get(key, 0) + count
    letters = [to_original(s.letter, row.option_order) for s in samples]
    return row.model_copy(
        update={
            "predicted": predicted,
            "correct": None if row.gold is None else predicted == row.gold,
            "method": chosen.method if chosen else None,
            "span": shown.span,
            "votes": dict(sorted(votes.items())),
            "agreement": round(vote.agreement, 4),
            "letters": letters if len(samples) > 1 else None,
        }
    )


class ReExtraction(BaseModel):
    """What re-extracting a results file changed."""

    source: str
    written: str
    rows: int = 0
    rescored: int = 0
    without_outputs: int = 0
    changed_ids: list[str] = Field(default_factory=list)


def reextract_file(path: str | Path, out: str | Path, scorer: str = "strict") -> ReExtraction:
    """Re-score every row of results file ``path`` from its kept outputs into ``out`` (``path`` untouched).

    Args:
        path: a results file.
        out: where the re-scored rows go (one per id; rows without outputs copied as they are).
        scorer: ``strict`` (the current extractor, as scoring does) or ``lenient``.

    Returns:
        A :class:`ReExtraction`; the paired comparison is :func:`alphamed_client.report.compare` of both files.
    """
    from alphamed_client.results import read_results

    path, out = Path(path), Path(out)
    if out.resolve() == path.resolve():
        raise ValueError(f"{out}: re-extraction never overwrites the results it reads")
    summary = ReExtraction(source=str(path), written=str(out))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for row in read_results(path):
            summary.rows += 1
            new = rescore_row(row, scorer)
            if has_outputs(row):
                summary.rescored += 1
            elif row.error is None:
                summary.without_outputs += 1
            if new.predicted != row.predicted:
                summary.changed_ids.append(row.id)
            handle.write(new.model_dump_json() + "\n")
    os.replace(tmp, out)
    return summary
