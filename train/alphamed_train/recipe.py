"""Training recipes: one pydantic model per concern, read from YAML, overridden from the CLI.

A recipe file has one section per concern (``model``, ``data``, ``warm_start``, ``rewards``,
``grpo``, ``generation``, ``peft``, ``checkpointing``, ``logging``, ``distributed``, ``evaluation``);
``grpo``, ``generation`` and ``peft`` take their fields, types and help from TRL's ``GRPOConfig`` and
PEFT's ``LoraConfig`` (``alphamed_train.library_sections``). Every field can be overridden on the command
line as ``--section.field value``. Validation errors name the flag:

>>> try:
...     load_recipe_dict({"model": {"name_or_path": "m"}, "grpo": {"learning_rate": -1}})
... except RecipeError as e:
...     print(e)
--grpo.learning_rate must be > 0 (got -1)
"""

from __future__ import annotations

import functools
import importlib.util
import typing
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, field_validator, model_validator


class RecipeError(ValueError):
    """A recipe or override is invalid; the message names the ``--section.field`` flag."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TinyModelConfig(_Section):
    """Settings of the project's tiny model (used when ``model.name_or_path`` is ``tiny``)."""

    seed: int = Field(0, description="Seed of the tiny model's weights and tokenizer.")
    hidden_size: int = Field(
        128, ge=32, description="Hidden size (head_dim = hidden/heads must stay >= 32 for vLLM CPU)."
    )
    num_layers: int = Field(2, ge=1, description="Transformer layers.")
    num_heads: int = Field(4, ge=1, description="Attention heads.")
    num_kv_heads: int = Field(2, ge=1, description="Key/value heads.")
    tie_word_embeddings: bool = Field(
        True, description="Share input and output embeddings (false for vLLM rollouts on CPU)."
    )
    intermediate_size: int | None = Field(None, ge=8, description="MLP width (default: 2 x hidden_size).")
    tokenizer: Literal["bpe", "syllable"] = Field(
        "bpe", description="`bpe` (trained on clinical text) or `syllable` (made-up names: the copy/match task)."
    )


class ModelConfig(_Section):
    """The policy model."""

    name_or_path: str = Field(description="Hugging Face id or local folder, or `tiny` for the project's tiny model.")
    revision: str | None = Field(
        None,
        description="Branch, tag or commit of a hub id (default: main). A hub id "
        "resolves like from_pretrained: HF_HOME, HF_TOKEN, HF_HUB_OFFLINE.",
    )
    tiny: TinyModelConfig = Field(default_factory=TinyModelConfig, description="Tiny-model settings.")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field("auto", description="Weights dtype.")
    attn_implementation: Literal["sdpa", "eager", "flash_attention_2"] = Field(
        "sdpa", description="sdpa (default), eager, or flash_attention_2 (needs the flash-attn package)."
    )


class FactBankConfig(_Section):
    """The synthetic clinical fact bank (see ``alphamed_train.factbank``)."""

    seed: int = Field(0, description="Split / distractor seed.")
    num_options: int = Field(4, ge=2, le=5, description="Options per question.")
    num_rl: int = Field(16, ge=1, description="Facts GRPO trains on.")
    num_heldout: int = Field(8, ge=1, description="Facts kept for the held-out measure.")


class CopyMatchConfig(_Section):
    """The copy/match questions (see ``alphamed_train.copymatch``): made-up names, disjoint per split."""

    seed: int = Field(0, description="Name / split / distractor seed.")
    num_options: int = Field(4, ge=2, le=5, description="Options per question.")
    num_rl: int = Field(600, ge=1, description="Questions GRPO trains on.")
    num_validation: int = Field(300, ge=1, description="Questions that choose the checkpoint.")
    num_heldout: int = Field(600, ge=1, description="Questions of the final measure (names never trained on).")
    orders: int = Field(3, ge=1, le=5, description="Option orders each measured question is asked in.")


class DataConfig(_Section):
    """Training questions."""

    source: str = Field(
        "factbank", description="`factbank`, `copymatch` (the skill-transfer task) or a question-bank JSONL path."
    )
    style: str = Field("alphamed", description="Prompt style (alphamed, think-answer, plain).")
    factbank: FactBankConfig = Field(default_factory=FactBankConfig, description="Fact-bank settings.")
    copymatch: CopyMatchConfig = Field(default_factory=CopyMatchConfig, description="Copy/match settings.")
    shuffle_options: bool = Field(False, description="Draw a fresh option order every time a question is sampled.")
    max_questions: int | None = Field(None, ge=1, description="Use at most this many questions.")

    @field_validator("style")
    @classmethod
    def _known_style(cls, v: str) -> str:
        from alphamed.prompts import STYLES

        if v not in STYLES:
            raise ValueError(f"must be one of {', '.join(STYLES)} (got {v!r})")
        return v


class WarmStartConfig(_Section):
    """Supervised warm start on the fact bank before RL (tiny-model demo only)."""

    steps: int = Field(1000, ge=1, description="Optimizer steps.")
    batch_size: int = Field(8, ge=1, description="Sequences per step.")
    learning_rate: float = Field(2e-3, gt=0, description="Peak learning rate (cosine decay).")
    mcq_fraction: float = Field(0.5, ge=0, le=1, description="Share of worked MCQs (the rest is prose facts).")
    seed: int = Field(0, description="Sampling / init seed.")
    answer_style: Literal["recall", "walk"] = Field(
        "recall", description="Worked answers: `recall` states the drug, `walk` checks each option."
    )
    prompt_loss: bool = Field(
        False,
        description="Copy/match: train on the prompt tokens too (the names repeated in the note and the options "
        "are copy targets: more signal for the copying skill).",
    )
    cache_dir: str | None = Field(
        None, description="Where the warm-started model is cached (default: OUTPUT_DIR/warm-start)."
    )


class RewardConfig(_Section):
    """One reward function and its weight."""

    name: str = Field(description="`accuracy`, `format` or a dotted import path.")
    weight: float = Field(1.0, description="Weight in the summed reward (GRPOConfig.reward_weights).")
    settings: dict[str, Any] = Field(default_factory=dict, description="Keyword settings for the reward factory.")

    @field_validator("name")
    @classmethod
    def _resolvable(cls, v: str) -> str:
        from alphamed.rewards import REWARDS

        if v not in REWARDS and "." not in v:
            raise ValueError(f"must be one of {', '.join(REWARDS)} or a dotted import path (got {v!r})")
        return v


class CheckpointingConfig(_Section):
    """Where and how often checkpoints are written."""

    output_dir: str = Field(description="Run folder: checkpoints, logs, final model.")
    save_steps: int = Field(100, ge=1, description="Save every N steps.")
    save_total_limit: int | None = Field(
        3, ge=2, description="Keep at most N checkpoints (>= 2, so a complete one survives while the next is written)."
    )


class LoggingConfig(_Section):
    """Metrics sinks."""

    report_to: list[str] = Field(default_factory=lambda: ["tensorboard"], description="tensorboard, wandb, none.")
    logging_steps: int = Field(1, ge=1, description="Log every N steps.")
    run_name: str | None = Field(None, description="Run name (W&B, TensorBoard).")
    log_completions: bool = Field(False, description="Log sample completions.")


class DistributedConfig(_Section):
    """DeepSpeed / accelerate."""

    deepspeed: str | None = Field(
        None, description="zero2, zero3 or a DeepSpeed JSON path (single-process or under accelerate)."
    )


class TransferConfig(_Section):
    """The transfer measurement of ``alphamed train RECIPE --transfer OUT.json`` (copy/match only)."""

    seeds: list[int] = Field(default_factory=lambda: [0, 1, 2], min_length=1, description="GRPO seeds, one run each.")
    sft_learning_rate: float = Field(2e-4, gt=0, description="The SFT control's learning rate (constant).")
    sft_batch_size: int = Field(8, ge=1, description="The SFT control's sequences per step.")
    sft_seconds: float | None = Field(
        None, gt=0, description="The SFT control's wall time (default: the mean GRPO training time of the seeds)."
    )
    sft_steps: int | None = Field(
        None, ge=1, description="Train the SFT control for exactly N steps instead (bit-identical reruns)."
    )


class EvaluationConfig(_Section):
    """Before/after measures (fact bank only) and a held-out bank scored during training."""

    factbank: bool = Field(True, description="Score RL, reordered and held-out MCQs before and after RL.")
    every_steps: int | None = Field(
        None, ge=1, description="Score the held-out bank every N steps (greedy; logged as eval/*)."
    )
    bank: str = Field(
        "factbank-heldout",
        description="Bank scored during training: `factbank-heldout`, `copymatch-validation` or a JSONL path.",
    )
    max_questions: int | None = Field(None, ge=1, description="Score at most this many held-out questions.")
    select_best: bool = Field(
        False, description="Save as `final` the weights that scored best on that bank (checkpoint selection)."
    )


class Recipe(_Section):
    """A whole training recipe (validate with :func:`load_recipe_dict`: ``grpo``, ``generation`` and ``peft``
    take their fields from TRL's GRPOConfig and PEFT's LoraConfig, see ``alphamed_train.library_sections``)."""

    model: ModelConfig
    data: DataConfig = Field(default_factory=DataConfig)
    warm_start: WarmStartConfig | None = None
    rewards: list[RewardConfig] = Field(
        default_factory=lambda: [RewardConfig(name="accuracy"), RewardConfig(name="format", weight=0.1)]
    )
    grpo: Any = None
    generation: Any = None
    peft: Any = None
    checkpointing: CheckpointingConfig = Field(default_factory=lambda: CheckpointingConfig(output_dir="runs/alphamed"))
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    distributed: DistributedConfig = Field(default_factory=DistributedConfig)
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig)
    transfer: TransferConfig = Field(default_factory=TransferConfig)

    @model_validator(mode="after")
    def _combinations(self) -> Recipe:
        g, gen = self.grpo, self.generation
        if not self.rewards:
            raise ValueError("rewards: at least one reward is needed")
        if g.max_steps == 0 or g.max_steps < -1:
            raise _FieldError(("grpo", "max_steps"), "must be -1 or > 0")
        if g.bf16 and g.use_cpu:
            raise _FieldError(("grpo", "bf16"), "needs a GPU; set --grpo.bf16 false with --grpo.use_cpu true")
        if g.per_device_train_batch_size * g.gradient_accumulation_steps % g.num_generations:
            raise _FieldError(
                ("grpo", "num_generations"),
                f"must divide per_device_train_batch_size x gradient_accumulation_steps ({g.per_device_train_batch_size} x {g.gradient_accumulation_steps})",
            )
        self._check_generation(g, gen)
        if self.warm_start is not None and self.data.source not in ("factbank", "copymatch"):
            raise _FieldError(("warm_start",), "only applies to --data.source factbank or copymatch")
        if self.evaluation.select_best and not self.evaluation.every_steps:
            raise _FieldError(("evaluation", "select_best"), "needs --evaluation.every_steps N")
        if self.evaluation.factbank and self.data.source != "factbank":
            self.evaluation.factbank = False
        if self.evaluation.every_steps and importlib.util.find_spec("alphamed_client") is None:
            raise _FieldError(
                ("evaluation", "every_steps"), "needs alphamed-client: pip install 'alphamed-train[eval]'"
            )
        if (
            self.evaluation.bank == "factbank-heldout"
            and self.evaluation.every_steps
            and self.data.source != "factbank"
        ):
            raise _FieldError(
                ("evaluation", "bank"),
                "factbank-heldout needs --data.source factbank; give a question-bank JSONL path",
            )
        if self.evaluation.bank == "copymatch-validation" and self.data.source != "copymatch":
            raise _FieldError(("evaluation", "bank"), "copymatch-validation needs --data.source copymatch")
        return self

    @staticmethod
    def _check_generation(g: Any, gen: Any) -> None:
        vllm = gen.backend == "vllm"
        if vllm and gen.vllm_mode == "server" and not gen.vllm_server_base_url:
            raise _FieldError(
                ("generation", "vllm_server_base_url"),
                "is required with --generation.vllm_mode server (start it with `trl vllm-serve --model M`)",
            )
        if vllm and g.use_cpu and gen.vllm_mode == "server":
            raise _FieldError(
                ("generation", "vllm_mode"),
                "server needs a GPU (TRL syncs weights to the server over NCCL); use colocate on CPU",
            )
        if vllm and g.use_cpu and not gen.cpu_weight_sync:
            raise _FieldError(
                ("generation", "backend"),
                "vllm rollouts on CPU need --generation.cpu_weight_sync true (TRL's in-place sync cannot reach vLLM's prepacked CPU weights)",
            )
        if gen.cpu_weight_sync and not (vllm and g.use_cpu):
            raise _FieldError(
                ("generation", "cpu_weight_sync"),
                "only applies to --generation.backend vllm with --grpo.use_cpu true (on GPU TRL's own sync runs)",
            )
        if vllm and g.use_cpu and gen.vllm_enable_sleep_mode:
            raise _FieldError(("generation", "vllm_enable_sleep_mode"), "needs a GPU; set it false on CPU")


@functools.cache
def recipe_class() -> type[Recipe]:
    """:class:`Recipe` with its ``grpo`` / ``generation`` / ``peft`` sections read from the installed TRL and PEFT."""
    from alphamed_train.library_sections import generation_section, grpo_section, peft_missing, peft_section

    grpo, gen, lora = grpo_section(), generation_section(), peft_section()
    return create_model(
        "Recipe",
        __base__=Recipe,
        grpo=(grpo, Field(default_factory=grpo, description="GRPO hyperparameters: any field of TRL's GRPOConfig.")),
        generation=(gen, Field(default_factory=gen, description="Rollouts: backend and TRL's vllm_* fields.")),
        peft=(lora | None if lora else peft_missing(), Field(None, description="LoRA: PEFT's LoraConfig fields.")),
    )


def section_fields(section: str) -> list[str]:
    """The field names of a recipe section (for "did you mean" hints)."""
    field = recipe_class().model_fields.get(section)
    kinds = [field.annotation] + list(typing.get_args(field.annotation)) if field else []
    for kind in kinds:
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return list(kind.model_fields)
    return []


class _FieldError(ValueError):
    def __init__(self, loc: tuple[str, ...], msg: str):
        super().__init__(msg)
        self.loc, self.msg = loc, msg


def flag(loc: tuple[Any, ...]) -> str:
    """The CLI flag of a field location, e.g. ``("grpo", "learning_rate") -> --grpo.learning_rate``."""
    return "--" + ".".join(str(p) for p in loc)


def _describe(err: dict[str, Any]) -> str:
    ctx, kind, got = err.get("ctx") or {}, err["type"], err.get("input")
    bounds = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}
    if kind in bounds:
        value = next(iter(ctx.values()))
        value = f"{value:g}" if isinstance(value, float) else value
        return f"must be {bounds[kind]} {value} (got {got!r})"
    if kind == "extra_forbidden":
        return "is not a recipe setting"
    if kind == "missing":
        return "is required"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')} (got {got!r})"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{msg[0].lower()}{msg[1:]}" if kind.endswith("_parsing") or kind.endswith("_type") else msg


def _hint(err: dict[str, Any], loc: tuple[Any, ...]) -> str:
    if err["type"] != "extra_forbidden" or len(loc) != 2:
        return ""
    import difflib

    from alphamed_train.library_sections import library_versions

    owner = {"grpo": "TRL's GRPOConfig", "generation": "TRL's GRPOConfig", "peft": "PEFT's LoraConfig"}.get(
        str(loc[0])
    )
    if owner:
        lib = "trl" if owner.startswith("TRL") else "peft"
        owner = f" ({owner} {library_versions().get(lib, '')} has no such field)".replace("  ", " ")
    close = difflib.get_close_matches(str(loc[1]), section_fields(str(loc[0])), n=1)
    return (owner or "") + (f"; did you mean --{loc[0]}.{close[0]}?" if close else "")


def _format_errors(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, _FieldError):
            lines.append(f"{flag(cause.loc)} {cause.msg}")
        else:
            loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
            lines.append(f"{flag(loc) if loc else 'recipe'} {_describe(err)}{_hint(err, loc)}")
    return "\n".join(lines)


def load_recipe_dict(data: dict[str, Any]) -> Recipe:
    """Validate a recipe mapping.

    Args:
        data: the parsed YAML (with overrides applied).

    Returns:
        The recipe.

    Raises:
        RecipeError: naming each bad ``--section.field``.
    """
    try:
        return recipe_class().model_validate(data)
    except ValidationError as exc:
        raise RecipeError(_format_errors(exc)) from None


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``--section.field value`` pairs (values parsed as YAML scalars/lists).

    >>> apply_overrides({"grpo": {"beta": 0.0}}, ["--grpo.beta", "0.04", "--model.name_or_path=x"])
    {'grpo': {'beta': 0.04}, 'model': {'name_or_path': 'x'}}
    """
    import yaml

    pairs: list[tuple[str, str]] = []
    items = list(overrides)
    while items:
        key = items.pop(0)
        if not key.startswith("--") or len(key) < 3:
            raise RecipeError(f"expected --section.field VALUE, got {key!r}")
        if "=" in key:
            key, value = key.split("=", 1)
        elif items and not items[0].startswith("--"):
            value = items.pop(0)
        else:
            raise RecipeError(f"{key} needs a value")
        pairs.append((key[2:], value))
    for dotted, value in pairs:
        node = data
        *parents, leaf = dotted.split(".")
        for part in parents:
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            if not isinstance(child, dict):
                raise RecipeError(f"--{dotted}: {part} is not a section")
            node = child
        node[leaf] = yaml.safe_load(value)
    return data


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> Recipe:
    """Read a YAML recipe, apply CLI overrides, validate.

    Args:
        path: the YAML file.
        overrides: ``["--grpo.learning_rate", "1e-5", ...]``.

    Returns:
        The recipe.

    Raises:
        RecipeError: unreadable file or invalid settings (naming the flag).
    """
    import yaml

    try:
        data = yaml.safe_load(Path(path).read_text()) or {}
    except OSError as exc:
        raise RecipeError(f"cannot read recipe {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        raise RecipeError(f"recipe {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise RecipeError(f"recipe {path} must be a mapping of sections")
    return load_recipe_dict(apply_overrides(data, overrides or []))
