"""Sync's warning about sign-off parties that too few people can fill.

DESIGN: "Sync warns when a party of an item can be filled by fewer than two
people (one absence would block it)". Who may fill a party is rules.may_fill,
asked of the roster and the instances the folder asks for (the conflicts of a
particular sign-off, such as who did it, are not counted: they vary).
"""

from __future__ import annotations

import json

from kt_tui.core import rules
from kt_tui.core.sync.desired import Wanted

MAX_WARNINGS = 20  # a folder with many thin parties gets the first ones and a count


def thin_party_warnings(wanted: Wanted) -> list[str]:
    """One line per (item, party) that some instance leaves to fewer than two people."""
    handles = list(wanted.members)
    member_no = {h: i + 1 for i, h in enumerate(handles)}
    system_no = {s: i + 1 for i, s in enumerate(wanted.systems)}
    has: dict[str, set[int]] = {h: set() for h in handles}
    for handle, key in wanted.receivers:
        if handle in has and key in system_no:
            has[handle].add(system_no[key])
    people = [
        rules.Person(
            member_no[h],
            h,
            row["role"] == rules.Role.LEAD,
            row["side"],
            frozenset(has[h]),
        )
        for h, row in wanted.members.items()
    ]
    fillers: dict[tuple[str, int | None, int | None], int] = {}
    thin: dict[tuple[str, str, str], int] = {}  # (template, item, party) -> fewest fillers
    parties_of = {k: json.loads(w.parties) for k, w in wanted.items.items()}
    for template, item, member, system in wanted.instances:
        mid = member_no.get(member) if member else None
        sid = system_no.get(system) if system else None
        for party in parties_of.get((template, item), []):
            bearing = (party, mid, sid)
            n = fillers.get(bearing)
            if n is None:
                n = fillers[bearing] = sum(1 for p in people if rules.may_fill(party, p, mid, sid))
            if rules.too_few_to_fill(n):
                k = (template, item, party)
                thin[k] = min(n, thin.get(k, n))
    lines = [
        f"{t}/{i}: party {party!r} can be filled by {n} "
        f"{'person' if n == 1 else 'people'} somewhere (one absence would block it)"
        for (t, i, party), n in thin.items()
    ]
    if len(lines) > MAX_WARNINGS:
        rest = len(lines) - MAX_WARNINGS
        lines = [*lines[:MAX_WARNINGS], f"... and {rest} more parties that few can fill"]
    return lines
