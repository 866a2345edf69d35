"""Who and where, on every screen: the actor with role and side, the store, the identity."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual.message import Message

from kt_tui.core.sync import sync
from kt_tui.paths import sample_dir
from kt_tui.tui.app import KtApp
from kt_tui.tui.screens.base import ContextBar
from tests.tui.conftest import FIXED_CLOCK, core_store, wait_until
from tests.tui.test_app import SIZE, open_member, wait_loaded


def bar(app: KtApp) -> str:
    return str(app.screen.query_one(ContextBar).render())


async def test_every_screen_says_who_acts_on_which_store(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await open_member(pilot, messages)
        for view in ("checklist", "queue", "sessions"):
            if view == "queue":
                await pilot.press("S")
                await wait_loaded(pilot, messages, "queue")
            elif view == "sessions":
                await pilot.press("t")
                await wait_loaded(pilot, messages, "sessions")
            await wait_until(pilot, lambda: "tomas" in bar(app))
            text = bar(app)
            assert "tomas (lead, client side)" in text, (view, text)
            # the store's path may give way to the width (its end stays): whole in the
            # app's context line
            assert "kt.db   identity: login" in text and f"file {db_path}" in app.sub_title


async def test_a_handle_matches_without_regard_to_case(
    make_app: Callable[..., KtApp], messages: list[Message]
) -> None:
    app = make_app("Tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await wait_until(pilot, lambda: "tomas (lead" in bar(app))


async def test_an_outsider_on_the_sample_is_told_who_they_act_as(
    tmp_path: Path, messages: list[Message]
) -> None:
    db = str(tmp_path / "sample.db")
    store = core_store(db)
    sync(store, sample_dir(), actor="t", login="t", clock=FIXED_CLOCK)
    store.dispose()
    app = KtApp(db=db, as_handle="bne", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await wait_until(pilot, lambda: "acting as asha, the sample's lead" in bar(app))
        assert "you typed 'bne'" in bar(app)


def drawn(app: KtApp) -> list[str]:
    """The context bar's lines as the terminal shows them (its region of the screen)."""
    region = app.screen.query_one(ContextBar).region
    strips = app.screen._compositor.render_strips()
    return [s.text[region.x : region.right].rstrip() for s in strips[region.y : region.bottom]]


async def test_at_80_columns_who_the_store_and_the_identity_mode_are_all_drawn(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    """Who acts stays whole; the store's path gives way (its leading folders as …)
    before anything is cut, so the three fit on the one line."""
    app = make_app("tomas")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await wait_until(pilot, lambda: "tomas" in bar(app))
        assert len(f"tomas (lead, client side)   file {db_path}   identity: login") > 80
        (line,) = drawn(app)
        assert line.startswith("tomas (lead, client side)   file …/")
        assert line.endswith("/kt.db   identity: login")


async def test_at_80_columns_the_sample_s_stand_in_takes_two_lines_and_nothing_is_cut(
    tmp_path: Path, messages: list[Message]
) -> None:
    """A new user's first screen: the stand-in sentence is long, so the store and the
    identity mode go on a second line, whole."""
    db = str(tmp_path / "sample.db")
    store = core_store(db)
    sync(store, sample_dir(), actor="t", login="t", clock=FIXED_CLOCK)
    store.dispose()
    app = KtApp(db=db, as_handle="bne", clock=FIXED_CLOCK, start="dashboard")
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        await wait_until(pilot, lambda: "asha" in bar(app))
        who, where = drawn(app)
        assert who == app.context[0]  # whole (it may end with a "did you mean")
        assert who.startswith("acting as asha, the sample's lead: you typed 'bne'")
        assert where.startswith("file ") and where.endswith("/sample.db   identity: login")


def test_the_store_gives_way_first_and_keeps_whole_folder_names() -> None:
    from kt_tui.tui.widgets.context_bar import fit_context

    who, mode = "asha (lead, client side)", "identity: login"
    home = "/home/asha"
    store = "file /home/asha/.local/share/kt-tui/kt-tui.db"
    assert fit_context((who, store, mode), 120, home) == [f"{who}   {store}   {mode}"]
    assert fit_context((who, store, mode), 80, home) == [
        f"{who}   file …/share/kt-tui/kt-tui.db   {mode}"
    ]
    # too narrow for the three on one line: who acts alone, then the rest, home as ~
    assert fit_context((who, store, mode), 60, home) == [
        who,
        f"file ~/.local/share/kt-tui/kt-tui.db   {mode}",
    ]
    url = "database postgresql+psycopg://kt@db.example:5432/handover"
    assert fit_context((who, url, "identity: database"), 80) == [
        f"{who}   database …/handover   identity: database"
    ]


def test_a_store_whose_name_alone_is_too_long_keeps_its_end_and_the_mode_whole() -> None:
    """A file name wider than the terminal: the store gets a line of its own, cut at its
    start, and the identity mode stays whole below (it was cut off with the store)."""
    from rich.cells import cell_len

    from kt_tui.tui.widgets.context_bar import fit_context

    who, mode = "ben (engineer, client side)", "identity: login"
    store = "file /home/u/" + "n" * 70 + ".db"
    lines = fit_context((who, store, mode), 80)
    assert lines[0] == who and lines[-1] == mode and len(lines) == 3
    assert lines[1].startswith("file …") and lines[1].endswith("nnn.db")
    assert all(cell_len(line) <= 80 for line in lines)


async def test_a_newline_in_the_store_path_is_shown_not_obeyed(
    make_app: Callable[..., KtApp], messages: list[Message], tmp_path: Path
) -> None:
    """A store path holding a newline is one line of the bar, the newline escaped: it
    would have drawn a line the bar's height did not count, hiding the mode."""
    app = make_app("ben")
    async with app.run_test(size=(120, 40), message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        shown = app.screen.query_one(ContextBar)
        app.context = ("ben (engineer, client side)", "file /tmp/a\nb/kt.db", "identity: login")
        await pilot.pause()
        assert shown.parts[1] == "file /tmp/a\\nb/kt.db"
        assert "\n" not in "".join(shown.parts)
