"""The AWS CLI in its own venv (scripts/awscli-venv), for tests that drive the real thing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def build_aws_cli() -> Path:
    """The ``aws`` executable of .venv-awscli, created on first use (needs the package index).

    Skips the calling test when the venv cannot be built (no network, no pip).
    """
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "awscli-venv")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        pytest.skip(f"cannot build the AWS CLI venv: {result.stderr.strip()[-300:]}")
    return Path(result.stdout.strip()) / "bin" / "aws"
