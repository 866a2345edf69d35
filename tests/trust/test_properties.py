"""Bad input never crashes: the loader loads or raises its own ValidationFailed, nothing else."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from kt_tui.core.errors import ValidationFailed
from kt_tui.core.models import Event
from kt_tui.core.store import open_store
from kt_tui.core.sync import sync
from kt_tui.core.templates import load_folder
from tests.helpers import DOCS, TEAM, write_tiny

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def toml_value(v: Any) -> str:
    """A value as TOML inline syntax (enough of it for generated documents)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + "}"


KEYS = st.sampled_from(
    ["handover", "members", "systems", "template", "items", "key", "title", "kind", "scope",
     "name", "weight", "stage", "due", "tiers", "session", "handle", "role", "tier", "x"]
)  # fmt: skip
SCALARS = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(KEYS | st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=25,
)
DOCUMENTS = st.dictionaries(KEYS, VALUES, max_size=6).map(
    lambda d: "\n".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in d.items()) + "\n"
)


def load_or_validation_error(root: Path) -> None:
    try:
        load_folder(root)
    except ValidationFailed as exc:
        assert exc.problems and all(str(p) for p in exc.problems)


@FAST
@given(st.binary(max_size=400))
def test_arbitrary_bytes(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        root = write_tiny(Path(d))
        (root / "fuzz.toml").write_bytes(data)
        load_or_validation_error(root)
        (root / "team.toml").write_bytes(data)
        load_or_validation_error(root)


@FAST
@given(
    st.integers(min_value=1, max_value=20_000), st.sampled_from(["[", "{ a = ", "[[", "a.", '"""'])
)
def test_deep_nesting(depth: int, opener: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        root = write_tiny(Path(d))
        closer = {"[": "]", "{ a = ": "}", "[[": "]]", "a.": "", '"""': ""}[opener]
        (root / "deep.toml").write_text("x = " + opener * depth + "1" + closer * depth)
        load_or_validation_error(root)


@FAST
@given(DOCUMENTS, DOCUMENTS)
def test_arbitrary_documents(template: str, team: str) -> None:
    with tempfile.TemporaryDirectory() as d:
        root = write_tiny(Path(d))
        (root / "fuzz.toml").write_text(template, encoding="utf-8")
        load_or_validation_error(root)
        (root / "team.toml").write_text(team, encoding="utf-8")
        load_or_validation_error(root)


@settings(max_examples=30, deadline=None)
@given(
    st.sampled_from(["weight = 2", 'stage = "documented"', 'key = "runbook"', "[template]"]),
    SCALARS,
)
def test_an_invalid_folder_never_changes_the_store(line: str, value: Any) -> None:
    with tempfile.TemporaryDirectory() as d:
        root = write_tiny(Path(d) / "h")
        store = open_store(str(Path(d) / "kt.db"))
        sync(store, root, actor="t", login="t")
        key = line.split(" = ")[0]
        broken = DOCS.replace(line, f"{key} = {toml_value(value)}" if " = " in line else "[tmpl]")
        write_tiny(root, docs=broken, team=TEAM)
        with store.read() as conn:
            before = conn.execute(select(func.count()).select_from(Event)).scalar()
        try:
            sync(store, root, actor="t", login="t")
        except ValidationFailed:
            with store.read() as conn:
                assert conn.execute(select(func.count()).select_from(Event)).scalar() == before
        store.dispose()
