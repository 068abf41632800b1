"""The tiny offline model: loadable, deterministic, tags intact, chat template works."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from alphamed.tiny_model import TAG_TOKENS, build_tiny_model  # noqa: E402


def _weights_hash(folder: Path) -> str:
    files = sorted(folder.glob("*.safetensors"))
    assert files, f"no safetensors in {folder}"
    h = hashlib.sha256()
    for f in files:
        h.update(f.read_bytes())
    return h.hexdigest()


def test_loads_with_auto_classes(tiny_model_dir):
    model = transformers.AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    tok = transformers.AutoTokenizer.from_pretrained(tiny_model_dir)
    assert model.config.model_type == "qwen2"
    assert model.config.hidden_size == 128
    assert model.config.num_attention_heads == 4
    assert model.config.hidden_size // model.config.num_attention_heads == 32
    assert model.config.num_hidden_layers == 2
    assert len(tok) <= model.config.vocab_size


def test_same_seed_same_weights(tiny_model_dir, tmp_path):
    again = build_tiny_model(tmp_path / "again", seed=0)
    assert _weights_hash(again) == _weights_hash(tiny_model_dir)


def test_other_seed_other_weights(tiny_model_dir, tmp_path):
    other = build_tiny_model(tmp_path / "other", seed=1)
    assert _weights_hash(other) != _weights_hash(tiny_model_dir)


def test_tags_survive_decode_without_special_tokens(tiny_model_dir):
    tok = transformers.AutoTokenizer.from_pretrained(tiny_model_dir)
    text = "<think>fever and cough</think><answer>C</answer>"
    ids = tok(text, add_special_tokens=False)["input_ids"]
    for tag in TAG_TOKENS:
        assert tok.convert_tokens_to_ids(tag) in ids, tag
    decoded = tok.decode(ids, skip_special_tokens=True)
    assert decoded == text


def test_chat_template_renders_chatml_and_generates(tiny_model_dir):
    tok = transformers.AutoTokenizer.from_pretrained(tiny_model_dir)
    model = transformers.AutoModelForCausalLM.from_pretrained(tiny_model_dir)
    messages = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Which drug?"}]
    prompt = tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    assert prompt == (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nWhich drug?<|im_end|>\n<|im_start|>assistant\n"
    )
    enc = tok(prompt, return_tensors="pt", add_special_tokens=False)
    out = model.generate(**enc, max_new_tokens=5, do_sample=False)
    assert out.shape[1] > enc["input_ids"].shape[1]
    again = model.generate(**enc, max_new_tokens=5, do_sample=False)
    assert torch.equal(out, again)
