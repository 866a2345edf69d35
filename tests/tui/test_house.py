"""The TUI's own house: markers, one error handler, keymaps, rights, text as data, exits."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from functools import partialmethod
from pathlib import Path

import pytest
from sqlalchemy import update
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Input, Static

import kt_tui.tui.app as app_module
from kt_tui.core.sync import sync
from kt_tui.core.tables import ITEM
from kt_tui.tui.app import UNEXPECTED, KtApp, run_app
from kt_tui.tui.keymap import binding_classes, own_bindings
from kt_tui.tui.screens.checklist import ChecklistScreen
from kt_tui.tui.screens.prompt import PromptScreen
from kt_tui.tui.widgets.checklist_view import ChecklistView
from tests.helpers import FORMAT1
from tests.tui.conftest import FIXED_CLOCK, core_store, wait_loaded, wait_until
from tests.tui.test_app import SIZE, core_act, errors, instance, open_member, rows_of


def notes(app: KtApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_an_outside_write_between_two_own_writes_is_still_seen(
    make_app: Callable[..., KtApp],
    db_path: str,
    messages: list[Message],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app_module, "POLL_SECONDS", 3600)  # we poll by hand below
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        view = screen.query_one(ChecklistView)
        first = view.current
        assert first is not None
        await pilot.press("space")  # our own write: no reload needed for it
        await wait_until(pilot, lambda: view.rows[0].state == "done")
        before = app.marker
        app.poll()
        await pilot.pause(0.3)
        assert app.marker == before  # the poll found nothing new
        outside = view.rows[2]
        core_act(db_path, "asha", "done", outside.id)  # someone else, meanwhile
        view.cursor = 1
        await pilot.pause()
        await pilot.press("space")  # our second write comes after theirs
        await wait_until(pilot, lambda: view.rows[1].state == "done")
        assert view.rows[2].state == "todo"  # not seen yet
        app.poll()
        await wait_until(pilot, lambda: view.rows[2].state == "done")


async def test_an_unexpected_worker_error_is_said_once_and_the_app_goes_on(
    make_app: Callable[..., KtApp], messages: list[Message], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        assert app.service is not None

        def broken(*args: object, **kwargs: object) -> None:
            raise RuntimeError("disk [bold]on fire[/bold]")

        monkeypatch.setattr(app.service, "act", broken)
        await pilot.press("space")
        await wait_until(pilot, lambda: bool(errors(app)))
        failure = next(n for n in app._notifications if n.severity == "error")
        assert failure.title == UNEXPECTED
        assert failure.message == "RuntimeError: disk [bold]on fire[/bold]"
        assert not failure.markup
        assert app.screen is screen and app.is_running


def test_every_binding_has_an_id_and_a_tooltip() -> None:
    seen: list[str] = []
    for cls in binding_classes():
        for b in own_bindings(cls):
            assert b.id, f"{cls.__name__}: {b.key} has no id"
            assert b.tooltip, f"{cls.__name__}: {b.id} has no tooltip"
            seen.append(b.id)
        raw = cls.__dict__.get("BINDINGS", [])
        assert all(isinstance(b, Binding) for b in raw), f"{cls.__name__}: a tuple binding"
    assert len(seen) == len(set(seen)), "binding ids repeat"
    assert "checklist.done" in seen and "app.queue" in seen


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's config file, empty until a test writes it."""
    path = tmp_path / "config.toml"
    monkeypatch.setenv("KT_CONFIG", str(path))
    return path


async def test_a_keymap_remaps_done(
    make_app: Callable[..., KtApp], db_path: str, config: Path, messages: list[Message]
) -> None:
    config.write_text('[keymap]\n"checklist.done" = "x"\n', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        row = screen.query_one(ChecklistView).current
        assert row is not None
        await pilot.press("x")
        await wait_until(pilot, lambda: instance(db_path, row.id).state == "done")
        assert not errors(app)


async def test_a_bad_keymap_is_one_notification_and_default_keys(
    make_app: Callable[..., KtApp], db_path: str, config: Path, messages: list[Message]
) -> None:
    config.write_text('[keymap]\n"checklist.dnoe" = "x"\n', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        await wait_until(pilot, lambda: bool(errors(app)))
        assert len(errors(app)) == 1
        assert "checklist.dnoe" in errors(app)[0] and str(config) in errors(app)[0]
        row = screen.query_one(ChecklistView).current
        assert row is not None
        await pilot.press("space")
        await wait_until(pilot, lambda: instance(db_path, row.id).state == "done")


def demote(db_path: str, tmp_path: Path, handle_line: str, role_line: str) -> None:
    """Sync, from outside the app, a copy of the sample with tomas's role changed."""
    folder = tmp_path / "handover"
    shutil.copytree(FORMAT1, folder)
    team = folder / "team.toml"
    old = f'{handle_line}\nname = "Tomas Lindqvist"\nrole = "lead"'
    text = team.read_text(encoding="utf-8")
    assert old in text
    team.write_text(text.replace(old, f'{handle_line}\nname = "Tomas Lindqvist"\n{role_line}'))
    store = core_store(db_path)
    try:
        sync(store, folder, actor="asha", login="asha", clock=FIXED_CLOCK)
    finally:
        store.dispose()


async def test_a_demoted_lead_sees_the_new_role_after_the_next_poll(
    make_app: Callable[..., KtApp], db_path: str, tmp_path: Path, messages: list[Message]
) -> None:
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await open_member(pilot, messages)
        assert "lead" in app.sub_title
        demote(db_path, tmp_path, 'handle = "tomas"', 'role = "engineer"')
        await wait_until(pilot, lambda: "engineer" in app.sub_title, timeout=5)
        assert any("you are now engineer" in m for m in notes(app))


async def test_a_demoted_lead_cannot_sign_off_before_the_poll(
    make_app: Callable[..., KtApp],
    db_path: str,
    tmp_path: Path,
    messages: list[Message],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(app_module, "POLL_SECONDS", 3600)  # no poll: the write must notice
    ben_rows = rows_of(db_path, member="ben")
    index, target = next((i, r) for i, r in enumerate(ben_rows) if r.signoff)
    core_act(db_path, "ben", "done", target.id, evidence="PR-1")
    app = make_app("tomas")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages, downs=2)  # asha, tomas, ben
        view = screen.query_one(ChecklistView)
        view.cursor = index
        demote(db_path, tmp_path, 'handle = "tomas"', 'role = "engineer"')
        await pilot.pause()
        await pilot.press("s")
        await wait_until(pilot, lambda: bool(errors(app)))
        assert instance(db_path, target.id).state == "done"
        await wait_until(pilot, lambda: "engineer" in app.sub_title)
        assert any("you are now engineer" in m for m in notes(app))


NASTY_TITLE = "Order service [/api] \x1b]0;pwned\x07"
NASTY_NOTE = "[link=https://x]y[/link]"


async def test_user_text_is_shown_literally_and_escaped(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    first = rows_of(db_path, member="asha")[0]
    store = core_store(db_path)
    try:  # an old store (or a hand-edited one) may hold what validation now refuses
        with store.engine.begin() as conn:
            conn.execute(update(ITEM).where(ITEM.c.title == first.title).values(title=NASTY_TITLE))
    finally:
        store.dispose()
    core_act(db_path, "asha", "note", first.id, text=NASTY_NOTE)
    app = make_app("asha")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        view = screen.query_one(ChecklistView)
        assert view.current is not None and view.current.title == NASTY_TITLE
        line = "".join(s.text for s in view.render_line(0))
        assert "Order service [/api] \\x1b]0;pwned\\x07"[:20] in line and "\x1b" not in line
        await wait_until(
            pilot, lambda: NASTY_NOTE in str(screen.query_one("#detail", Static).render())
        )
        detail = str(screen.query_one("#detail", Static).render())
        assert "Order service [/api] \\x1b]0;pwned\\x07" in detail and "\x1b" not in detail
        await pilot.press("space")
        await wait_until(pilot, lambda: any("pwned" in m for m in notes(app)))
        said = next(n for n in app._notifications if "pwned" in n.message)
        assert said.message.startswith("Order service [/api] \\x1b]0;pwned\\x07")
        assert not said.markup and not errors(app)


async def test_a_prompt_refuses_control_characters(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        row = screen.query_one(ChecklistView).current
        assert row is not None
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        app.screen.query_one(Input).value = "see \x1b[31mred"
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(errors(app)))
        assert any(m.startswith("Control characters are not allowed here") for m in errors(app))
        assert isinstance(app.screen, PromptScreen)  # still asking
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen)
        assert not instance(db_path, row.id).note


def test_a_crash_exits_non_zero_with_one_line(
    db_path: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def explode(self: KtApp) -> None:
        raise ValueError("the flux capacitor")

    monkeypatch.setattr(KtApp, "on_ready", explode)
    monkeypatch.setattr(KtApp, "run", partialmethod(KtApp.run, headless=True, size=SIZE))
    with pytest.raises(SystemExit) as exited:
        run_app(db=db_path, as_handle="tomas")
    assert exited.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["kt-tui stopped: ValueError: the flux capacitor"]


async def test_a_long_question_wraps_inside_its_dialog_at_80_columns() -> None:
    from textual.app import App

    from kt_tui.tui.screens.confirm import ConfirmScreen

    class Bare(App[None]):
        pass

    app = Bare()
    async with app.run_test(size=(80, 24)) as pilot:
        for screen in (
            PromptScreen("Why is this item not applicable to this system? " * 4),
            ConfirmScreen("Sign off every selected item, each in its own write? " * 3),
        ):
            app.push_screen(screen)
            await pilot.pause()
            dialog = app.screen.query_one("#dialog").region
            question = app.screen.query_one("#question").region
            assert question.right <= dialog.right and question.height > 1  # wrapped
            app.pop_screen()
            await pilot.pause()


async def test_a_handover_name_with_a_newline_stays_one_phrase_of_the_header(
    make_app: Callable[..., KtApp], db_path: str, messages: list[Message]
) -> None:
    """A hand-edited store's name with a newline and a tab: the dashboard's header
    shows them escaped on the name's own line, the target after it as before."""
    from sqlalchemy import update as sql_update

    from kt_tui.core.tables import META

    store = core_store(db_path)
    try:
        with store.engine.begin() as conn:
            conn.execute(
                sql_update(META)
                .where(META.c.key == "handover_name")
                .values(value="North\nwind\tplatform")
            )
    finally:
        store.dispose()
    app = make_app("asha")
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await wait_loaded(pilot, messages, "dashboard")
        header = str(app.screen.query_one("#dash-header").render())
        first = header.splitlines()[0]
        assert first.startswith("North\\nwind\\tplatform   target ")


WIDE_TITLES = (
    "チケット管理と問題ログへのアクセス 票务和问题日志访问权限 (ticketing)",
    "🔐🔑 " * 20 + "keys",
)


@pytest.mark.parametrize("title", WIDE_TITLES)
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_wide_titles_are_cut_by_cells_and_keep_the_decision_columns(
    make_app: Callable[..., KtApp],
    db_path: str,
    messages: list[Message],
    title: str,
    size: tuple[int, int],
) -> None:
    """A CJK or emoji title (two cells a character) is cut to its column by terminal
    cells: the row is exactly as wide as the view, and For and Due stay on it."""
    from rich.cells import cell_len

    first = rows_of(db_path, member="asha")[0]
    store = core_store(db_path)
    try:
        with store.engine.begin() as conn:
            conn.execute(update(ITEM).where(ITEM.c.title == first.title).values(title=title))
    finally:
        store.dispose()
    app = make_app("asha")
    async with app.run_test(size=size, message_hook=messages.append) as pilot:
        screen = await open_member(pilot, messages)
        view = screen.query_one(ChecklistView)
        await wait_until(pilot, lambda: view.current is not None)
        assert view.current is not None and view.current.title == title
        width = view.scrollable_content_region.width
        line = "".join(s.text for s in view.render_line(0))
        assert cell_len(line) == width
        row = view.current
        assert row.due is not None and row.due.isoformat() in line, line
        assert f" {row.member} " in line, line  # For
        assert "…" in line  # the title was cut, not the row
