"""Training recipes: one pydantic model per concern, read from YAML, overridden from the CLI.

A recipe file has one section per concern (``model``, ``data``, ``warm_start``, ``rewards``,
``grpo``, ``generation``, ``checkpointing``, ``logging``, ``distributed``); every field can be
overridden on the command line as ``--section.field value``. Validation errors name the flag:

>>> try:
...     load_recipe_dict({"model": {"name_or_path": "m"}, "grpo": {"learning_rate": -1}})
... except RecipeError as e:
...     print(e)
--grpo.learning_rate must be > 0 (got -1)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator


class RecipeError(ValueError):
    """A recipe or override is invalid; the message names the ``--section.field`` flag."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TinyModelConfig(_Section):
    """Settings of the project's tiny model (used when ``model.name_or_path`` is ``tiny``)."""

    seed: int = Field(0, description="Seed of the tiny model's weights and tokenizer.")
    hidden_size: int = Field(128, ge=32, description="Hidden size (head_dim = hidden/heads must stay >= 32 for vLLM CPU).")
    num_layers: int = Field(2, ge=1, description="Transformer layers.")
    num_heads: int = Field(4, ge=1, description="Attention heads.")
    num_kv_heads: int = Field(2, ge=1, description="Key/value heads.")


class ModelConfig(_Section):
    """The policy model."""

    name_or_path: str = Field(description="Hugging Face id or local folder, or `tiny` for the project's tiny model.")
    revision: str | None = Field(None, description="Branch, tag or commit of a hub id (default: main). A hub id "
                                                   "resolves like from_pretrained: HF_HOME, HF_TOKEN, HF_HUB_OFFLINE.")
    tiny: TinyModelConfig = Field(default_factory=TinyModelConfig, description="Tiny-model settings.")
    dtype: Literal["auto", "float32", "bfloat16", "float16"] = Field("auto", description="Weights dtype.")
    attn_implementation: str | None = Field(None, description="e.g. flash_attention_2, sdpa.")


class FactBankConfig(_Section):
    """The synthetic clinical fact bank (see ``alphamed_train.factbank``)."""

    seed: int = Field(0, description="Split / distractor seed.")
    num_options: int = Field(4, ge=2, le=5, description="Options per question.")
    num_rl: int = Field(16, ge=1, description="Facts GRPO trains on.")
    num_heldout: int = Field(8, ge=1, description="Facts kept for the held-out measure.")


class DataConfig(_Section):
    """Training questions."""

    source: str = Field("factbank", description="`factbank` or a question-bank JSONL path.")
    style: str = Field("alphamed", description="Prompt style (alphamed, think-answer, plain).")
    factbank: FactBankConfig = Field(default_factory=FactBankConfig, description="Fact-bank settings.")
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
    answer_style: Literal["recall", "walk"] = Field("recall", description="Worked answers: `recall` states the drug, `walk` checks each option.")
    cache_dir: str | None = Field(None, description="Where the warm-started model is cached (default: OUTPUT_DIR/warm-start).")


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


class GrpoConfig(_Section):
    """GRPO hyperparameters (passed to TRL's GRPOConfig)."""

    learning_rate: float = Field(1e-6, gt=0, description="Peak learning rate.")
    lr_scheduler_type: str = Field("constant", description="transformers scheduler name.")
    warmup_steps: float = Field(0, ge=0, description="Warmup steps (a value < 1 is a share of all steps).")
    weight_decay: float = Field(0.0, ge=0, description="AdamW weight decay.")
    max_grad_norm: float = Field(1.0, gt=0, description="Gradient clipping.")
    num_generations: int = Field(8, ge=2, description="Completions per prompt (the group).")
    per_device_train_batch_size: int = Field(8, ge=1, description="Completions per device per step.")
    gradient_accumulation_steps: int = Field(1, ge=1, description="Micro-batches per optimizer step.")
    max_steps: int = Field(-1, description="Stop after this many steps (-1: use num_train_epochs).")
    num_train_epochs: float = Field(1.0, gt=0, description="Epochs over the questions.")
    max_completion_length: int = Field(1024, ge=1, description="Completion token budget.")
    temperature: float = Field(1.0, gt=0, description="Sampling temperature of rollouts.")
    top_p: float = Field(1.0, gt=0, le=1, description="Nucleus sampling of rollouts.")
    beta: float = Field(0.0, ge=0, description="KL coefficient (0: no reference model).")
    epsilon: float = Field(0.2, gt=0, description="Clip range.")
    num_iterations: int = Field(1, ge=1, description="Policy updates per generation batch.")
    loss_type: str = Field("dapo", description="TRL loss type (grpo, dapo, dr_grpo, bnpo...).")
    scale_rewards: str = Field("group", description="group, batch or none.")
    seed: int = Field(42, description="Trainer seed.")
    bf16: bool = Field(False, description="bfloat16 training.")
    use_cpu: bool = Field(False, description="Train on CPU.")
    gradient_checkpointing: bool = Field(False, description="Trade compute for memory.")
    extra: dict[str, Any] = Field(default_factory=dict, description="Any other GRPOConfig field, passed as is.")

    @model_validator(mode="after")
    def _groups_fit(self) -> GrpoConfig:
        if self.max_steps == 0 or self.max_steps < -1:
            raise ValueError("max_steps must be -1 or > 0")
        if self.bf16 and self.use_cpu:
            raise ValueError("bf16 needs a GPU; set --grpo.bf16 false with --grpo.use_cpu true")
        return self


class GenerationConfig(_Section):
    """How rollouts are generated."""

    backend: Literal["transformers", "vllm"] = Field("transformers", description="transformers (CPU or GPU) or vllm (GPU).")
    vllm_mode: Literal["colocate", "server"] = Field("colocate", description="vLLM inside the trainer, or a `trl vllm-serve` server.")
    vllm_server_base_url: str | None = Field(None, description="URL of `trl vllm-serve` (server mode).")
    vllm_gpu_memory_utilization: float = Field(0.3, gt=0, le=1, description="GPU memory share of colocated vLLM.")
    vllm_tensor_parallel_size: int = Field(1, ge=1, description="Tensor parallel size of colocated vLLM.")


class CheckpointingConfig(_Section):
    """Where and how often checkpoints are written."""

    output_dir: str = Field(description="Run folder: checkpoints, logs, final model.")
    save_steps: int = Field(100, ge=1, description="Save every N steps.")
    save_total_limit: int | None = Field(3, ge=2, description="Keep at most N checkpoints (>= 2, so a complete one survives while the next is written).")


class LoggingConfig(_Section):
    """Metrics sinks."""

    report_to: list[str] = Field(default_factory=lambda: ["tensorboard"], description="tensorboard, wandb, none.")
    logging_steps: int = Field(1, ge=1, description="Log every N steps.")
    run_name: str | None = Field(None, description="Run name (W&B, TensorBoard).")
    log_completions: bool = Field(False, description="Log sample completions.")


class DistributedConfig(_Section):
    """DeepSpeed / accelerate."""

    deepspeed: str | None = Field(None, description="zero2, zero3 or a DeepSpeed JSON path (single-process or under accelerate).")


class EvaluationConfig(_Section):
    """Before/after measures (fact bank only)."""

    factbank: bool = Field(True, description="Score RL, reordered and held-out MCQs before and after RL.")


class Recipe(_Section):
    """A whole training recipe."""

    model: ModelConfig
    data: DataConfig = Field(default_factory=DataConfig)
    warm_start: WarmStartConfig | None = None
    rewards: list[RewardConfig] = Field(default_factory=lambda: [RewardConfig(name="accuracy"), RewardConfig(name="format", weight=0.1)])
    grpo: GrpoConfig = Field(default_factory=GrpoConfig)
    generation: GenerationConfig = Field(default_factory=GenerationConfig)
    checkpointing: CheckpointingConfig = Field(default_factory=lambda: CheckpointingConfig(output_dir="runs/alphamed"))
    logging: LoggingConfig = Field(default_factory=LoggingConfig)
    distributed: DistributedConfig = Field(default_factory=DistributedConfig)
    evaluation: EvaluationConfig = Field(default_factory=EvaluationConfig)

    @model_validator(mode="after")
    def _combinations(self) -> Recipe:
        g, gen = self.grpo, self.generation
        if not self.rewards:
            raise ValueError("rewards: at least one reward is needed")
        if g.per_device_train_batch_size * g.gradient_accumulation_steps % g.num_generations:
            raise _FieldError(("grpo", "num_generations"), f"must divide per_device_train_batch_size x gradient_accumulation_steps ({g.per_device_train_batch_size} x {g.gradient_accumulation_steps})")
        if gen.backend == "vllm" and g.use_cpu:
            raise _FieldError(("generation", "backend"), "vllm rollouts need a GPU; use `transformers` with --grpo.use_cpu true")
        if gen.backend == "vllm" and gen.vllm_mode == "server" and not gen.vllm_server_base_url:
            raise _FieldError(("generation", "vllm_server_base_url"), "is required with --generation.vllm_mode server (start it with `trl vllm-serve --model M`)")
        if self.warm_start is not None and self.data.source != "factbank":
            raise _FieldError(("warm_start",), "only applies to --data.source factbank")
        if self.evaluation.factbank and self.data.source != "factbank":
            self.evaluation.factbank = False
        return self


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


def _format_errors(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors():
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, _FieldError):
            lines.append(f"{flag(cause.loc)} {cause.msg}")
        else:
            loc = tuple(p for p in err["loc"] if not str(p).startswith("function-"))
            lines.append(f"{flag(loc) if loc else 'recipe'} {_describe(err)}")
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
        return Recipe.model_validate(data)
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
