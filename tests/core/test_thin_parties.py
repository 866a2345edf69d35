"""Sync's warning about parties few can fill: the same lines, asked once per answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kt_tui.core import rules
from kt_tui.core.sync.desired import wanted_from
from kt_tui.core.sync.thin_parties import thin_party_warnings
from kt_tui.core.templates import load_folder
from tests import two_sides

ASSESSMENTS = """\
[template]
key = "exam"
title = "Exams"
kind = "assessment"
scope = "member_system"

[[items]]
key = "by-leads"
title = "Any lead assesses"
pass = 3
signoff = ["lead"]

[[items]]
key = "by-provider"
title = "The provider lead assesses"
pass = 3
signoff = ["provider-lead"]

[[items]]
key = "for-eve"
title = "The provider lead assesses Eve"
pass = 3
signoff = ["provider-lead"]
members = ["eve"]

[[items]]
key = "by-self"
title = "Only the receiver, who may not assess themselves"
pass = 2
signoff = ["receiver"]

[[items]]
key = "by-pete"
title = "Pete assesses, but not his own"
pass = 2
signoff = ["pete", "receiver"]
"""

SYSTEM_QUIZ = """\
[template]
key = "sysquiz"
title = "System quiz"
kind = "assessment"
scope = "system"

[[items]]
key = "demo"
title = "A receiver demonstrates"
pass = 2
signoff = ["receiver"]
"""


def _wanted(tmp_path: Path):  # type: ignore[no-untyped-def]
    root = two_sides.write(tmp_path / "two")
    (root / "exam.toml").write_text(ASSESSMENTS, encoding="utf-8")
    (root / "sysquiz.toml").write_text(SYSTEM_QUIZ, encoding="utf-8")
    return wanted_from(load_folder(root), sample=False)


def test_the_warnings_name_each_thin_party_and_assessment(tmp_path: Path) -> None:
    # the lines as the uncached count gave them (recorded before the cache came in)
    assert thin_party_warnings(_wanted(tmp_path)) == [
        "exam/by-provider: nobody may assess it somewhere: its parties (provider-lead) "
        "leave only its own member, who may not assess themselves",
        "exam/for-eve: 1 person may assess it somewhere (one absence would block it)",
        "exam/by-self: nobody may assess it somewhere: its parties (receiver) "
        "leave only its own member, who may not assess themselves",
        "exam/by-pete: nobody may assess it somewhere: its parties (pete, receiver) "
        "leave only its own member, who may not assess themselves",
        # pete may do it too: the warning says who should
        "handoff/runbook: when pia marks it done (--system api), nobody else may sign it as "
        "provider-lead (let pete do it)",
        "handoff/runbook: party 'provider-lead' can be filled by 1 person somewhere "
        "(one absence would block it)",
    ]


DEADLOCK_TEAM = """\
[handover]
name = "Deadlock"
target_date = 2027-01-15
stages = ["documented"]

[[members]]
handle = "pat"
name = "Pat"
role = "lead"
side = "provider"
systems = ["api"]

[[members]]
handle = "carla"
name = "Carla"
role = "lead"
systems = ["api"]

[[members]]
handle = "dan"
name = "Dan"
role = "engineer"
systems = ["api"]

[[systems]]
key = "api"
name = "API"
tier = 1
"""

DEADLOCKS = """\
[template]
key = "dl"
title = "Deadlocks"
kind = "documentation"
scope = "member"
sides = ["client"]

[[items]]
key = "ack"
title = "A member confirms receipt of their own item"
signoff = ["receiver"]

[[items]]
key = "review"
title = "The client lead reviews each member's item, her own too"
signoff = ["client-lead"]
owner = "pat"
"""

GO_LIVE = """\
[template]
key = "go-live"
title = "Go-live"
kind = "handover"
scope = "handover"

[[items]]
key = "approval"
title = "Both sides approve; a lead does it"
signoff = ["client-lead", "provider-lead"]
"""


def test_a_sign_off_that_can_never_complete_is_said_as_such(tmp_path: Path) -> None:
    """One lead per side: the 'one absence would block it' line said '1 person' where
    nobody could ever sign (the doer may not sign their own work; a lead never signs
    their own item as a lead)."""
    root = tmp_path / "dl"
    root.mkdir()
    for name, body in (("team", DEADLOCK_TEAM), ("dl", DEADLOCKS), ("go-live", GO_LIVE)):
        (root / f"{name}.toml").write_text(body, encoding="utf-8")
    assert thin_party_warnings(wanted_from(load_folder(root), sample=False)) == [
        "dl/ack: when carla marks it done (--member carla), nobody else may sign it as "
        "receiver: only if a lead (pat) does it can its sign-off complete (set owner, or "
        "other parties)",
        "dl/review: nobody may sign it as client-lead at --member carla (no lead signs "
        "their own item as a lead)",
        "go-live/approval: when pat marks it done, nobody else may sign it as provider-lead; "
        "whoever does it, a party is left that nobody may sign: its sign-off can never "
        "complete (set owner, or other parties)",
    ]


def test_who_may_assess_is_counted_once_per_answer_not_per_instance(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The count depends on the item's parties and the instance's member and system only:
    a generated handover with many assessment instances asks the roster once for each
    (parties, member, system), not once per instance (was ~10 s per 100k instances)."""
    from bench.generate import Size, write

    root = write(tmp_path / "big", Size(members=30, systems=6, per_member=3, items=1))
    many = "".join(
        f'\n[[items]]\nkey = "q{i}"\ntitle = "Q{i}"\npass = 2\nsignoff = ["lead", "receiver"]\n'
        for i in range(40)
    )
    head = '[template]\nkey = "quiz"\ntitle = "Quiz"\nkind = "assessment"\n'
    (root / "quiz.toml").write_text(head + 'scope = "member_system"\n' + many, "utf-8")
    wanted = wanted_from(load_folder(root), sample=False)
    assessed = [i for i in wanted.instances if i[0] == "quiz"]
    asked = 0
    real = rules.may_assess

    def counting(*args, **kw):  # type: ignore[no-untyped-def]
        nonlocal asked
        asked += 1
        return real(*args, **kw)

    monkeypatch.setattr(rules, "may_assess", counting)
    before = thin_party_warnings(wanted)
    people = len(wanted.members)
    distinct = len({(m, s) for _t, _i, m, s in assessed})
    assert len(assessed) == 40 * distinct
    assert asked == distinct * people  # not len(assessed) * people
    monkeypatch.setattr(rules, "may_assess", real)
    assert thin_party_warnings(wanted) == before


TWO_CLIENT_LEADS = DEADLOCK_TEAM.replace(
    'handle = "pat"\nname = "Pat"\nrole = "lead"\nside = "provider"',
    'handle = "pat"\nname = "Pat"\nrole = "engineer"\nside = "provider"',
).replace(
    'handle = "dan"\nname = "Dan"\nrole = "engineer"', 'handle = "dan"\nname = "Dan"\nrole = "lead"'
)

JOINT = """\
[template]
key = "gl"
title = "Go-live"
kind = "handover"
scope = "handover"

[[items]]
key = "two"
title = "A client lead and a lead, a lead does it"
owner = "lead"
signoff = ["client-lead", "lead"]

[[items]]
key = "provider"
title = "No provider lead on the roster"
owner = "pat"
signoff = ["provider-lead"]
"""


def test_parties_that_run_out_together_and_a_party_nobody_holds_are_said(tmp_path: Path) -> None:
    """Two client leads, no provider lead: each party of gl/two has two who may fill it,
    so none was thin, yet the lead who does it leaves one for two parties."""
    root = tmp_path / "joint"
    root.mkdir()
    for name, body in (("team", TWO_CLIENT_LEADS), ("gl", JOINT)):
        (root / f"{name}.toml").write_text(body, encoding="utf-8")
    said = thin_party_warnings(wanted_from(load_folder(root), sample=False))
    assert said[:2] == [
        "gl/two: when carla marks it done, nobody else may sign it as client-lead, lead; "
        "whoever does it, a party is left that nobody may sign: its sign-off can never "
        "complete (set owner, or other parties)",
        "gl/provider: nobody on the roster may sign it as provider-lead",
    ], said


def test_a_large_roster_is_checked_in_well_under_a_second(tmp_path: Path) -> None:
    """400 members, 100 items each signed by the provider lead and the receiver: the
    check ran 62 s (every doer of every instance matched again); answers are kept per
    (parties, owner, member, system) and only the parties few may fill are matched."""
    import time

    members = ['[[members]]\nhandle = "pl"\nname = "PL"\nrole = "lead"\nside = "provider"\n']
    systems = [f"s{i}" for i in range(20)]
    members += [
        f'[[members]]\nhandle = "c{i}"\nname = "C{i}"\nrole = "engineer"\n'
        f'systems = ["{systems[i % 20]}"]\n'
        for i in range(320)
    ]
    members += [
        f'[[members]]\nhandle = "p{i}"\nname = "P{i}"\nrole = "engineer"\nside = "provider"\n'
        f"systems = {json.dumps(systems)}\n"
        for i in range(60)
    ]
    members += [f'[[members]]\nhandle = "l{i}"\nname = "L{i}"\nrole = "lead"\n' for i in range(19)]
    team = (
        '[handover]\nname = "Big"\ntarget_date = 2027-01-15\nstages = ["documented"]\n\n'
        + "\n".join(members)
        + "".join(f'\n[[systems]]\nkey = "{k}"\nname = "{k}"\ntier = 1\n' for k in systems)
    )
    items = "".join(
        f'\n[[items]]\nkey = "i{i}"\ntitle = "I{i}"\nowner = "provider"\n'
        'signoff = ["provider-lead", "receiver"]\n'
        for i in range(100)
    )
    head = '[template]\nkey = "h"\ntitle = "H"\nkind = "handover"\nscope = "member_system"\n'
    root = tmp_path / "big"
    root.mkdir()
    (root / "team.toml").write_text(team, encoding="utf-8")
    (root / "h.toml").write_text(head + 'sides = ["client"]\n' + items, encoding="utf-8")
    wanted = wanted_from(load_folder(root), sample=False)
    assert len(wanted.instances) == 32_000
    started = time.process_time()
    thin_party_warnings(wanted)
    assert time.process_time() - started < 3
