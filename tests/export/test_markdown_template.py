"""The markdown template escapes user text exactly as the hand-built markdown did.

The expected lines below were produced by the markdown export before it moved to
``templates/report.md.j2``; they pin today's escaping. Control characters other
than whitespace (ESC, BEL) are shown escaped (``\x1b``, its backslash escaped for
markdown), never written raw; newlines and tabs fold into one space so that a
table row stays one line.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from sqlalchemy import update

from kt_tui.core.actions import act, resolve_ref
from kt_tui.core.clock import Clock
from kt_tui.core.store import Store
from kt_tui.core.sync import sync
from kt_tui.core.tables import INSTANCE, ITEM
from kt_tui.export.command import render
from kt_tui.export.markdown import TEMPLATE, Md, _template, md
from tests.conftest import actor_of
from tests.helpers import TEAM, write_tiny

# ESC ] 52 ; c ; AAAA BEL is a terminal's "write the clipboard"; sync refuses it
# now, so the store gets it the way an older kt-tui could have left it
TITLE = "| pipes | [link](x) <script>alert(1)</script> \x1b]52;c;AAAA\x07\nline two"
TITLE_MD = (
    r"\| pipes \| \[link\](x) &lt;script&gt;alert(1)&lt;/script&gt; "
    r"\\x1b\]52;c;AAAA\\x07 line two"
)
NAME = r"Tiny | [link](x) <script>"
EVIDENCE = "[link](x) | <script>x</script>"
REASON = "a | pipe,\n<b>tag</b> and `code`\tand \x1b[31mred"


@pytest.fixture
def hostile(store: Store, tmp_path: Path, clock: Clock) -> Store:
    team = TEAM.replace('name = "Tiny"', f'name = "{NAME}"')
    root = write_tiny(tmp_path / "hostile", team=team)
    sync(store, root, actor="setup", login="setup", clock=clock)
    eve, lea = actor_of(store, "eve"), actor_of(store, "lea")
    with store.read() as conn:
        runbook = resolve_ref(conn, "docs/runbook", eve, system="db")
        selfcheck = resolve_ref(conn, "docs/selfcheck", lea, system="db")
    act(store, eve, "done", runbook, evidence=EVIDENCE, clock=clock)
    act(store, lea, "na", selfcheck, reason="older", clock=clock)
    with store.write() as conn:
        conn.execute(update(ITEM).where(ITEM.c.key == "runbook").values(title=TITLE))
        conn.execute(update(INSTANCE).where(INSTANCE.c.reason == "older").values(reason=REASON))
    return store


def test_hostile_text_is_escaped_as_before(hostile: Store, clock: Clock) -> None:
    text = render(hostile, "md", actor=actor_of(hostile, "lea"), clock=clock)
    lines = text.splitlines()
    assert lines[0] == r"# Handover readiness: Tiny \| \[link\](x) &lt;script&gt;"
    # one line for the item on both systems, the exception named by its system
    line = f"| `docs/runbook` | {TITLE_MD} | documented | api, db | the system | todo (done: db) |"
    assert f"{line}   |" in lines
    awaiting = (  # folded per item: the evidence after whom it is for
        f"| `docs/runbook` | {TITLE_MD} | db "
        r"| db: \[link\](x) \| &lt;script&gt;x&lt;/script&gt; | eve | awaiting lead "
        r"| 2026-11-25 09:00 |"
    )
    assert awaiting in lines
    na = (
        r"| `docs/selfcheck` | Self check | db | a \| pipe, &lt;b&gt;tag&lt;/b&gt; "
        r"and \`code\` and \\x1b\[31mred (db) |"
    )
    assert na in lines
    assert "<script" not in text and "\n\n\n" not in text
    assert text.endswith("\n") and not text.endswith("\n\n")  # one line end, no blank
    assert "\x1b" not in text and "\x07" not in text


def test_unfiltered_strings_are_escaped_by_default() -> None:
    env = _template().environment
    assert env.from_string("{{ x }}").render(x="a|b\nc") == "a\\|b c"
    assert env.from_string("{{ x | md }}").render(x="*x*") == "\\*x\\*"
    assert env.from_string("{{ x | md | md }}").render(x="*x*") == "\\*x\\*"
    assert env.from_string("{{ x | trusted }}").render(x="*x*") == "*x*"
    assert env.from_string("{{ row(x, none, y) }}").render(x="|", y=Md("`c`")) == (
        "| \\| |   | `c` |"
    )
    assert isinstance(md("x"), Md) and md(Md("*")) == "*"


def test_trusted_is_for_program_text_only() -> None:
    """A new ``| trusted`` is a review item: it prints text unescaped."""
    source = resources.files("kt_tui.export").joinpath("templates", TEMPLATE).read_text("utf-8")
    body = source.split("#}", 1)[1]  # after the header comment
    marked = [line.strip() for line in body.splitlines() if "| trusted" in line]
    assert marked == [
        # the tables the summary and the appendix share (their cells escape themselves)
        "{{ row(m.handle | md, m.name | md, m.role | trusted, figures(m.figures) | trusted) }}",
        "**Generated:** {{ r.generated_at | trusted }} by {{ r.generated_by | md }}",
        "## {{ light[v.level] | trusted }} Go / no-go: **{{ v.level.upper() | trusted }}** "
        "({{ v.label | trusted }})",
        "> Rule: {{ v.rule | trusted }}.",
        "{{ row(figures(st.overall) | trusted) }}",
        "- **Forecast:** {{ fc.text | trusted }}",
        # a macro's output is made of escaped cells already
        "{{ systems_table(r.summary_systems) | trim | trusted }}",
        "Weekly from the handover's start (or its first event, where earlier). "
        "**Forecast:** {{ fc.text | trusted }}",
        "{{ heat_table(r.summary_members, r.summary_systems) | trim | trusted }}",
        "{{ members_table(r.summary_members) | trim | trusted }}",
        'Head: `{{ (r.chain_head or "(empty)") | trusted }}`',
        "Check later that this history was not rewritten: "
        '`kt-tui verify --head {{ (r.chain_head or "HASH") | trusted }}`',
        # the details
        "{{ systems_table(st.systems) | trim | trusted }}",
        "{{ members_table(st.members) | trim | trusted }}",
        "{{ heat_table(st.members, st.systems) | trim | trusted }}",
        '((o.due or "") ~ (" ⚠ " ~ o.overdue ~ " overdue" if o.overdue else "")) | trusted,',
        "### {{ label | trusted }} ({{ changes | length }})",
        '(c.before ~ " → " ~ c.after if c.before or c.after else c.verb) | trusted,',
    ]
