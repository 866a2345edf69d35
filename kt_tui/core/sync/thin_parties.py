"""Sync's warning about sign-off parties that too few people can fill.

DESIGN: "Sync warns when a party of an item can be filled by fewer than two
people (one absence would block it)". Who may fill a party is rules.may_fill,
asked of the roster and the instances the folder asks for (the conflicts of a
particular sign-off, such as who did it, are not counted: they vary).
"""

from __future__ import annotations

import json
from itertools import groupby
from operator import itemgetter

from kt_tui.core import rules
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
    assessors: dict[tuple[str, str], int] = {}  # assessment item -> fewest who may assess

    def ids(member: str | None, system: str | None) -> tuple[int | None, int | None]:
        return member_no.get(member) if member else None, system_no.get(system) if system else None

    def may_fill(party: str) -> ByPair[int]:
        def count(mid: int | None, sid: int | None) -> int:
            # a lead's own item left to the one other lead is not said (every lead party
            # would be, on every lead's own item): _never_signed says where it is nobody
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
        for place, party in enumerate(parties):
            counts = fillers.get(party)
            if counts is None:
                counts = fillers[party] = may_fill(party)
            # too_few_to_fill is a threshold: the fewest is too few when any is
            n = min(map(counts.__getitem__, pairs))
            if rules.too_few_to_fill(n):
                first = next(j for j, ms in enumerate(pairs) if rules.too_few_to_fill(counts[ms]))
                found.append((first, place, party, n))
        if found and (template, item) not in stuck:
            owner = wanted.items[(template, item)].owner
            thin_pairs = [
                ms for ms in pairs if any(rules.too_few_to_fill(fillers[p][ms]) for p in parties)
            ]
            said = _never_signed(parties, owner, people, [(ms, ids(*ms)) for ms in thin_pairs])
            if said:
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
        lines = [*lines[:MAX_WARNINGS], f"... and {rest} more parties that few can fill"]
    return lines


CHECKED_PAIRS = 50  # the instances of one item a deadlock is looked for at (sync's time)


def _never_signed(
    parties: list[str],
    owner: str,
    people: list[rules.Person],
    pairs: list[tuple[tuple[str | None, str | None], tuple[int | None, int | None]]],
) -> tuple[str, bool] | None:
    """Where a thin item's sign-off cannot complete, why, and whether it cannot whoever
    does it (else: only when a certain one does): nobody left for a party
    once the one the owner rule names marks it done (nobody signs their own work, one
    person fills one party, no lead signs their own item as a lead)."""
    nobody = rules.Person(None, None, False, rules.Side.CLIENT)
    for (member, system), (mid, sid) in pairs[:CHECKED_PAIRS]:
        at = "".join(
            f" --{flag} {name}" for flag, name in (("member", member), ("system", system)) if name
        )
        left = rules.signers_left(parties, people, nobody, mid, sid)
        if left:
            return (
                f"nobody may sign it as {', '.join(left)}{' at' + at if at else ''} (one "
                "person fills one party, and no lead signs their own item as a lead)",
                True,
            )
        doers = [p for p in people if rules.is_mine(owner, p, mid, sid)]
        stuck = [
            (d, left) for d in doers if (left := rules.signers_left(parties, people, d, mid, sid))
        ]
        if not stuck:
            continue
        doer, left = stuck[0]
        where = f" ({at.strip()})" if at else ""
        said = (
            f"when {doer.handle} marks it done{where}, nobody else may sign it as {', '.join(left)}"
        )
        if len(stuck) < len(doers):
            others = ", ".join(str(d.handle) for d in doers if all(d is not x for x, _ in stuck))
            return f"{said} (let {others} do it)", False
        rescue = [
            p.handle
            for p in people
            if p.is_lead
            and all(p is not d for d in doers)
            and not rules.signers_left(parties, people, p, mid, sid)
        ]
        if rescue:
            return (
                f"{said}: only if a lead ({', '.join(map(str, rescue))}) does it can its "
                "sign-off complete (set owner, or other parties)",
                True,
            )
        return (
            f"{said}; whoever does it, a party is left that nobody may sign: its sign-off "
            "can never complete (set owner, or other parties)",
            True,
        )
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
