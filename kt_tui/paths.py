"""Every path kt-tui uses, as functions: nothing is created at import time."""

from __future__ import annotations

from pathlib import Path

APP_NAME = "kt-tui"


def data_dir() -> Path:
    """The user data folder (not created here)."""
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME))


def default_db_path() -> Path:
    return data_dir() / "kt-tui.db"


def sample_dir() -> Path:
    """The bundled sample handover: inside the wheel, or the source checkout's."""
    here = Path(__file__).resolve().parent
    installed = here / "checklists"
    if installed.is_dir():
        return installed
    return here.parent / "checklists"


def export_dir() -> Path:
    """Where the TUI writes exports: the current folder."""
    return Path.cwd()


def config_path() -> Path:
    """The user's config file: KT_CONFIG if set, else the platform's config folder (not
    created here)."""
    import os

    import platformdirs

    named = os.environ.get("KT_CONFIG")
    if named:
        return Path(named).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"
