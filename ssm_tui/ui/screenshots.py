"""``python -m ssm_tui.ui.screenshots DIR``: SVG screenshots of the app on the demo fleet."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

from ssm_tui.emulator import EmulatorThread
from ssm_tui.emulator.client_config import CLEARED_VARIABLES, write_client_files
from ssm_tui.ui.app import SsmTuiApp
from ssm_tui.ui.fleet_source import DiscoverySource, Scope

SIZE = (160, 45)
DEMO_SCOPE = Scope(
    profiles=("prod", "staging"),
    regions=("us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1"),
)


async def take(directory: Path) -> list[Path]:
    """Save browser.svg and help.svg into ``directory``; return their paths."""
    app = SsmTuiApp(DiscoverySource(DEMO_SCOPE, known_profiles=("prod", "staging")))
    saved = []
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        saved.append(Path(app.save_screenshot("browser.svg", str(directory))))
        await pilot.press("question_mark")
        await pilot.pause()
        saved.append(Path(app.save_screenshot("help.svg", str(directory))))
    return saved


def main(argv: list[str]) -> int:
    """Start the demo fleet, point boto3 at it, take the screenshots."""
    if len(argv) != 1:
        print("usage: python -m ssm_tui.ui.screenshots DIR", file=sys.stderr)
        return 2
    directory = Path(argv[0])
    directory.mkdir(parents=True, exist_ok=True)
    with EmulatorThread() as server, tempfile.TemporaryDirectory() as folder:
        files = write_client_files(server.fleet, server.endpoint_url, folder)
        for name in CLEARED_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(files.env)
        for path in asyncio.run(take(directory)):
            print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
