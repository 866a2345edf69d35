"""The user's config file (``paths.config_path()``): a ``[keymap]`` of binding id -> keys.

Read strictly, like the handover files: an unknown key, an unknown binding id or a
value that is not a string is an error naming the file, the key and what is wrong.
A missing file is no config at all. No Textual here: the app passes the binding
ids it defines and applies the keymap itself.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from kt_tui.paths import config_path

SECTIONS = ("keymap",)


class ConfigError(Exception):
    """The config file cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Config:
    keymap: dict[str, str] = field(default_factory=dict)


def load_config(binding_ids: Collection[str], path: Path | None = None) -> Config:
    """The config at ``path`` (default: ``config_path()``); ``Config()`` where there is none."""
    path = path or config_path()
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read: {exc}") from exc
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as exc:
        # the parser's message ends "(at line L, column C)"
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    problems = [
        f"{path}: unknown key {key!r} (known: {', '.join(SECTIONS)})"
        for key in data
        if key not in SECTIONS
    ]
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        problems.append(f'{path}: keymap must be a table of binding id = "keys"')
        keymap = {}
    known = set(binding_ids)
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            problems.append(f"{path}: keymap.{binding_id}: no binding has this id")
        elif not isinstance(keys, str) or not keys.strip():
            problems.append(
                f'{path}: keymap.{binding_id}: must be a key string such as "x" or '
                f'"space,x", not {keys!r}'
            )
    if problems:
        raise ConfigError("\n".join(problems))
    return Config(keymap=dict(keymap))
