"""The core pipeline end to end on a local model: question -> prompt -> generation -> answer.

Loads a few questions from the shipped sample bank, builds chat messages in a prompt style,
applies the model's chat template, generates greedily with transformers, splits the reasoning
from the answer and extracts the answer letter. With the random tiny model the answers are
mostly None: the point is that every stage runs, not that the model knows medicine.

Needs the model stack (``pip install alphamed[tiny]``); imported lazily.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass
from os import PathLike

from alphamed.data import QuestionBank, sample_bank_path
from alphamed.extract import extract_answer
from alphamed.prompts import build_messages
from alphamed.reasoning import answer_region
from alphamed.schema import Question

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoRow:
    """One answered question.

    Args:
        id: question id.
        gold: the gold letter.
        extracted: the letter found in the output, or None.
        method: the extraction rule that found it, or None.
        output: the generated text.
    """

    id: str
    gold: str | None
    extracted: str | None
    method: str | None
    output: str


def answer_questions(
    model_dir: str | PathLike[str],
    questions: list[Question],
    *,
    style: str = "alphamed",
    max_new_tokens: int = 64,
) -> list[DemoRow]:
    """Answer ``questions`` with the model in ``model_dir`` (greedy decoding, CPU or GPU).

    Args:
        model_dir: a Hugging Face model folder (e.g. from ``alphamed tiny-model``).
        questions: what to ask.
        style: prompt style name.
        max_new_tokens: generation budget per question.

    Returns:
        One :class:`DemoRow` per question, in order.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    model.eval()
    rows = []
    for question in questions:
        prompt = tokenizer.apply_chat_template(
            build_messages(question, style), tokenize=False, add_generation_prompt=True
        )
        inputs = tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        with torch.no_grad():
            out = model.generate(
                **inputs, max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=tokenizer.pad_token_id
            )
        text = tokenizer.decode(out[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True)
        found = extract_answer(answer_region(text), question.options)
        rows.append(
            DemoRow(
                question.id, question.answer, found.letter if found else None, found.method if found else None, text
            )
        )
        logger.info("%s: gold %s, extracted %s", question.id, question.answer, rows[-1].extracted)
    return rows


def run_demo(
    model_dir: str | PathLike[str], n: int = 5, max_new_tokens: int = 64, style: str = "alphamed"
) -> list[DemoRow]:
    """Answer the first ``n`` questions of the sample bank with the model in ``model_dir``."""
    questions = list(itertools.islice(QuestionBank(sample_bank_path()), n))
    return answer_questions(model_dir, questions, style=style, max_new_tokens=max_new_tokens)
