"""Functions of the AlphaMed lm-eval tasks (importing the bridge registers the ``alphamed_extract`` filter)."""

import datasets
from alphamed_client import lm_eval_bridge
from alphamed_client.lm_eval_bridge import doc_to_text  # noqa: F401 (used by the YAMLs)

try:
    lm_eval_bridge.register()
except ImportError:  # imported outside lm-eval (a doctest collector): nothing to register with
    pass


def _dataset(name):
    return datasets.DatasetDict({"test": datasets.Dataset.from_list(lm_eval_bridge.bank_records(name))})


def medqa(**kwargs):
    return _dataset("medqa")


def medmcqa(**kwargs):
    return _dataset("medmcqa")


def pubmedqa(**kwargs):
    return _dataset("pubmedqa")


def mmlu_pro_med(**kwargs):
    return _dataset("mmlu-pro-med")


def gpqa_med(**kwargs):
    return _dataset("gpqa-med")


def medxpertqa(**kwargs):
    return _dataset("medxpertqa")


def bank(**kwargs):
    return _dataset("bank")
