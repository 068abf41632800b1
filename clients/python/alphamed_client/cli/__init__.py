"""Commands of ``alphamed-client``, registered on ``alphamed`` through entry points.

One small module per command; each parses its options and calls library functions.
"""

from alphamed_client.cli.difficulty_cmd import difficulty
from alphamed_client.cli.eval_cmd import eval_cmd
from alphamed_client.cli.report_cmd import report
from alphamed_client.cli.score_cmd import score

__all__ = ["difficulty", "eval_cmd", "report", "score"]
