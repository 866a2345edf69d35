"""Writes ``kt_tui/core/schema.py``: the store's tables as SQLAlchemy Core, from models.py.

    python -m kt_tui.core.schema_gen

models.py (SQLModel) declares the store; building its classes costs SQLModel,
pydantic and the ORM at every start, where a verb needs only the tables. So the
tables every command uses are Core ``Table`` objects rendered from those classes
into a plain module, which a test keeps equal to what this renders
(``tests/core/test_schema.py``): edit models.py, then run this.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, Integer, String, UniqueConstraint
from sqlalchemy.sql.elements import False_, True_

HEADER = '''"""The store's tables as SQLAlchemy Core: GENERATED from models.py, do not edit.

Regenerate with ``python -m kt_tui.core.schema_gen`` after changing models.py;
tests/core/test_schema.py fails while this file is stale. Importing it costs
SQLAlchemy Core only: no SQLModel, pydantic or ORM (a verb's start-up).
"""

from __future__ import annotations

from sqlalchemy import (
{imports}
)

SCHEMA_VERSION = {version}

METADATA = MetaData()
'''
NAMES = ("Boolean", "Column", "Date", "ForeignKey", "Index", "Integer", "MetaData", "String",
         "Table", "UniqueConstraint", "false", "true")  # fmt: skip


def _type(col: Any) -> str:
    kept = getattr(col.type, "impl_instance", col.type)  # SQLModel's AutoString: a String
    for kind in (Boolean, Date, Integer, String):
        if isinstance(kept, kind):
            return kind.__name__
    raise TypeError(f"{col.table.name}.{col.name}: no rendering for {col.type!r}")


def _q(text: str) -> str:
    """A string literal as ruff format writes it: double quotes, unless the text holds
    one (and no single quote)."""
    return repr(text) if '"' in text and "'" not in text else json.dumps(text)


def _literal(value: Any) -> str:
    if isinstance(value, False_):
        return "false()"
    if isinstance(value, True_):
        return "true()"
    if isinstance(value, str):
        return _q(value)
    if value is None or isinstance(value, bool | int):
        return repr(value)
    raise TypeError(f"no rendering for default {value!r}")


def _column(col: Any) -> str:
    args = [_q(col.name), _type(col)]
    args += [f"ForeignKey({_q(fk.target_fullname)})" for fk in sorted(col.foreign_keys, key=str)]
    if col.primary_key:
        args.append("primary_key=True")
    args.append(f"nullable={col.nullable!r}")
    if col.default is not None:
        args.append(f"default={_literal(col.default.arg)}")
    if col.server_default is not None:
        args.append(f"server_default={_literal(col.server_default.arg)}")
    return f"    Column({', '.join(args)}),"


def _table(table: Any) -> str:
    lines = [f"{table.name.upper()} = Table(", f"    {_q(table.name)},", "    METADATA,"]
    lines += [_column(c) for c in table.columns]
    uniques = [c for c in table.constraints if isinstance(c, UniqueConstraint)]
    for u in sorted(uniques, key=lambda u: [c.name for c in u.columns]):
        names = ", ".join(_q(c.name) for c in u.columns)
        named = f", name={_q(u.name)}" if isinstance(u.name, str) else ""
        lines.append(f"    UniqueConstraint({names}{named}),")
    for ix in sorted(table.indexes, key=lambda i: str(i.name)):
        names = ", ".join(_q(c.name) for c in ix.columns)
        unique = ", unique=True" if ix.unique else ""
        lines.append(f"    Index({_q(str(ix.name))}, {names}{unique}),")
    lines.append(")")
    return "\n".join(lines)


def render() -> str:
    """schema.py's text, from models.py's SQLModel metadata."""
    from kt_tui.core import models

    tables = models.SQLModel.metadata.sorted_tables
    body = "\n\n\n".join(_table(t) for t in tables)
    used = [n for n in NAMES if n == "MetaData" or re.search(rf"\b{n}\b", body)]
    imports = "\n".join(f"    {n}," for n in used)
    head = HEADER.format(imports=imports, version=models.SCHEMA_VERSION)
    return head + "\n\n" + body + "\n"


def main() -> None:
    target = Path(__file__).with_name("schema.py")
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
