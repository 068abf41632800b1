"""Builds the mypyc-compiled answer extractor (everything else is in pyproject.toml).

A failed build warns and installs the pure-Python extractor; ``ALPHAMED_NO_COMPILE=1`` skips it.
"""

from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
_spec = spec_from_file_location("alphamed_extract_build", ROOT / "alphamed" / "extract" / "build.py")
build = module_from_spec(_spec)
_spec.loader.exec_module(build)

setup(ext_modules=build.extensions(ROOT), cmdclass={"build_ext": build.optional_build_ext()})
