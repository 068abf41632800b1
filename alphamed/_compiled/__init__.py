"""The answer-extraction engine compiled with mypyc (built at install time; never edited by hand).

The extension modules here are built by ``setup.py`` from ``alphamed/extract`` (see
:mod:`alphamed.extract.build`); this folder holds only this file in the repository.
"""
