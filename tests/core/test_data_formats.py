"""Each public-format loader on a small fixture file written by the project in that format."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from alphamed.data import BankFormatError, QuestionBank, load_bank, validate_bank
from alphamed.data.formats import FORMATS, get_format
from alphamed.data.formats.gpqa import shuffled_options

FIXTURES = Path(__file__).parent.parent / "fixtures" / "formats"


def load(name: str, fmt: str, **options) -> list:
    return list(load_bank(FIXTURES / name, format=fmt, **options))


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_unknown_format_names_the_choices():
    with pytest.raises(ValueError, match="unknown bank format 'medqaa'.*medqa"):
        get_format("medqaa")


# ---- MedQA ---------------------------------------------------------------------------------


def test_medqa_fields():
    qs = load("medqa_usmle.jsonl", "medqa")
    assert [q.id for q in qs] == ["medqa-medqa_usmle-1", "medqa-medqa_usmle-2", "medqa-medqa_usmle-3"]
    assert [q.answer for q in qs] == ["B", "D", "C"]  # the third has only the answer text
    assert len(qs[0].options) == 5 and len(qs[1].options) == 4
    assert qs[0].answer_text == "Iron deficiency"
    assert qs[0].source == "medqa" and qs[0].subject == "usmle-step1"
    assert qs[1].subject == "usmle-step2&3"


def test_medqa_answer_text_disagreeing_with_answer_idx_is_an_error(tmp_path):
    row = json.loads((FIXTURES / "medqa_usmle.jsonl").read_text().splitlines()[0])
    row["answer_idx"] = "C"
    path = write_jsonl(tmp_path / "m.jsonl", [row])
    with pytest.raises(
        BankFormatError, match=r"m\.jsonl:1: answer: answer text 'Iron deficiency' does not match option C"
    ):
        list(load_bank(path, format="medqa"))


def test_medqa_answer_idx_not_among_options(tmp_path):
    row = {"question": "q?", "options": {"A": "x", "B": "y"}, "answer_idx": "E"}
    path = write_jsonl(tmp_path / "m.jsonl", [row])
    with pytest.raises(BankFormatError, match=r"m\.jsonl:1: answer_idx: 'E' is not one of the options"):
        list(load_bank(path, format="medqa"))


# ---- MedMCQA -------------------------------------------------------------------------------


def test_medmcqa_release_numbering_is_detected_as_one_based():
    qs = load("medmcqa_release.jsonl", "medmcqa")
    assert [q.answer for q in qs] == ["B", "D", "A"]
    assert qs[0].answer_text == "Axillary nerve"
    assert qs[0].subject == "Anatomy" and qs[0].metadata["topic"] == "Upper limb"
    assert qs[0].metadata["explanation"].startswith("The axillary nerve")
    assert "explanation" not in qs[2].metadata  # empty exp is left out
    assert {q.source for q in qs} == {"medmcqa"}


def test_medmcqa_hf_numbering_is_detected_as_zero_based_and_minus_one_is_unlabeled():
    qs = load("medmcqa_hf.jsonl", "medmcqa")
    assert [q.answer for q in qs] == ["B", "A", None]
    assert qs[0].answer_text == "Axillary nerve"  # same question as the release fixture, same answer


def test_medmcqa_explicit_base_overrides_detection():
    qs = load_bank(FIXTURES / "medmcqa_hf.jsonl", format="medmcqa", cop_base=1)
    with pytest.raises(BankFormatError, match=r"medmcqa_hf\.jsonl:2: cop: must be an integer 1\.\.4"):
        list(qs)  # cop 0 is invalid under 1..4 numbering


def test_medmcqa_only_ambiguous_values_falls_back_to_one_based_with_warning(tmp_path, caplog):
    rows = [{"id": "x", "question": "q", "opa": "a", "opb": "b", "opc": "c", "opd": "d", "cop": 2}]
    path = write_jsonl(tmp_path / "m.jsonl", rows)
    with caplog.at_level(logging.WARNING):
        (q,) = load_bank(path, format="medmcqa")
    assert q.answer == "B"
    assert "assuming the original 1..4 numbering" in caplog.text


def test_medmcqa_mixed_numbering_is_refused(tmp_path):
    base = {"question": "q", "opa": "a", "opb": "b", "opc": "c", "opd": "d"}
    path = write_jsonl(tmp_path / "m.jsonl", [{**base, "id": "1", "cop": 0}, {**base, "id": "2", "cop": 4}])
    with pytest.raises(BankFormatError, match="cop: mixes 0 and 4"):
        list(load_bank(path, format="medmcqa"))


def test_medmcqa_empty_option_names_its_source_field(tmp_path):
    row = {"id": "1", "question": "q", "opa": "a", "opb": "b", "opc": "  ", "opd": "d", "cop": 1}
    path = write_jsonl(tmp_path / "m.jsonl", [row])
    with pytest.raises(BankFormatError, match=r"m\.jsonl:1: opc: option C is empty"):
        list(load_bank(path, format="medmcqa"))


# ---- PubMedQA ------------------------------------------------------------------------------


def test_pubmedqa_original_pmid_keyed_json():
    qs = load("pubmedqa_ori.json", "pubmedqa")
    assert [q.id for q in qs] == ["pubmedqa-90000001", "pubmedqa-90000002", "pubmedqa-90000003"]
    assert [q.answer for q in qs] == ["A", "B", "C"]
    assert qs[0].options == {"A": "yes", "B": "no", "C": "maybe"}
    assert qs[0].context.splitlines()[0].startswith("BACKGROUND: Regular physical activity")
    assert qs[0].context.splitlines()[2].startswith("RESULTS: Systolic pressure fell")
    assert qs[0].metadata["year"] == "2019" and qs[0].source == "pubmedqa"
    assert qs[0].subject == "biomedical-research"


def test_pubmedqa_original_is_read_in_small_chunks_with_right_line_numbers(tmp_path):
    """The incremental reader gives the same records whatever the chunk size."""
    from alphamed.data.records import RawRecord, read_json_object

    path = FIXTURES / "pubmedqa_ori.json"
    small = [r for r in read_json_object(path, chunk_size=7)]
    big = [r for r in read_json_object(path)]
    assert all(isinstance(r, RawRecord) for r in small)
    assert [(r.line, r.data) for r in small] == [(r.line, r.data) for r in big]
    text = path.read_text().splitlines()
    for r in small:  # each record's line is where its PMID key is
        assert f'"{r.data[0]}"' in text[r.line - 1]


def test_pubmedqa_truncated_json_names_the_line(tmp_path):
    text = (FIXTURES / "pubmedqa_ori.json").read_text()
    path = tmp_path / "cut.json"
    path.write_text(text[: text.index('"90000002"') + 40])
    report = validate_bank(path, format="pubmedqa")
    assert report.questions == 1
    assert len(report.errors) == 1
    err = report.errors[0]
    assert err.field == "json" and err.line is not None and err.line >= 24
    assert "malformed JSON" in err.message


def test_pubmedqa_huggingface_jsonl_layout():
    qs = load("pubmedqa_hf.jsonl", "pubmedqa")
    assert [q.id for q in qs] == ["pubmedqa-90000011", "pubmedqa-90000012"]
    assert [q.answer for q in qs] == ["A", "C"]
    assert (
        qs[0].context
        == "METHODS: A randomised trial of daily walking in 180 older adults.\nRESULTS: Systolic pressure fell more with walking."
    )


def test_pubmedqa_bad_decision(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"1": {"QUESTION": "q?", "CONTEXTS": ["c"], "final_decision": "perhaps"}}))
    with pytest.raises(BankFormatError, match=r"p\.json:1: final_decision: must be yes, no or maybe"):
        list(load_bank(path, format="pubmedqa"))


# ---- MMLU / MMLU-Pro -----------------------------------------------------------------------


def test_mmlu_original_headerless_csv_takes_subject_from_file_name():
    qs = load("clinical_knowledge_test.csv", "mmlu")
    assert [q.answer for q in qs] == ["B", "C", "A"]
    assert {q.subject for q in qs} == {"clinical_knowledge"}
    assert qs[2].question.startswith('A patient says "I feel dizzy"')
    assert qs[0].id == "mmlu-clinical_knowledge_test-1"


def test_mmlu_jsonl_and_medical_subset():
    qs = load("mmlu.jsonl", "mmlu")
    assert [q.answer for q in qs] == ["B", "C", "A"]
    medical = load("mmlu.jsonl", "mmlu", medical_only=True)
    assert [q.subject for q in medical] == ["anatomy", "medical_genetics"]


def test_mmlu_pro_fields_and_medical_subset():
    qs = load("mmlu_pro.jsonl", "mmlu-pro")
    assert [q.id for q in qs] == ["mmlu-pro-101", "mmlu-pro-102", "mmlu-pro-103"]
    assert len(qs[0].options) == 10 and qs[0].options["J"] == "Motilin"
    assert qs[0].answer == "C" and qs[0].answer_text == "Insulin"
    assert len(qs[1].options) == 6 and qs[1].metadata["src"] == "stemez-Biology"
    assert qs[0].source == "mmlu-pro" and qs[0].subject == "health"
    medical = load("mmlu_pro.jsonl", "mmlu-pro", medical_only=True)
    assert [q.subject for q in medical] == ["health", "biology"]


def test_mmlu_pro_answer_and_index_must_agree(tmp_path):
    row = {
        "question_id": 1,
        "question": "q",
        "options": ["a", "b"],
        "answer": "A",
        "answer_index": 1,
        "category": "health",
    }
    path = write_jsonl(tmp_path / "p.jsonl", [row])
    with pytest.raises(BankFormatError, match=r"p\.jsonl:1: answer_index: points to B but answer is A"):
        list(load_bank(path, format="mmlu-pro"))


def test_mmlu_pro_more_options_than_letters(tmp_path):
    row = {
        "question_id": 1,
        "question": "q",
        "options": [str(i) for i in range(27)],
        "answer": "A",
        "category": "health",
    }
    path = write_jsonl(tmp_path / "p.jsonl", [row])
    with pytest.raises(BankFormatError, match="options: has 27 options; at most 26"):
        list(load_bank(path, format="mmlu-pro"))


def test_medical_only_is_refused_by_formats_without_a_subset():
    with pytest.raises(BankFormatError, match="format 'medqa' does not take option.*medical_only"):
        load("medqa_usmle.jsonl", "medqa", medical_only=True)


# ---- GPQA ----------------------------------------------------------------------------------


def test_gpqa_options_shuffled_reproducibly_and_gold_tracked():
    first = load("gpqa_main.csv", "gpqa")
    again = load("gpqa_main.csv", "gpqa")
    assert [q.options for q in first] == [q.options for q in again]
    assert [q.answer_text for q in first] == ["Initiation of DNA replication", "1/4", "+7"]
    assert [q.id for q in first] == ["gpqa-recA0001", "gpqa-recA0002", "gpqa-recA0003"]
    assert "\nWhich process stops first?" in first[0].question  # multi-line CSV cell kept
    assert first[0].subject == "Molecular Biology" and first[0].metadata["domain"] == "Biology"


def test_gpqa_shuffle_depends_on_record_id_not_file_position():
    letters = {shuffled_options("c", ["w1", "w2", "w3"], f"rec{i}")[1] for i in range(40)}
    assert letters == {0, 1, 2, 3}  # the correct answer is not always first


def test_gpqa_seed_option_changes_the_order_reproducibly():
    default = [q.options for q in load("gpqa_main.csv", "gpqa")]
    orders = {
        tuple(tuple(o.values()) for o in [q.options for q in load("gpqa_main.csv", "gpqa", seed=s)]) for s in range(6)
    }
    assert len(orders) > 1
    assert [q.options for q in load("gpqa_main.csv", "gpqa", seed=0)] == default


def test_gpqa_medical_subset():
    qs = load("gpqa_main.csv", "gpqa", medical_only=True)
    assert [q.subject for q in qs] == ["Molecular Biology", "Genetics"]


def test_gpqa_missing_column_names_it(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2\nq?,a,b,c\n")
    with pytest.raises(BankFormatError, match=r"g\.csv:2: Incorrect Answer 3: is missing"):
        list(load_bank(path, format="gpqa"))


# ---- MedXpertQA ----------------------------------------------------------------------------


def test_medxpertqa_fields_and_answer_choices_tail_removed():
    qs = load("medxpertqa_text.jsonl", "medxpertqa")
    assert [q.id for q in qs] == ["Text-900", "Text-901"]
    assert len(qs[0].options) == 10 and qs[0].answer == "A"
    assert qs[0].question.endswith("What is the most appropriate next step?")
    assert "Answer Choices" not in qs[1].question
    assert qs[0].subject == "Cardiovascular" and qs[0].source == "medxpertqa"
    assert qs[1].metadata == {"medical_task": "Basic Science", "question_type": "Understanding"}


def test_medxpertqa_label_outside_options(tmp_path):
    row = {"id": "T-1", "question": "q", "options": {"A": "a", "B": "b"}, "label": "J"}
    path = write_jsonl(tmp_path / "x.jsonl", [row])
    with pytest.raises(BankFormatError, match=r"x\.jsonl:1: answer: answer 'J' is not one of the options"):
        list(load_bank(path, format="medxpertqa"))


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_has_a_description(name):
    assert FORMATS[name].description


@pytest.mark.parametrize(
    "fixture,fmt",
    [
        ("medqa_usmle.jsonl", "medqa"),
        ("medmcqa_release.jsonl", "medmcqa"),
        ("pubmedqa_ori.json", "pubmedqa"),
        ("mmlu.jsonl", "mmlu"),
        ("mmlu_pro.jsonl", "mmlu-pro"),
        ("gpqa_main.csv", "gpqa"),
        ("medxpertqa_text.jsonl", "medxpertqa"),
    ],
)
def test_every_fixture_round_trips_through_the_native_format(fixture, fmt, tmp_path):
    from alphamed.data import convert_bank

    out = tmp_path / "out.jsonl"
    n = convert_bank(FIXTURES / fixture, out, fmt)
    back = list(QuestionBank(out))
    assert n == len(back) > 0
    assert back == load(fixture, fmt)
