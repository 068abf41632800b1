"""Compiling the extraction engine with mypyc, at install time.

``setup.py`` calls :func:`extensions`: the engine modules (:data:`MODULES`, pure Python and
type-checked) are copied into a build folder as the package :data:`PACKAGE`, imports rewritten,
with :func:`source_digest` of the originals recorded in the copy of ``engine``; mypyc turns
them into C extensions that land in ``alphamed/_compiled/``. :mod:`alphamed.extract` uses them
only when that digest equals the digest of the sources installed next to it, so an edited
source never runs stale compiled code. Without mypy or a C compiler the build says why and
alphamed installs with the pure-Python engine (``ALPHAMED_NO_COMPILE=1`` skips the build).

This module is loaded by ``setup.py`` without importing alphamed: standard library only.

>>> len(source_digest(Path(__file__).parent))
64
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from pathlib import Path
from typing import Any

MODULES = ("options", "markers", "answer", "shortcuts", "search", "fallback", "engine")
"""The engine: ``alphamed.extract.<name>`` for each name, importing only each other and the standard library."""
PACKAGE = "alphamed._compiled"
GROUP = PACKAGE + ".extract"
"""mypyc's group name: its shared library is ``alphamed/_compiled/extract__mypyc``."""


def source_digest(folder: Path) -> str | None:
    """SHA-256 of the engine sources in ``folder`` (None when one is missing: nothing to compare)."""
    digest = hashlib.sha256()
    for name in MODULES:
        try:
            digest.update(name.encode() + b"\0" + (folder / f"{name}.py").read_bytes() + b"\0")
        except OSError:
            return None
    return digest.hexdigest()


def write_sources(source: Path, dest: Path) -> list[str]:
    """Copy the engine from ``source`` (``alphamed/extract``) into ``dest`` as :data:`PACKAGE`.

    Returns:
        The paths of the copied modules, for mypyc.
    """
    package = dest.joinpath(*PACKAGE.split("."))
    package.mkdir(parents=True, exist_ok=True)
    for folder in (dest / "alphamed", package):
        (folder / "__init__.py").write_text("", encoding="utf-8")
    digest = source_digest(source)
    paths = []
    for name in MODULES:
        text = (source / f"{name}.py").read_text(encoding="utf-8")
        text = re.sub(r"\balphamed\.extract\.(?=" + "|".join(MODULES) + r"\b)", PACKAGE + ".", text)
        if name == "engine":
            text += f"\n\nSOURCE_DIGEST = {digest!r}\n"
        path = package / f"{name}.py"
        path.write_text(text, encoding="utf-8")
        paths.append(str(path))
    return paths


def _warn(message: str) -> None:
    print(f"alphamed: {message}; installing the pure-Python answer extractor", file=sys.stderr)


def extensions(root: Path) -> list[Any]:
    """The mypyc extensions for ``setup(ext_modules=...)``, or ``[]`` when they cannot be built.

    Args:
        root: the project folder (holds ``alphamed/extract`` and ``build/``).
    """
    if os.environ.get("ALPHAMED_NO_COMPILE"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        _warn("mypyc is not installed")
        return []
    paths = write_sources(root / "alphamed" / "extract", root / "build" / "compiled-src")
    try:
        return list(mypycify(paths, opt_level="3", group_name=GROUP, target_dir=str(root / "build" / "mypyc")))
    except BaseException as exc:  # mypyc exits on type errors; a failed build must not fail the install
        _warn(f"mypyc could not compile the extractor ({exc!r})")
        return []


def optional_build_ext() -> type:
    """setuptools' ``build_ext`` that warns instead of failing when the C compiler does."""
    from setuptools.command.build_ext import build_ext

    class OptionalBuildExt(build_ext):  # type: ignore[misc, valid-type]
        # A partial build is harmless: the compiled engine then fails to import, and
        # alphamed.extract uses the Python one.
        def run(self) -> None:
            try:
                super().run()
            except Exception as exc:
                _warn(f"the C compiler failed ({exc})")

    return OptionalBuildExt
