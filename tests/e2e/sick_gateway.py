"""The real gateway app on a scripted backend whose health a file controls (for router tests).

    python tests/e2e/sick_gateway.py --port P --sick-flag FILE

``/health`` answers 503 ``"restarting"`` while FILE exists, as ``alphamed serve`` does while its
engine restarts; everything else is the real :func:`alphamed_serve.app.create_app`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "serve"))  # run as a script: tests/serve's fakes

from alphamed_serve.backend import Health  # noqa: E402
from fake_backend import FakeBackend  # noqa: E402


class FlagHealthBackend(FakeBackend):
    """FakeBackend that is unhealthy while ``flag`` exists."""

    def __init__(self, flag: Path) -> None:
        super().__init__(model_id="fake-model")
        self.flag = flag

    async def health(self) -> Health:
        if self.flag.exists():
            return Health(ok=False, status="restarting", detail="engine restarting (test flag)")
        return await super().health()


def main() -> None:
    import uvicorn
    from alphamed_serve.app import Settings, create_app

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--sick-flag", type=Path, required=True)
    args = parser.parse_args()
    app = create_app(FlagHealthBackend(args.sick_flag), Settings())
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
