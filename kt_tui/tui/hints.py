"""What the app says when a key cannot act yet: each a sentence that says what to do."""

from __future__ import annotations

from kt_tui.core import rules

NO_ITEM = "No item is highlighted: move the cursor to one first."
NOTHING_TO_SIGN = "Nothing here waits for your signature or score."
PICK_ATTENDEE = "Pick the attendee in the list below, then press m."
SAY_SOMETHING = "Type an answer, or press escape to cancel."


def bad_score(scale: int | None) -> str:
    """A score typed that is not a number."""
    return f"{rules.score_range(scale).capitalize()}."


def not_assessment(title: str) -> str:
    return f"{title} is not an assessment: sign it off with s."
