"""`kt-tui serve`: the app in a web browser, through textual-serve, on 127.0.0.1 only.

Each browser connection starts `python -m kt_tui` on the same store as a child
process driven by Textual's web driver. Without ``--allow-writes`` the child
opens the store read-only (``--read-only``): Store.write refuses every write,
whatever key the browser's user presses.
"""

from __future__ import annotations

import os
import shlex
import sys

from kt_tui.core.errors import BadInput

HOST = "127.0.0.1"  # never another interface: the view has no login of its own


def child_command(url: str, as_handle: str | None, allow_writes: bool) -> str:
    """The shell command textual-serve runs for each browser connection."""
    parts = [sys.executable, "-m", "kt_tui", "--db", url]
    if as_handle:
        parts += ["--as", as_handle]
    if not allow_writes:
        parts.append("--read-only")
    return " ".join(shlex.quote(p) for p in parts)


def serve_app(db: str | None, as_handle: str | None, *, port: int, allow_writes: bool) -> None:
    from kt_tui.core.store import resolve_url, sqlite_path

    url = resolve_url(db or os.environ.get("KT_DB"))
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():
            raise BadInput(f"{path}: no store here: `kt-tui sync DIR` makes one")
        url = f"sqlite:///{path.resolve()}"  # the child may start elsewhere
    from textual_serve.server import Server

    mode = "read-write" if allow_writes else "read-only"
    print(f"kt-tui: serving {mode} on http://{HOST}:{port} (Ctrl+C stops)", file=sys.stderr)
    Server(child_command(url, as_handle, allow_writes), host=HOST, port=port).serve()


def under_web_driver() -> bool:
    """The app runs under textual-serve (no terminal, a web driver instead)."""
    return "web_driver" in os.environ.get("TEXTUAL_DRIVER", "")
