"""What the app says when a key cannot act yet: each a sentence that says what to do."""

from __future__ import annotations

from kt_tui.core import rules

NO_ITEM = "No item is highlighted: move the cursor to one first."
NOTHING_TO_SIGN = "Nothing here waits for your signature or score."
PICK_ATTENDEE = "Pick the attendee in the list below, then press m."
SAY_SOMETHING = "Type an answer, or press escape to cancel."


def bad_score(scale: int | None, *, known: bool = True) -> str:
    """A score typed that is not a number (``known``: the scale is the item's, not
    several items' of different scales)."""
    if not known:
        return "A score is a whole number, within each item's scale."
    return f"{rules.score_range(scale).capitalize()}."


def not_assessment(title: str) -> str:
    return f"{title} is not an assessment: sign it off with s."
