"""Words shown the same way on every surface (TUI, command line, exports)."""

from __future__ import annotations

from kt_tui.present import days_left


def test_the_target_date_s_distance_is_never_negative_days_left() -> None:
    assert days_left(13) == "13 days left"
    assert days_left(1) == "1 day left"
    assert days_left(0) == "due today"
    assert days_left(-1) == "1 day past"
    assert days_left(-13) == "13 days past"  # the exports said "-13 days left"
