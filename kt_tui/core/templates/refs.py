"""Folder-wide checks of format 2: names on the roster, due forms, prerequisites, renames.

A typo must not silently narrow an audience or drop a prerequisite, so every
name a template uses is checked against team.toml and every ``after`` against
the items of the folder. The checks read a neutral form (:class:`Roster`,
:class:`RefTemplate`) made from the validated specs or, best effort, from the raw
data of a file that failed its type checks: one run reports both kinds of error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from kt_tui.core.errors import Problem
from kt_tui.core.templates.spec import (
    OWNERS_FIXED,
    PARTIES_FIXED,
    TeamSpec,
    TemplateFile,
    due_form_error,
    resolve_due,
    signoff_parties,
    with_defaults,
)

Key = tuple[str, str]  # (template key, item key)
Listed = tuple[tuple[int, str], ...]  # (index in its list, name): names that could be read


@dataclass(frozen=True)
class Roster:
    """The names team.toml gives, as far as they could be read: None where a list could
    not be read whole (its checks are skipped rather than guessed)."""

    handles: frozenset[str] | None
    systems: frozenset[str] | None
    tracks: frozenset[str] | None
    tiers: frozenset[int] | None
    target_date: date | None  # None: due forms are not checked
    start_date: date | None
    start_known: bool = True  # False: a start_date is given but unreadable


@dataclass(frozen=True)
class RefItem:
    """An item's names, due form, prerequisites and renames, as far as they could be read."""

    index: int
    key: str | None
    owner: str | None
    parties: Listed
    members: Listed = ()
    systems: Listed = ()
    tracks: Listed = ()
    tiers: tuple[tuple[int, int], ...] = ()
    due: date | str | None = None
    after: Listed = ()
    renamed_from: Listed = ()


@dataclass(frozen=True)
class RefTemplate:
    """A template file's side of the checks: from its validated spec, or (best effort)
    from the raw data of a file that failed its type checks (``whole`` False when an
    item's key could not be read: a reference to a key not found is then not reported)."""

    path: str
    key: str | None
    items: tuple[RefItem, ...]
    renamed_from: Listed = ()
    whole: bool = True


def roster_of(team: TeamSpec) -> Roster:
    h = team.handover
    return Roster(
        handles=frozenset(m.handle for m in team.members),
        systems=frozenset(s.key for s in team.systems),
        tracks=frozenset(t for m in team.members for t in m.tracks),
        tiers=frozenset(s.tier for s in team.systems),
        target_date=h.target_date,
        start_date=h.start_date,
    )


def template_of(tf: TemplateFile) -> RefTemplate:
    head = tf.spec.template
    items = tuple(
        RefItem(
            index=i,
            key=it.key,
            owner=it.owner,
            parties=tuple(enumerate(it.parties)),
            members=tuple(enumerate(it.members or [])),
            systems=tuple(enumerate(it.systems or [])),
            tracks=tuple(enumerate(it.tracks or [])),
            tiers=tuple(enumerate(it.tiers or [])),
            due=it.due,
            after=tuple(enumerate(it.after or [])),
            renamed_from=tuple(enumerate(it.renamed_from)),
        )
        for i, it in enumerate(tf.spec.items)
    )
    return RefTemplate(tf.path, head.key, items, tuple(enumerate(head.renamed_from)))


# --- best effort over raw data --------------------------------------------------------


def raw_get(data: Any, key: str) -> Any:
    """``data[key]`` where data is a table; None where it is not one, or has no key."""
    return data.get(key) if isinstance(data, dict) else None


def _strings(value: Any) -> Listed:
    """The strings of a list, with their indexes; () where it is not a list."""
    if not isinstance(value, list):
        return ()
    return tuple((j, v) for j, v in enumerate(value) if isinstance(v, str))


def _ints(value: Any) -> tuple[tuple[int, int], ...]:
    if not isinstance(value, list):
        return ()
    return tuple((j, v) for j, v in enumerate(value) if type(v) is int)


def _all_names(entries: Any, key: str) -> frozenset[str] | None:
    """``key`` of every table in ``entries``; None unless each one could be read."""
    if entries is None:
        return frozenset()
    if not isinstance(entries, list):
        return None
    names = [raw_get(e, key) for e in entries]
    if not all(isinstance(n, str) for n in names):
        return None
    return frozenset(names)


def _tracks(members: Any) -> frozenset[str] | None:
    """Every track the members list; None unless each list could be read."""
    if members is None:
        return frozenset()
    if not isinstance(members, list):
        return None
    found: set[str] = set()
    for m in members:
        given = raw_get(m, "tracks")
        if given is None:
            continue
        if not isinstance(given, list) or not all(isinstance(t, str) for t in given):
            return None
        found.update(given)
    return frozenset(found)


def raw_roster(data: dict[str, Any]) -> Roster | None:
    """The roster of a team.toml that failed its type checks, as far as it reads; None
    where nothing of it could be read (a missing or unparsable file)."""
    if not data:
        return None
    members, systems = data.get("members"), data.get("systems")
    tracks = _tracks(members)
    tiers = [raw_get(s, "tier") for s in systems] if isinstance(systems, list) else None
    if systems is None:
        tiers = []
    tier_set = (
        frozenset(tiers) if tiers is not None and all(type(t) is int for t in tiers) else None
    )
    h = raw_get(data, "handover")
    target, start = raw_get(h, "target_date"), raw_get(h, "start_date")
    return Roster(
        handles=_all_names(members, "handle"),
        systems=_all_names(systems, "key"),
        tracks=tracks,
        tiers=tier_set,
        target_date=target if type(target) is date else None,
        start_date=start if type(start) is date else None,
        start_known=start is None or type(start) is date,
    )


def _due(value: Any) -> date | str | None:
    """A due form that resolve_due can read; None for anything else (a type error)."""
    if type(value) is date:
        return value
    if isinstance(value, str) and due_form_error(value) is None:
        return value
    return None


def _parties(signoff: Any) -> Listed:
    if signoff is None or isinstance(signoff, bool):  # signoff defaults to true
        return tuple(enumerate(signoff_parties(signoff is not False)))
    return _strings(signoff)


def raw_template(path: str, data: dict[str, Any]) -> RefTemplate:
    """A template file that failed its type checks, as far as its raw data reads (the
    [template] defaults written into each item, as validation does)."""
    head = data.get("template")
    key = raw_get(head, "key")
    raw_items = with_defaults(data).get("items")
    items: list[RefItem] = []
    whole = True
    for i, raw in enumerate(raw_items if isinstance(raw_items, list) else []):
        if not isinstance(raw, dict):
            whole = False
            continue
        it = raw
        item_key = it.get("key")
        owner = it.get("owner", "receiver")
        whole = whole and isinstance(item_key, str)
        items.append(
            RefItem(
                index=i,
                key=item_key if isinstance(item_key, str) else None,
                owner=owner if isinstance(owner, str) else None,
                parties=_parties(it.get("signoff")),
                members=_strings(it.get("members")),
                systems=_strings(it.get("systems")),
                tracks=_strings(it.get("tracks")),
                tiers=_ints(it.get("tiers")),
                due=_due(it.get("due")),
                after=_strings(it.get("after")),
                renamed_from=_strings(it.get("renamed_from")),
            )
        )
    if raw_items is not None and not isinstance(raw_items, list):
        whole = False
    return RefTemplate(
        path,
        key if isinstance(key, str) else None,
        tuple(items),
        _strings(raw_get(head, "renamed_from")),
        whole,
    )


# --- the checks -------------------------------------------------------------------------


def check_references(
    roster: Roster | None, templates: list[RefTemplate], unreadable: frozenset[str] = frozenset()
) -> list[Problem]:
    """Names against the roster (``roster`` None: not checked), due forms, ``after``
    and cycles, renames. ``unreadable``: template keys of files that failed validation
    and could not be read as far as their items; a key they might hold (any key, where
    one file's own key is unreadable) is not reported as missing."""
    problems: list[Problem] = []
    key_of: dict[int, str] = {}  # a template's key here; a file's own one where unreadable
    for n, rt in enumerate(templates):
        key_of[n] = rt.key if rt.key is not None else f"\0{n}"
    items: dict[Key, tuple[str, int]] = {}
    for n, rt in enumerate(templates):
        for it in rt.items:
            if it.key is not None:
                items.setdefault((key_of[n], it.key), (rt.path, it.index))
    edges: dict[Key, list[Key]] = {}
    template_keys = {rt.key for rt in templates if rt.key is not None}
    partial_keys = {rt.key for rt in templates if rt.key is not None and not rt.whole}
    some_key_unknown = "" in unreadable or any(rt.key is None for rt in templates)
    item_keys_of: dict[str, set[str]] = {}
    for n, rt in enumerate(templates):
        item_keys_of.setdefault(key_of[n], set()).update(
            it.key for it in rt.items if it.key is not None
        )

    def unknowable(target: Key) -> bool:
        """A reference that may name an item this check could not read."""
        t = target[0]
        if t in unreadable and t not in template_keys:
            return True  # its file has errors of its own: fix those first
        if t in partial_keys:
            return True
        return t not in template_keys and some_key_unknown

    claimed: dict[str, str] = {}  # an old template key -> the template that claims it
    for n, rt in enumerate(templates):

        def bad(where: str, msg: str, rt: RefTemplate = rt) -> None:
            problems.append(Problem(rt.path, where, msg))

        own = key_of[n]
        for j, old in rt.renamed_from:
            if old in template_keys:
                bad(f"template.renamed_from[{j}]", f"template {old!r} still exists")
            elif old in claimed:
                bad(f"template.renamed_from[{j}]",
                    f"template {old!r} is renamed to {claimed[old]!r} already")  # fmt: skip
            if rt.key is not None:
                claimed.setdefault(old, rt.key)
        item_claims: dict[str, str] = {}
        for it in rt.items:
            for _j, i_old in it.renamed_from:
                if it.key is not None:
                    item_claims.setdefault(i_old, it.key)
        for it in rt.items:
            at = f"items[{it.index}]"
            if roster is not None:
                _names(it, at, roster, bad)
                _due_problems(it, at, roster, bad)
            for j, old in it.renamed_from:
                if old in item_keys_of[own]:
                    bad(
                        f"{at}.renamed_from[{j}]",
                        f"item {old!r} still exists in {rt.key or 'its template'}",
                    )
                elif it.key is not None and item_claims.get(old) != it.key:
                    bad(f"{at}.renamed_from[{j}]",
                        f"item {old!r} is renamed to {item_claims[old]!r} already")  # fmt: skip
            deps: list[Key] = []
            for j, ref in it.after:
                target: Key = tuple(ref.split("/", 1)) if "/" in ref else (own, ref)  # type: ignore[assignment]
                if target not in items:
                    if not unknowable(target):
                        bad(f"{at}.after[{j}]", f"no item {ref!r} in the folder")
                elif target == (own, it.key):
                    bad(f"{at}.after[{j}]", "an item cannot wait on itself")
                else:
                    deps.append(target)
            if it.key is not None:
                edges.setdefault((own, it.key), deps)
    for cycle in _cycles(edges):
        path, i = items[cycle[0]]
        shown = " -> ".join(f"{t}/{k}" for t, k in [*cycle, cycle[0]])
        problems.append(Problem(path, f"items[{i}].after", f"prerequisites form a cycle: {shown}"))
    return problems


def _due_problems(it: RefItem, at: str, roster: Roster, report: Callable[[str, str], None]) -> None:
    if roster.target_date is None or it.due is None:
        return
    if isinstance(it.due, str) and it.due.startswith("S") and not roster.start_known:
        return
    try:
        resolve_due(it.due, roster.target_date, roster.start_date)
    except OverflowError:
        report(f"{at}.due", f"{it.due} falls outside the years 1 to 9999")
    except ValueError as exc:
        report(f"{at}.due", f"{it.due}: {exc}")


def _names(it: RefItem, at: str, roster: Roster, report: Callable[[str, str], None]) -> None:
    handles = roster.handles
    if handles is not None:
        if it.owner is not None and it.owner not in OWNERS_FIXED and it.owner not in handles:
            report(f"{at}.owner", f"must be receiver, provider, lead or a handle, got {it.owner!r}")
        for j, party in it.parties:
            if party not in PARTIES_FIXED and party not in handles:
                report(
                    f"{at}.signoff[{j}]",
                    f"must be lead, client-lead, provider-lead, receiver or a handle, "
                    f"got {party!r}",
                )
    names = [party for _j, party in it.parties]
    if len(set(names)) != len(names):
        report(f"{at}.signoff", "a party is listed twice")
    for key, listed, known in (
        ("members", it.members, handles),
        ("systems", it.systems, roster.systems),
        ("tracks", it.tracks, roster.tracks),
    ):
        if known is None:
            continue
        for j, name in listed:
            if name not in known:
                what = {"members": "member", "systems": "system", "tracks": "track"}[key]
                report(f"{at}.{key}[{j}]", f"no {what} {name!r} in team.toml")
    if roster.tiers is not None:
        for j, tier in it.tiers:
            if tier not in roster.tiers:
                report(f"{at}.tiers[{j}]", f"no system of tier {tier} in team.toml")


def _cycles(edges: dict[Key, list[Key]]) -> list[list[Key]]:
    """One cycle per strongly connected group of prerequisites, in a stable order."""
    out: list[list[Key]] = []
    state: dict[Key, int] = {}  # 1 visiting, 2 done
    for start in edges:
        if state.get(start):
            continue
        stack: list[tuple[Key, int]] = [(start, 0)]
        path: list[Key] = []
        while stack:
            node, i = stack.pop()
            if i == 0:
                state[node] = 1
                path.append(node)
            deps = edges.get(node, [])
            if i < len(deps):
                stack.append((node, i + 1))
                nxt = deps[i]
                if state.get(nxt) == 1:
                    out.append(path[path.index(nxt) :])
                elif not state.get(nxt):
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                path.pop()
    return out
