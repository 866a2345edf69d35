"""Messages shared by the app and its screens; each names the node that sent it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.dom import DOMNode
from textual.message import Message


@dataclass
class NodeMessage(Message):
    """A message that carries its sender, so ``@on(X, "#id")`` can filter on it."""

    origin: DOMNode

    @property
    def control(self) -> DOMNode:
        return self.origin


@dataclass
class Loaded(NodeMessage):
    """A screen's data is in and drawn: ``what`` is dashboard, burnup, checklist, queue..."""

    what: str


@dataclass
class StoreChanged(NodeMessage):
    """Someone else wrote to the store (marker: its newest event): the screen reloads."""

    marker: int
