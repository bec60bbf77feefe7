"""The protocol core stays sans-IO: importing it loads no event loop, network or UI library."""

from __future__ import annotations

import json
import subprocess
import sys

FORBIDDEN = ("asyncio", "websockets", "boto3", "botocore", "pyte", "textual", "rich", "socket")

PROBE = """
import json, sys
import ssm_tui.protocol
import ssm_tui.protocol.channel, ssm_tui.protocol.message, ssm_tui.protocol.payloads
import ssm_tui.protocol.handshake, ssm_tui.protocol.encryption, ssm_tui.protocol.events
import ssm_tui.protocol.sequencing, ssm_tui.protocol.retransmit
print(json.dumps(sorted(sys.modules)))
"""


def test_importing_the_protocol_core_loads_no_io_or_ui_library() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = set(json.loads(result.stdout))
    offenders = sorted(m for m in loaded if m.split(".")[0] in FORBIDDEN)
    assert offenders == []
