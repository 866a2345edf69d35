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
            assert f"file {db_path}" in text and "identity: login" in text


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
