"""The SQLAlchemy table handles of the store, defined once.

Core modules write SQL against these (``INSTANCE.c.state``). They come from
:mod:`kt_tui.core.schema`, SQLAlchemy Core generated from the SQLModel classes of
:mod:`kt_tui.core.models` (the declaration), so that a command never pays for
building those classes (SQLModel, pydantic and the ORM: a third of a verb's start).
"""

from __future__ import annotations

from kt_tui.core.schema import (
    EVENT,
    INSTANCE,
    ITEM,
    LAPSING,
    MEMBER,
    META,
    PENDING,
    RECEIVER,
    ROLLUP,
    SIGNATURE,
    SYSTEM,
    TEMPLATE,
)

OPEN_BY_DUE = PENDING  # the open counters per due day keep the table's first name

__all__ = [
    "EVENT",
    "INSTANCE",
    "ITEM",
    "LAPSING",
    "MEMBER",
    "META",
    "OPEN_BY_DUE",
    "RECEIVER",
    "ROLLUP",
    "SIGNATURE",
    "SYSTEM",
    "TEMPLATE",
]
