"""AlphaMed core: the light library every part of the project stands on.

Question schema, dataset loaders, prompts, answer extraction, reasoning split and
rewards. Nothing here imports torch at import time.
"""

__version__ = "0.1.0"
