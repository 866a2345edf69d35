"""`kt-tui serve`: the app in a web browser, through textual-serve, on 127.0.0.1 only.

Each browser connection starts `python -m kt_tui` on the same store as a child
process driven by Textual's web driver. The store's URL reaches the child through
its environment (KT_DB), never its command line: a PostgreSQL password in the URL
would be readable by every user of the machine in ``ps``. Without ``--allow-writes`` the child
opens the store read-only (``--read-only``): Store.write refuses every write,
whatever key the browser's user presses.
"""

from __future__ import annotations

import os
import shlex
import sys

from kt_tui.core.errors import BadInput

HOST = "127.0.0.1"  # never another interface: the view has no login of its own


def child_command(as_handle: str | None, allow_writes: bool) -> str:
    """The shell command textual-serve runs for each browser connection: the store is
    the one KT_DB names in the environment it inherits (serve_app sets it)."""
    parts = [sys.executable, "-m", "kt_tui"]
    if as_handle:
        parts += ["--as", as_handle]
    if not allow_writes:
        parts.append("--read-only")
    return " ".join(shlex.quote(p) for p in parts)


def serve_app(db: str | None, as_handle: str | None, *, port: int, allow_writes: bool) -> None:
    from kt_tui.core.store import no_store, resolve_url, sqlite_path

    url = resolve_url(db)
    path = sqlite_path(url)
    if path is not None:
        if not path.exists():
            raise BadInput(no_store(path))
        url = f"sqlite:///{path.resolve()}"  # the child may start elsewhere
    from textual_serve.server import Server

    mode = "read-write" if allow_writes else "read-only"
    print(f"kt-tui: serving {mode} on http://{HOST}:{port} (Ctrl+C stops)", file=sys.stderr)
    # textual-serve starts each child with a copy of this process's environment
    os.environ["KT_DB"] = url
    Server(child_command(as_handle, allow_writes), host=HOST, port=port).serve()


def under_web_driver() -> bool:
    """The app runs under textual-serve (no terminal, a web driver instead)."""
    return "web_driver" in os.environ.get("TEXTUAL_DRIVER", "")
