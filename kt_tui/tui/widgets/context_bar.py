"""The context bar, at the top of every data screen: who acts, on which store, under
which identity mode; all three stay readable at 80 columns."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

from kt_tui.present import one_line

SEP = "   "
MORE = "…"
OPENING = "opening the store..."


def fit_context(parts: Sequence[str], width: int, home: str | None = None) -> list[str]:
    """The lines that show (who, store, identity) in ``width`` cells.

    One line when it fits. Else, in this order of priority: who acts stays whole, the
    identity mode stays whole, the store gives way (its path with the home folder as
    ``~``, then its leading folders as ``…``, down to its file name). When even that
    does not fit beside who acts (the sample's stand-in is a long sentence), two lines:
    who acts, then the store and the identity mode.
    """
    line = SEP.join(parts)
    if cell_len(line) <= width or len(parts) != 3:
        return [line]
    who, store, mode = parts
    room = width - cell_len(who) - cell_len(mode) - 2 * len(SEP)
    short = shorten_store(store, room, home)
    if short is not None:
        return [SEP.join((who, short, mode))]
    short = shorten_store(store, width - cell_len(mode) - len(SEP), home)
    if short is not None:
        return [who, SEP.join((short, mode))]
    # not even the file name fits beside the mode: the store on a line of its own, cut
    # at its start (its end names it), and the mode whole below it
    return [who, cut_start(shorten_store(store, 0, home, tail=True) or store, width), mode]


def cut_start(text: str, width: int) -> str:
    """``text`` in ``width`` cells, its start given way to ``…`` (its kind kept)."""
    if cell_len(text) <= width:
        return text
    kind, _, name = text.partition(" ")
    room = max(1, width - cell_len(kind) - 1 - len(MORE))
    while name and cell_len(name) > room:
        name = name[1:]
    return f"{kind} {MORE}{name}"


def shorten_store(
    store: str, room: int, home: str | None = None, *, tail: bool = False
) -> str | None:
    """``store`` ("file PATH", "database URL") in ``room`` cells, keeping the end of
    its name (the file name, the database) and whole folder names; None when not even
    the last part fits (with ``tail``: the last part alone then, as ``…/name``)."""
    if cell_len(store) <= room:
        return store
    kind, _, name = store.partition(" ")
    base = (home or "").rstrip("/\\")
    if kind == "file" and base and name.startswith(base) and name[len(base) :][:1] in ("/", "\\"):
        name = "~" + name[len(base) :]
    room -= cell_len(kind) + 1
    if cell_len(name) <= room:
        return f"{kind} {name}"
    slash = "\\" if "\\" in name and "/" not in name else "/"
    pieces = name.split(slash)
    for i in range(1, len(pieces)):
        if not pieces[i]:
            continue
        end = MORE + slash + slash.join(pieces[i:])
        if cell_len(end) <= room:
            return f"{kind} {end}"
    if tail and len(pieces) > 1:
        return f"{kind} {MORE}{slash}{pieces[-1]}"
    return None


def home_folder() -> str | None:
    try:
        return str(Path.home())
    except RuntimeError:  # no HOME, no user entry: the path is shown as it is
        return None


class ContextBar(Widget):
    """The app's context parts (KtApp.context), on one line where they fit, else two."""

    DEFAULT_CSS = """
    ContextBar { height: auto; width: 1fr; background: $panel; color: $text-muted; }
    ContextBar.-stand-in { background: $warning 30%; color: $text; text-style: bold; }
    ContextBar.-read-only { background: $error 40%; color: $text; text-style: bold; }
    """

    parts: reactive[tuple[str, ...]] = reactive((), layout=True)

    def on_mount(self) -> None:
        self.watch(self.app, "context", self._show, init=True)

    def _show(self, parts: tuple[str, ...]) -> None:
        self.parts = tuple(one_line(p) for p in parts)  # a newline in a path is not a line
        # one who may not write, or acts as someone else, sees it in colour
        actor = getattr(self.app, "actor_shown", None)
        read_only = bool(actor is not None and actor.read_only)
        self.set_class(read_only, "-read-only")
        self.set_class(not read_only and bool(actor is not None and actor.stand_in), "-stand-in")

    def lines(self, width: int) -> list[str]:
        if not self.parts:
            return [OPENING]
        return fit_context(self.parts, width, home_folder())

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Text:
        text = "\n".join(self.lines(self.content_region.width))
        return Text(text, no_wrap=True, overflow="ellipsis")
