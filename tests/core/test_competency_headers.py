"""The competency view's column titles: short (item@system) where no two read alike."""

from __future__ import annotations

from kt_tui.core.competency import Competency, headers


def score(ref: str, system: str | None) -> Competency:
    return Competency("ben", system, ref, "Teach-back", "todo", None, 3, 4)


def test_headers_drop_the_template_unless_two_columns_would_read_alike() -> None:
    scores = [
        score("assessments/teach-back", "orders"),
        score("assessments/quiz", None),
        score("onboarding/quiz", None),  # another template's item of the same key
    ]
    assert headers(scores) == {
        "assessments/teach-back@orders": "teach-back@orders",
        "assessments/quiz": "assessments/quiz",
        "onboarding/quiz": "onboarding/quiz",
    }
