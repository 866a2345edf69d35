"""Sync's warning about sign-off parties that too few people can fill.

DESIGN: "Sync warns when a party of an item can be filled by fewer than two
people (one absence would block it)". Who may fill a party is rules.may_fill,
asked of the roster and the instances the folder asks for (the conflicts of a
particular sign-off, such as who did it, are not counted: they vary).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import groupby
from operator import itemgetter

from kt_tui.core import rules
from kt_tui.core.sync.deadlocks import SignOffCheck, any_few, few
from kt_tui.core.sync.desired import ByPair, Wanted

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
    thin: dict[tuple[str, str, str], int] = {}  # (template, item, party) -> fewest fillers
    stuck: dict[tuple[str, str], str] = {}  # item -> who doing it would leave it unsigned
    parties_of = {k: json.loads(w.parties) for k, w in wanted.items.items()}
    check = SignOffCheck(people)
    assessors: dict[tuple[str, str], int] = {}  # assessment item -> fewest who may assess

    def ids(member: str | None, system: str | None) -> tuple[int | None, int | None]:
        return member_no.get(member) if member else None, system_no.get(system) if system else None

    def may_fill(party: str) -> ByPair[int]:
        def count(mid: int | None, sid: int | None) -> int:
            # a lead's own item left to the one other lead is not said (every lead party
            # would be, on every lead's own item): deadlocks.py says where it is nobody
            return sum(rules.may_fill(party, p, mid, sid) for p in people)

        return ByPair(lambda m, s: count(*ids(m, s)))

    def may_assess(parties: list[str]) -> ByPair[int]:
        def count(mid: int | None, sid: int | None) -> int:
            return sum(rules.may_assess(parties, p, mid, sid) for p in people)

        return ByPair(lambda m, s: count(*ids(m, s)))

    fillers: dict[str, ByPair[int]] = {}  # party -> (member, system) -> how many may fill it
    assessing: dict[tuple[str, ...], ByPair[int]] = {}  # parties -> ... how many may assess
    # an item's instances at once, as (member, system) pairs: each count is made once
    # per (party, member, system), however many items ask it
    for (template, item), group in groupby(wanted.instances, key=itemgetter(0, 1)):
        pairs = [ident[2:] for ident in group]
        parties = parties_of.get((template, item), [])
        if rules.is_assessment(str(wanted.templates[template]["kind"])):
            # assessed, not signed: by one who may fill a party and is not its member
            counts = assessing.get(tuple(parties))
            if counts is None:
                counts = assessing[tuple(parties)] = may_assess(parties)
            can = min(map(counts.__getitem__, pairs))
            assessors[(template, item)] = min(can, assessors.get((template, item), can))
            continue
        found = []  # (the first instance it is thin at, the party's place, party, fewest)
        matched = False  # a party few enough somewhere for deadlocks.py to match
        for place, party in enumerate(parties):
            counts = fillers.get(party)
            if counts is None:
                counts = fillers[party] = may_fill(party)
            # too_few_to_fill is a threshold: the fewest is too few when any is
            n = min(map(counts.__getitem__, pairs))
            matched = matched or few(n, len(parties))
            if rules.too_few_to_fill(n):
                first = next(j for j, ms in enumerate(pairs) if rules.too_few_to_fill(counts[ms]))
                found.append((first, place, party, n))
        owner = wanted.items[(template, item)].owner
        said = _deadlock(check, parties, owner, pairs, fillers, ids) if matched else None
        if said is not None:
            stuck[(template, item)], blocked = said
            if blocked:  # says more than "one absence would block it"
                continue
        for _first, _place, party, n in sorted(found):  # in the order instances show them
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
    lines += [f"{t}/{i}: {why}" for (t, i), why in stuck.items()]
    lines += [
        f"{t}/{i}: party {party!r} can be filled by {n} "
        f"{'person' if n == 1 else 'people'} somewhere (one absence would block it)"
        for (t, i, party), n in thin.items()
    ]
    if len(lines) > MAX_WARNINGS:
        rest = len(lines) - MAX_WARNINGS
        lines = [*lines[:MAX_WARNINGS], f"... and {rest} more warnings of who may sign"]
    return lines


def _deadlock(
    check: SignOffCheck,
    parties: list[str],
    owner: str,
    pairs: list[tuple[str | None, str | None]],
    counts: dict[str, ByPair[int]],
    ids: Callable[[str | None, str | None], tuple[int | None, int | None]],
) -> tuple[str, bool] | None:
    """The first instance of an item where its sign-off cannot complete, said."""
    if not parties:
        return None
    for pair in pairs:
        many = {p: counts[p][pair] for p in parties}
        if not any_few(parties, many.__getitem__):
            continue
        where = " ".join(f"--{f} {n}" for f, n in zip(("member", "system"), pair, strict=True) if n)
        said = check.verdict(parties, owner, ids(*pair), where, many.__getitem__)
        if said is not None:
            return said
    return None


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
        if not rules.enough_receivers(receivers[key], need):
            n = receivers[key]
            out.append(
                f"system {key}: min_ready {need} but only {n} client-side receiver"
                f"{'' if n == 1 else 's'}: it can never transfer as the roster stands"
            )
    return out
