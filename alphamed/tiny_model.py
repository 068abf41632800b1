"""Build a tiny Qwen2-architecture model and its tokenizer, offline, from the project's own text.

Used by tests and the demo so nothing downloads weights. Hidden size 128, 4 heads
(head_dim 32, the smallest vLLM's CPU backend accepts), 2 KV heads, 2 layers; a byte-level
BPE trained here with a ChatML chat template; ``<think>``/``</think>`` and
``<answer>``/``</answer>`` are ordinary added tokens (TRL decodes completions with special
tokens skipped, so special tags would vanish before rewards see them).

A second tokenizer, ``syllable``, serves the copy/match skill demo: made-up names must be copyable
token by token, which a byte-level BPE trained on English words makes hard (a name splits into
arbitrary pieces). It is a BPE whose merges are fixed by hand: every consonant+vowel pair is one token,
and the fixed phrases of the prompt and answer formats (:data:`SYLLABLE_PHRASES`) are single added
tokens; anything else falls back to bytes, so every text still encodes.

Needs ``pip install alphamed[tiny]`` (torch, transformers, tokenizers); imported lazily.
"""

from __future__ import annotations

import json
import logging
import random
from pathlib import Path

logger = logging.getLogger(__name__)

CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)
SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
TAG_TOKENS = ["<think>", "</think>", "<answer>", "</answer>"]

_WORDS = (
    "patient presents with fever cough chest pain dyspnea fatigue weight loss headache nausea "
    "vomiting abdominal pain diarrhea rash jaundice anemia hypertension diabetes asthma pneumonia "
    "infection sepsis heart failure myocardial infarction stroke seizure kidney liver lung blood "
    "pressure glucose insulin metformin aspirin heparin warfarin amoxicillin ceftriaxone vancomycin "
    "furosemide lisinopril atorvastatin levothyroxine prednisone albuterol first-line treatment "
    "diagnosis most likely next best step management mechanism of action adverse effect year-old "
    "man woman child infant history examination laboratory findings shows reveals elevated decreased "
    "normal question options answer the final answer is boxed reason step by step therefore because "
    "which of the following yes no maybe context study results suggest significant association"
).split()


def _corpus(seed: int, lines: int = 3000) -> list[str]:
    """Deterministic training text for the tokenizer: prompts, answers and clinical words."""
    rng = random.Random(seed)
    out = []
    letters = "ABCDEFGHIJ"
    for i in range(lines):
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(5, 25)))
        letter = letters[i % len(letters)]
        kind = i % 4
        if kind == 0:
            out.append(f"Question: A {rng.randint(18, 90)}-year-old {words}?")
        elif kind == 1:
            out.append(f"{letter}. {words}")
        elif kind == 2:
            out.append(f"<think>{words}</think><answer>{letter}</answer>")
        else:
            out.append(f"{words}. The final answer is: $\\boxed{{{letter}}}$")
    return out


def build_tokenizer(seed: int = 0, vocab_size: int = 1024):
    """Train a byte-level BPE tokenizer on the project's own text; returns a ``PreTrainedTokenizerFast``."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=SPECIAL_TOKENS,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator(_corpus(seed), trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=None,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        additional_special_tokens=["<|im_start|>"],
    )
    fast.add_tokens(TAG_TOKENS)  # ordinary, not special
    fast.chat_template = CHAT_TEMPLATE
    fast.model_max_length = 2048
    return fast


CONSONANTS = "bdfgklmnprstvz"
VOWELS = "aeiou"
# Fixed phrases of the ChatML template, the `alphamed` prompt style, its answer format and the copy/match
# task (alphamed_train.copymatch), each one ordinary added token (matched longest first, before bytes).
SYLLABLE_PHRASES = (
    "user\n",
    "assistant\n",
    "\n",
    "Question: ",
    "\n\nOptions:\n",
    "\n\nPlease reason step by step, and finish your answer with "
    '"The final answer is: $\\boxed{X}$", where X is the letter of the correct option.',
    "Note: in ",
    " use ",
    ". Patient has ",
    ". First-line?",
    "Use ",
    ". ",
    ": yes. ",
    ": no. ",
    "The final answer is: $\\boxed{",
    "}$",
)


def build_syllable_tokenizer():
    """The ``syllable`` tokenizer: bytes, every consonant+vowel merge, the fixed phrases as single tokens.

    Returns:
        A ``PreTrainedTokenizerFast`` with the ChatML template (deterministic: no training involved).

    Example (needs ``tokenizers`` and ``transformers``)::

        >>> build_syllable_tokenizer().tokenize("Note: in kalemo use ripatu")
        ['Note: in ', 'ka', 'le', 'mo', ' use ', 'ri', 'pa', 'tu']
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    pairs = [(c, v) for first in (CONSONANTS, CONSONANTS.upper()) for c in first for v in VOWELS]
    vocab = {tok: i for i, tok in enumerate(SPECIAL_TOKENS + alphabet + [c + v for c, v in pairs])}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=pairs))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        bos_token=None,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        unk_token=None,
        additional_special_tokens=["<|im_start|>"],
    )
    fast.add_tokens(list(SYLLABLE_PHRASES) + TAG_TOKENS)  # ordinary, not special
    fast.chat_template = CHAT_TEMPLATE
    fast.model_max_length = 2048
    return fast


def build_tiny_model(
    out_dir: str | Path,
    *,
    seed: int = 0,
    hidden_size: int = 128,
    num_layers: int = 2,
    num_heads: int = 4,
    num_kv_heads: int = 2,
    max_position_embeddings: int = 2048,
    tie_word_embeddings: bool = True,
    intermediate_size: int | None = None,
    tokenizer: str = "bpe",
) -> Path:
    """Build the tiny model + tokenizer and save them as a Hugging Face folder.

    Args:
        out_dir: folder to write (created).
        seed: the same seed gives the same weights and tokenizer.
        tie_word_embeddings: share input and output embeddings (False gives the output layer its own
            copy, which vLLM's CPU backend needs for weight updates to reach the logits).
        intermediate_size: MLP width (default ``2 * hidden_size``).
        tokenizer: ``bpe`` (byte-level BPE trained on clinical text) or ``syllable``
            (:func:`build_syllable_tokenizer`, for made-up names).

    Returns:
        The folder, loadable by ``AutoModelForCausalLM`` / ``AutoTokenizer``.
    """
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if tokenizer not in ("bpe", "syllable"):
        raise ValueError(f"tokenizer must be bpe or syllable (got {tokenizer!r})")
    tok = build_syllable_tokenizer() if tokenizer == "syllable" else build_tokenizer(seed)
    config = Qwen2Config(
        vocab_size=len(tok),
        hidden_size=hidden_size,
        intermediate_size=intermediate_size or hidden_size * 2,
        num_hidden_layers=num_layers,
        num_attention_heads=num_heads,
        num_key_value_heads=num_kv_heads,
        max_position_embeddings=max_position_embeddings,
        tie_word_embeddings=tie_word_embeddings,
        eos_token_id=tok.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=tok.pad_token_id,
        bos_token_id=None,
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(
        eos_token_id=config.eos_token_id,
        pad_token_id=config.pad_token_id,
        do_sample=False,
        max_new_tokens=256,
    )
    model.save_pretrained(out)
    tok.save_pretrained(out)
    (out / "alphamed_tiny.json").write_text(json.dumps({"seed": seed, "hidden_size": hidden_size}))
    logger.info("tiny model written to %s (%d parameters)", out, model.num_parameters())
    return out
