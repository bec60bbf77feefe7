"""The user's settings file, ``$XDG_CONFIG_HOME/ssm-tui/config.toml``, read into a frozen value."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

APP_DIR = "ssm-tui"


class ConfigError(Exception):
    """The config file exists but cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """What the user chose in config.toml; every field has a working default."""

    profiles: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    theme: str = "textual-dark"
    scrollback: int = 10_000
    keepalive: float = 30.0
    keys: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    record: bool = False  # record every new shell tab (each tab can still toggle it)
    record_input: bool = False  # also record keystrokes ("i" events), passwords included
    # Broadcasting input to a tab whose node has one of these tags asks first.
    broadcast_confirm_tags: tuple[str, ...] = ("Environment=prod", "Environment=production")


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where the user's files live: ``$XDG_CONFIG_HOME/ssm-tui``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / APP_DIR


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the config file lives: ``$XDG_CONFIG_HOME/ssm-tui/config.toml``."""
    return config_dir(environ) / "config.toml"


def state_dir(environ: Mapping[str, str] | None = None) -> Path:
    """Where logs and recordings go: ``$XDG_STATE_HOME/ssm-tui``."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / APP_DIR


def log_path(environ: Mapping[str, str] | None = None) -> Path:
    """Where the log file lives: ``$XDG_STATE_HOME/ssm-tui/ssm-tui.log``."""
    return state_dir(environ) / "ssm-tui.log"


def load_config(path: Path | None = None) -> Config:
    """Read ``path`` (default: :func:`config_path`); a missing file means all defaults."""
    path = config_path() if path is None else path
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, source=str(path))


def parse_config(data: Mapping[str, Any], *, source: str = "config.toml") -> Config:
    """Check the parsed TOML ``data`` and build a :class:`Config` from it."""
    known = {
        "profiles",
        "regions",
        "theme",
        "scrollback",
        "keepalive",
        "keys",
        "record",
        "record_input",
        "broadcast_confirm_tags",
    }
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown setting {unknown[0]!r} (known: {sorted(known)})")
    defaults = Config()

    def strings(name: str) -> tuple[str, ...]:
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ConfigError(f"{source}: {name!r} must be a list of non-empty strings")
        return tuple(value)

    theme = data.get("theme", defaults.theme)
    if not isinstance(theme, str) or not theme:
        raise ConfigError(f"{source}: 'theme' must be a theme name such as 'textual-dark'")
    scrollback = data.get("scrollback", defaults.scrollback)
    if isinstance(scrollback, bool) or not isinstance(scrollback, int) or scrollback < 0:
        raise ConfigError(f"{source}: 'scrollback' must be a whole number of lines >= 0")
    keepalive = data.get("keepalive", defaults.keepalive)
    if isinstance(keepalive, bool) or not isinstance(keepalive, int | float) or keepalive <= 0:
        raise ConfigError(f"{source}: 'keepalive' must be a number of seconds > 0")
    record, record_input = data.get("record", False), data.get("record_input", False)
    for name, value in (("record", record), ("record_input", record_input)):
        if not isinstance(value, bool):
            raise ConfigError(f"{source}: {name!r} must be true or false")
    confirm_tags = data.get("broadcast_confirm_tags", list(defaults.broadcast_confirm_tags))
    if not isinstance(confirm_tags, list) or not all(
        isinstance(v, str) and v.partition("=")[0].strip() and "=" in v for v in confirm_tags
    ):
        raise ConfigError(
            f"{source}: 'broadcast_confirm_tags' must be a list of \"Key=Value\" tags, "
            'e.g. ["Environment=prod"]'
        )
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and v for k, v in keys.items()
    ):
        raise ConfigError(
            f'{source}: [keys] must map binding ids to keys, e.g. "ssm-tui.quit" = "q"'
        )
    return Config(
        profiles=strings("profiles"),
        regions=strings("regions"),
        theme=theme,
        scrollback=scrollback,
        keepalive=float(keepalive),
        keys=MappingProxyType(dict(keys)),
        record=record,
        record_input=record_input,
        broadcast_confirm_tags=tuple(confirm_tags),
    )
