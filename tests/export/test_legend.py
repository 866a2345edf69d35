"""What readiness, progress and level mean is said once (core/legend.py), and the same
words reach the reader of the md and html exports, and of the README."""

from __future__ import annotations

import re
from pathlib import Path

from markupsafe import escape

from kt_tui.core import legend
from kt_tui.core.store import Store
from kt_tui.export.command import render
from kt_tui.export.markdown import md
from tests.export import scenario

README = Path(__file__).resolve().parents[2] / "README.md"


def test_level_says_that_stages_without_counted_items_are_skipped() -> None:
    assert [term for term, _ in legend.TERMS] == ["Readiness", "Progress", "Level"]
    assert "stages with no counted items are skipped" in legend.LEVEL


def test_md_and_html_define_the_figures_in_their_summary(sample_store: Store) -> None:
    who = scenario.actor(sample_store, "asha")
    text = render(sample_store, "md", actor=who, clock=scenario.NOW)
    summary = text.split("\n# Details\n", 1)[0]
    for term, meaning in legend.TERMS:
        assert f"> **{term}:** {md(meaning)}" in summary
    html = render(sample_store, "html", actor=who, clock=scenario.NOW)
    summary = html.split('id="details"', 1)[0]
    for term, meaning in legend.TERMS:
        assert f"<b>{term}:</b> {escape(meaning)}" in summary


def test_the_readme_defines_them_with_the_same_words() -> None:
    readme = README.read_text(encoding="utf-8")
    section = readme.split("\n### Readiness\n", 1)[1].split("\n## ", 1)[0]
    readiness = " ".join(section.split())  # as a reader sees it, line ends aside
    for term, meaning in legend.TERMS:
        assert f"**{term}:** {meaning}" in readiness, term
    assert re.search(r"\*\*Level:\*\* [^*]*stages with no counted items are skipped", readiness)
