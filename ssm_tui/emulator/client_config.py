"""The AWS config and credentials files (one profile per account) a client needs to reach us."""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from ssm_tui.emulator.fleet import Fleet

# Variables that would steer a client away from the files we write; cleared for subprocesses.
CLEARED_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_REGION",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_ENDPOINT_URL_SSM",
    "AWS_ENDPOINT_URL_EC2",
    "AWS_ENDPOINT_URL_STS",
    "AWS_ENDPOINT_URL_KMS",
)


@dataclass(frozen=True, slots=True)
class ClientFiles:
    """The files written and the environment that points a client at them."""

    config_file: Path
    credentials_file: Path
    env: dict[str, str] = field(default_factory=dict)

    def export_lines(self) -> list[str]:
        """``export NAME=value`` lines, shell-quoted, for ``eval``."""
        return [f"export {name}={shlex.quote(value)}" for name, value in self.env.items()]

    def apply_to(self, environ: dict[str, str]) -> dict[str, str]:
        """``environ`` with our variables set and the conflicting ones removed (a copy)."""
        merged = {k: v for k, v in environ.items() if k not in CLEARED_VARIABLES}
        merged.update(self.env)
        return merged


def write_client_files(fleet: Fleet, endpoint_url: str, directory: str | Path) -> ClientFiles:
    """Write ``config`` and ``credentials`` into ``directory`` (mode 0600) for every account."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    default = fleet.accounts[0]
    config, credentials = [], []
    for name, account in [("default", default), *((a.name, a) for a in fleet.accounts)]:
        header = "default" if name == "default" else f"profile {name}"
        config += [f"[{header}]", f"region = {account.regions[0]}", "output = json"]
        config += [f"endpoint_url = {endpoint_url}", ""]
        credentials += [f"[{name}]", f"aws_access_key_id = {account.access_key_id}"]
        credentials += [f"aws_secret_access_key = {account.secret_access_key}", ""]
    config_file, credentials_file = folder / "config", folder / "credentials"
    for path, lines in ((config_file, config), (credentials_file, credentials)):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as stream:
            stream.write("\n".join(lines))
    env = {
        "AWS_ENDPOINT_URL": endpoint_url,
        "AWS_CONFIG_FILE": str(config_file),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials_file),
        "AWS_DEFAULT_REGION": default.regions[0],
        # No instance-metadata probing: it only slows a client down on a laptop.
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    return ClientFiles(config_file, credentials_file, env)
