"""The SQLAlchemy table handles of the store's models, defined once.

Core modules write SQL against these (``INSTANCE.c.state``) rather than
against the SQLModel classes, so that every query reads the same way.
"""

from __future__ import annotations

from typing import Any

from kt_tui.core.models import (
    Event,
    Instance,
    Item,
    Lapsing,
    Member,
    Meta,
    OpenByDue,
    Receiver,
    Rollup,
    Signature,
    System,
    Template,
)


def _table(model: type) -> Any:
    return model.__table__  # type: ignore[attr-defined]


META = _table(Meta)
MEMBER = _table(Member)
SYSTEM = _table(System)
RECEIVER = _table(Receiver)
TEMPLATE = _table(Template)
ITEM = _table(Item)
INSTANCE = _table(Instance)
EVENT = _table(Event)
ROLLUP = _table(Rollup)
OPEN_BY_DUE = _table(OpenByDue)
SIGNATURE = _table(Signature)
LAPSING = _table(Lapsing)
