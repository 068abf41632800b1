"""vLLM rollouts on CPU: the trainer's weights reach vLLM through vLLM's public ``reload_weights``.

TRL's colocate sync writes each tensor through the model's ``load_weights``; vLLM's CPU backend prepacks
linear weights and replaces ``layer.weight``, so that call fails at the first step
(``'Parameter' object has no attribute 'weight_loader'``). vLLM's own in-place reload does work there:
``llm.collective_rpc("reload_weights", kwargs={"weights_iterator": [(name, tensor), ...]})`` followed by
``llm.reset_prefix_cache()``. :func:`install` swaps that in for one trainer's ``vllm_generation.sync_weights``
(TRL offers no public hook for the sync; this is the narrowest override: one method of one object).
The tensors and their vLLM names come from TRL's own iterator (PEFT adapters merged, prefixes fixed).

Turned on by ``--generation.cpu_weight_sync true`` (with ``--generation.backend vllm --grpo.use_cpu true``);
on GPU TRL's own sync runs untouched. Tied input/output embeddings are refused: on CPU an embedding update
does not reach vLLM's output layer (its logits go stale).
"""

from __future__ import annotations

import logging
import time
from typing import Any

logger = logging.getLogger(__name__)

TIED_MESSAGE = (
    "--generation.cpu_weight_sync: the model ties its input and output embeddings (tie_word_embeddings); "
    "vLLM's CPU backend does not follow embedding updates then. Use a model with untied embeddings "
    "(tiny model: --model.tiny.tie_word_embeddings false)"
)


def check_untied(model_path: str) -> None:
    """Refuse a model with tied embeddings (reads only its config).

    Raises:
        ValueError: with :data:`TIED_MESSAGE`.
    """
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(model_path)
    text = getattr(config, "get_text_config", lambda: config)()
    if getattr(text, "tie_word_embeddings", False):
        raise ValueError(TIED_MESSAGE)


def reload_weights(llm: Any, weights: list[tuple[str, Any]]) -> None:
    """Load ``(vLLM name, tensor)`` pairs into a running vLLM ``LLM`` in place and drop its prefix cache."""
    llm.collective_rpc("reload_weights", kwargs={"weights_iterator": weights})
    llm.reset_prefix_cache()


def install(trainer: Any) -> None:
    """Make ``trainer`` (a TRL GRPOTrainer in vLLM colocate mode) sync weights with :func:`reload_weights`.

    Args:
        trainer: the trainer, after construction (its ``vllm_generation`` holds the in-process ``LLM``).
    """
    generation = trainer.vllm_generation
    if generation.mode != "colocate":
        raise ValueError("--generation.cpu_weight_sync only works with --generation.vllm_mode colocate")

    def sync_weights() -> None:
        start = time.perf_counter()
        # copies: with PEFT the merged tensors are unmerged in place once TRL's iterator finishes
        weights = [(name, tensor.detach().clone()) for name, tensor in generation._iter_named_params()]
        reload_weights(generation.llm, weights)
        logger.debug("synced %d tensors to vLLM in %.3f s", len(weights), time.perf_counter() - start)

    generation.sync_weights = sync_weights
    logger.info("vLLM weight sync on CPU: through vLLM's reload_weights")
