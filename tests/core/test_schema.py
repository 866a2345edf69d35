"""schema.py (SQLAlchemy Core, what every command uses) stays the same schema as
models.py (the SQLModel classes that declare it), from which it is generated."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from kt_tui.core import models, schema
from kt_tui.core.schema_gen import render


def test_schema_module_is_what_models_generate() -> None:
    text = Path(schema.__file__).read_text(encoding="utf-8")
    assert text == render(), "schema.py is stale: run python -m kt_tui.core.schema_gen"


def _tables(metadata: Any) -> dict[str, Any]:
    return {t.name: t for t in metadata.sorted_tables}


@pytest.mark.parametrize("dialect_name", ["sqlite", "postgresql"])
def test_both_create_the_same_tables_and_indexes(dialect_name: str) -> None:
    dialect = sqlite.dialect() if dialect_name == "sqlite" else postgresql.dialect()
    declared, generated = _tables(models.SQLModel.metadata), _tables(schema.METADATA)
    assert generated.keys() == declared.keys()
    for name, table in declared.items():
        ours = generated[name]
        assert str(CreateTable(ours).compile(dialect=dialect)) == str(
            CreateTable(table).compile(dialect=dialect)
        ), name

        def indexes(t: Any) -> list[str]:
            return sorted(str(CreateIndex(i).compile(dialect=dialect)) for i in t.indexes)

        assert indexes(ours) == indexes(table), name


def test_both_give_the_same_defaults_on_insert() -> None:
    """Core inserts that leave a column out get the declared default (not in the DDL)."""
    generated = _tables(schema.METADATA)
    for name, table in _tables(models.SQLModel.metadata).items():
        for col in table.columns:
            theirs = col.default.arg if col.default is not None else None
            mine = generated[name].c[col.name].default
            assert (mine.arg if mine is not None else None) == theirs, (name, col.name)
        assert generated[name].primary_key.columns.keys() == table.primary_key.columns.keys()


def test_schema_version_is_the_declared_one() -> None:
    assert schema.SCHEMA_VERSION == models.SCHEMA_VERSION
