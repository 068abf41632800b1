"""Recipe sections whose fields belong to a library: TRL's ``GRPOConfig`` and PEFT's ``LoraConfig``.

Each field's name, type, default and help text is read from the installed library's own dataclass,
so a recipe accepts exactly what that TRL / PEFT accepts, typed and checked before any model loads:

- ``grpo``: every ``GRPOConfig`` field except the ``vllm_*`` ones and those the runner sets itself
  (:data:`RUNNER_OWNED`: naming one says which recipe flag sets it);
- ``generation``: ``backend`` and ``cpu_weight_sync`` (ours) plus every ``vllm_*`` field of ``GRPOConfig``;
- ``peft``: ``LoraConfig``'s fields (``r``, ``lora_alpha``, ``lora_dropout``, ``target_modules``, ...).

A few project defaults differ from TRL's (:data:`GRPO_DEFAULTS`) and a few fields carry bounds TRL
only checks later or never (:data:`BOUNDS`).
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, create_model

# GRPOConfig fields the runner sets from other recipe sections -> where the recipe sets them.
RUNNER_OWNED: dict[str, str] = {
    "output_dir": "--checkpointing.output_dir",
    "save_steps": "--checkpointing.save_steps",
    "save_total_limit": "--checkpointing.save_total_limit",
    "save_strategy": "--checkpointing.save_steps (the runner saves every N steps)",
    "logging_steps": "--logging.logging_steps",
    "report_to": "--logging.report_to",
    "run_name": "--logging.run_name",
    "log_completions": "--logging.log_completions",
    "deepspeed": "--distributed.deepspeed",
    "model_init_kwargs": "--model.dtype and --model.attn_implementation",
    "reward_weights": "--rewards.N.weight",
    "use_vllm": "--generation.backend vllm",
    "resume_from_checkpoint": "`alphamed train RECIPE --resume`",
    "do_eval": "--evaluation.every_steps",
    "eval_strategy": "--evaluation.every_steps",
    "eval_steps": "--evaluation.every_steps",
}

# Where this project's defaults differ from TRL's (kept so existing recipes train as before).
GRPO_DEFAULTS: dict[str, Any] = {
    "lr_scheduler_type": "constant",
    "num_train_epochs": 1.0,
    "max_completion_length": 1024,
    "bf16": False,
    "seed": 42,
}

BOUNDS: dict[str, dict[str, float]] = {
    "learning_rate": {"gt": 0},
    "warmup_steps": {"ge": 0},
    "weight_decay": {"ge": 0},
    "max_grad_norm": {"gt": 0},
    "num_generations": {"ge": 2},
    "per_device_train_batch_size": {"ge": 1},
    "gradient_accumulation_steps": {"ge": 1},
    "num_train_epochs": {"gt": 0},
    "max_completion_length": {"ge": 1},
    "temperature": {"gt": 0},
    "top_p": {"gt": 0, "le": 1},
    "beta": {"ge": 0},
    "epsilon": {"gt": 0},
    "num_iterations": {"ge": 1},
    "vllm_gpu_memory_utilization": {"gt": 0, "le": 1},
    "vllm_tensor_parallel_size": {"ge": 1},
    "r": {"ge": 1},
    "lora_dropout": {"ge": 0, "lt": 1},
}

TYPES: dict[str, Any] = {"vllm_mode": Literal["colocate", "server"]}

# LoraConfig fields the runner sets (a causal-LM adapter on the recipe's model).
PEFT_OWNED = (
    "task_type",
    "peft_type",
    "auto_mapping",
    "peft_version",
    "base_model_name_or_path",
    "revision",
    "inference_mode",
)


def _refuse(message: str) -> Any:
    def check(value: Any) -> Any:
        raise ValueError(message)

    return Annotated[Any, AfterValidator(check)]


class LibrarySection(BaseModel):
    """A section built from a library dataclass; :meth:`library_kwargs` is what goes to that dataclass."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    _library: typing.ClassVar[str] = ""
    _project_defaults: typing.ClassVar[tuple[str, ...]] = ()

    def library_kwargs(self) -> dict[str, Any]:
        """The fields set in the recipe (or given a project default), for the library's dataclass."""
        own = {name for name, f in type(self).model_fields.items() if (f.json_schema_extra or {}).get("library")}
        kept = {k: getattr(self, k) for k in self._project_defaults if k in own}
        return kept | {k: v for k, v in self.model_dump(exclude_defaults=True).items() if k in own}


def _fields(cls: type, skip: typing.Callable[[str], bool], defaults: dict[str, Any]) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    out: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if not f.init or skip(f.name):
            continue
        if f.name in defaults:
            default: dict[str, Any] = {"default": defaults[f.name]}
        elif f.default is not dataclasses.MISSING:
            default = {"default": f.default}
        elif f.default_factory is not dataclasses.MISSING:
            default = {"default_factory": f.default_factory}
        else:
            continue
        help_text = " ".join(str(f.metadata.get("help", "")).split())
        extra = {"library": True}
        out[f.name] = (
            TYPES.get(f.name, hints[f.name]),
            Field(description=help_text, json_schema_extra=extra, **default, **BOUNDS.get(f.name, {})),
        )
    return out


def _refused(messages: dict[str, str]) -> dict[str, Any]:
    return {name: (_refuse(message), Field(None, exclude=True)) for name, message in messages.items()}


@functools.cache
def grpo_section() -> type[LibrarySection]:
    """The ``grpo`` section: TRL's ``GRPOConfig`` fields (typed, with TRL's help text) minus the runner's."""
    from trl import GRPOConfig

    fields = _fields(GRPOConfig, lambda n: n in RUNNER_OWNED or n.startswith("vllm_"), GRPO_DEFAULTS)
    vllm = {f.name: f"--generation.{f.name}" for f in dataclasses.fields(GRPOConfig) if f.name.startswith("vllm_")}
    model = create_model(
        "GrpoSection",
        __base__=LibrarySection,
        __doc__="GRPO hyperparameters: TRL's GRPOConfig.",
        **fields,
        **_refused({k: f"is set by the runner: use {v}" for k, v in RUNNER_OWNED.items()}),
        **_refused({k: f"is a generation setting: use {v}" for k, v in vllm.items()}),
    )
    model._project_defaults = tuple(GRPO_DEFAULTS)
    return model


@functools.cache
def generation_section() -> type[LibrarySection]:
    """The ``generation`` section: how rollouts are made, with TRL's ``vllm_*`` fields."""
    from trl import GRPOConfig

    fields = _fields(GRPOConfig, lambda n: not n.startswith("vllm_"), {})
    ours = {
        "backend": (
            Literal["transformers", "vllm"],
            Field("transformers", description="transformers (CPU or GPU) or vllm (colocate or server)."),
        ),
        "cpu_weight_sync": (
            bool,
            Field(
                False,
                description=(
                    "vLLM colocate on CPU only: sync weights through vLLM's public reload_weights after each step "
                    "(TRL's in-place sync cannot reach vLLM's prepacked CPU weights); needs untied embeddings."
                ),
            ),
        ),
    }
    return create_model(
        "GenerationSection", __base__=LibrarySection, __doc__="How rollouts are generated.", **ours, **fields
    )


@functools.cache
def peft_section() -> type[LibrarySection] | None:
    """The ``peft`` section: PEFT's ``LoraConfig`` fields, or None when PEFT is not installed."""
    try:
        from peft import LoraConfig
    except ImportError:
        return None
    fields = _fields(LoraConfig, lambda n: n in PEFT_OWNED, {})
    owned = {n: "is set by the runner (a causal-LM LoRA adapter on --model.name_or_path)" for n in PEFT_OWNED}
    return create_model(
        "PeftSection",
        __base__=LibrarySection,
        __doc__="LoRA adapters: PEFT's LoraConfig.",
        **fields,
        **_refused(owned),
    )


def peft_missing() -> Any:
    """The ``peft`` field type when PEFT is not installed: any value is refused with the fix."""
    return _refuse("needs PEFT: pip install 'alphamed-train[peft]'")


def library_versions() -> dict[str, str]:
    """Versions of the libraries the sections were read from (for messages)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("trl", "peft"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out
