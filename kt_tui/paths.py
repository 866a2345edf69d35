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
    """Where the TUI's export dialog proposes to write: the user's documents folder
    (KT_EXPORT_DIR overrides it), else the home folder; never the current folder unasked."""
    import os

    import platformdirs

    named = os.environ.get("KT_EXPORT_DIR")
    if named:
        return Path(named).expanduser()
    docs = Path(platformdirs.user_documents_dir())
    return docs if docs.is_dir() else Path.home()


def config_path() -> Path:
    """The user's config file: KT_CONFIG if set, else the platform's config folder (not
    created here)."""
    import os

    import platformdirs

    named = os.environ.get("KT_CONFIG")
    if named:
        return Path(named).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"
