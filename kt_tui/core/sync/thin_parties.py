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
    # who may fill or assess depends on the party (or the parties) and the instance's
    # member and system only: each answer is counted over the roster once, not once per
    # instance (a 100k-instance assessment over 200 people: seconds down to a blink)
    fillers: dict[tuple[str, int | None, int | None], int] = {}
    can_assess: dict[tuple[tuple[str, ...], int | None, int | None], int] = {}
    thin: dict[tuple[str, str, str], int] = {}  # (template, item, party) -> fewest fillers
    parties_of = {k: tuple(json.loads(w.parties)) for k, w in wanted.items.items()}
    assessed = {t for t, row in wanted.templates.items() if rules.is_assessment(str(row["kind"]))}
    assessors: dict[tuple[str, str], int] = {}  # assessment item -> fewest who may assess
    for template, item, member, system in wanted.instances:
        mid = member_no.get(member) if member else None
        sid = system_no.get(system) if system else None
        if template in assessed:
            # assessed, not signed: by one who may fill a party and is not its member
            parties = parties_of.get((template, item), ())
            asked = (parties, mid, sid)
            can = can_assess.get(asked)
            if can is None:
                can = can_assess[asked] = sum(
                    1 for p in people if rules.may_assess(parties, p, mid, sid)
                )
            assessors[(template, item)] = min(can, assessors.get((template, item), can))
            continue
        for party in parties_of.get((template, item), []):
            bearing = (party, mid, sid)
            n = fillers.get(bearing)
            if n is None:
                n = fillers[bearing] = sum(1 for p in people if rules.may_fill(party, p, mid, sid))
            if rules.too_few_to_fill(n):
                k = (template, item, party)
                thin[k] = min(n, thin.get(k, n))
    lines = [
        f"{t}/{i}: nobody may assess it somewhere: its parties ({', '.join(parties_of[(t, i)])}) "
        "leave only its own member, who may not assess themselves"
        if n == 0
        else f"{t}/{i}: {n} {'person' if n == 1 else 'people'} may assess it somewhere "
        "(one absence would block it)"
        for (t, i), n in assessors.items()
        if rules.too_few_to_fill(n)
    ]
    lines += [
        f"{t}/{i}: party {party!r} can be filled by {n} "
        f"{'person' if n == 1 else 'people'} somewhere (one absence would block it)"
        for (t, i, party), n in thin.items()
    ]
    if len(lines) > MAX_WARNINGS:
        rest = len(lines) - MAX_WARNINGS
        lines = [*lines[:MAX_WARNINGS], f"... and {rest} more parties that few can fill"]
    return lines


def unreachable_gate_warnings(wanted: Wanted) -> list[str]:
    """A system whose min_ready asks for more ready receivers than it has client-side
    receivers can never transfer (the verdict can never be go): say so at sync."""
    default = int(wanted.settings["min_ready_per_system"])
    receivers: dict[str, int] = {key: 0 for key in wanted.systems}
    for handle, key in wanted.receivers:
        member = wanted.members.get(handle)
        if member is not None and key in receivers and rules.is_receiving_side(member["side"]):
            receivers[key] += 1
    out = []
    for key, row in wanted.systems.items():
        need = rules.min_ready_of(row["min_ready"], default)
        if need > receivers[key]:
            n = receivers[key]
            out.append(
                f"system {key}: min_ready {need} but only {n} client-side receiver"
                f"{'' if n == 1 else 's'}: it can never transfer as the roster stands"
            )
    return out
