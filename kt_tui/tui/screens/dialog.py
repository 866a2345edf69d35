"""What every dialog shares: help reaches it too.

A modal screen hides the app's keys, so a dialog binds help itself: F1 always, and ?
where no text box takes it (in a text box, ? is a character of what is typed).
"""

from __future__ import annotations

from typing import TypeVar

from textual.binding import Binding
from textual.screen import ModalScreen

R = TypeVar("R")


class Dialog(ModalScreen[R]):
    """A modal dialog (prompt, confirmation, attendance, export)."""

    BINDINGS = [
        Binding(
            "f1,question_mark",
            "app.help",
            "Help",
            id="dialog.help",
            show=False,
            tooltip="The keys of this dialog (? types itself in a text box: F1 there)",
        ),
    ]
