"""The report of a bulk verb's refusals: every reason once, every item, text as data."""

from __future__ import annotations

from kt_tui.tui.screens.refusals import refusals_heading, refusals_text


def test_every_reason_once_every_item_and_markup_is_text() -> None:
    groups = [
        ("It waits on [b]x[/b]", [("a/one", "a/one waits on [b]x[/b]")]),
        ("Only a lead may reopen it.", [("a/two", "..."), ("a/three", "..."), ("a/four", "...")]),
    ]
    text = refusals_text(groups)
    assert text.plain == (
        "a/one\n  a/one waits on [b]x[/b]\n\n"
        "Only a lead may reopen it.\n  3 items:\n  - a/two\n  - a/three\n  - a/four"
    )
    assert refusals_heading(groups) == "4 refused, for 2 reasons"
    assert refusals_text([("x\x1b[2J", [("a\u202eb", "a\u202eb: x\x1b[2J")])]).plain == (
        "a\\u202eb\n  a\\u202eb: x\\x1b[2J"
    )
