"""App-level messages that screens and tests wait for."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class Loaded(Message):
    """A screen's data is in and drawn: ``what`` is dashboard, checklist, queue or sessions."""

    what: str


@dataclass
class StoreChanged(Message):
    """Another process wrote to the store: the visible screen reloads its data."""

    marker: int
