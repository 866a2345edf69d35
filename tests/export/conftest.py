"""Fixtures for the export tests: the scripted sample store, built once per module."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kt_tui.core.store import Store
from tests.export import scenario


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    store = scenario.build(tmp_path_factory.mktemp("sample") / "kt.db")
    yield store
    store.dispose()


@pytest.fixture(scope="module")
def sample_db(sample_store: Store) -> Path:
    return Path(sample_store.url.removeprefix("sqlite:///"))
