"""Question banks: public-format loaders, a streaming reader, atomic writers and bank tools.

>>> bank = load_bank(sample_bank_path())
>>> sum(1 for _ in bank) >= 60
True
>>> sorted(FORMATS)[:3]
['alphamed', 'gpqa', 'medmcqa']
"""

from alphamed.data.bank import BankReport, QuestionBank, load_bank, sample_bank_path, validate_bank
from alphamed.data.difficulty import MissingDifficultyError, filter_by_pass_rate, pass_rate
from alphamed.data.errors import BankError, BankFormatError, FieldError, RecordErrors
from alphamed.data.formats import FORMATS, BankFormat, get_format
from alphamed.data.formats.gpqa import GPQA_MEDICAL_SUBDOMAINS
from alphamed.data.formats.mmlu import MMLU_MEDICAL_SUBJECTS, MMLU_PRO_MEDICAL_CATEGORIES
from alphamed.data.mixing import MixSource, mix_banks, parse_source
from alphamed.data.splitting import parse_ratios, split_bank
from alphamed.data.writer import atomic_output, convert_bank, write_bank

__all__ = [
    "FORMATS",
    "GPQA_MEDICAL_SUBDOMAINS",
    "MMLU_MEDICAL_SUBJECTS",
    "MMLU_PRO_MEDICAL_CATEGORIES",
    "BankError",
    "BankFormat",
    "BankFormatError",
    "BankReport",
    "FieldError",
    "MissingDifficultyError",
    "MixSource",
    "QuestionBank",
    "RecordErrors",
    "atomic_output",
    "convert_bank",
    "filter_by_pass_rate",
    "get_format",
    "load_bank",
    "mix_banks",
    "parse_ratios",
    "parse_source",
    "pass_rate",
    "sample_bank_path",
    "split_bank",
    "validate_bank",
    "write_bank",
]
