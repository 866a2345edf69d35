"""Folder-wide checks of format 2: names on the roster, due forms, prerequisites, renames.

A typo must not silently narrow an audience or drop a prerequisite, so every
name a template uses is checked against team.toml and every ``after`` against
the items of the folder.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from kt_tui.core.errors import Problem
from kt_tui.core.templates.spec import (
    OWNERS_FIXED,
    PARTIES_FIXED,
    ItemSpec,
    TeamSpec,
    TemplateFile,
    resolve_due,
)

Key = tuple[str, str]  # (template key, item key)


def check_references(
    team: TeamSpec, templates: list[TemplateFile], unreadable: frozenset[str] = frozenset()
) -> list[Problem]:
    """``unreadable``: template keys of files that failed validation (their own problems
    are listed): a reference into one of them is not reported as missing."""
    problems: list[Problem] = []
    h = team.handover
    handles = {m.handle for m in team.members}
    systems = {s.key for s in team.systems}
    tracks = {t for m in team.members for t in m.tracks}
    tiers = {s.tier for s in team.systems}
    items: dict[Key, tuple[str, int]] = {}
    for tf in templates:
        for i, it in enumerate(tf.spec.items):
            items[(tf.spec.template.key, it.key)] = (tf.path, i)
    edges: dict[Key, list[Key]] = {}
    template_keys = {tf.spec.template.key for tf in templates}
    item_keys_of: dict[str, set[str]] = {}
    for tf in templates:
        item_keys_of[tf.spec.template.key] = {it.key for it in tf.spec.items}

    def bad(tf: TemplateFile, where: str, msg: str) -> None:
        problems.append(Problem(tf.path, where, msg))

    claimed: dict[str, str] = {}  # an old template key -> the template that claims it
    for tf in templates:
        head = tf.spec.template
        for j, old in enumerate(head.renamed_from):
            if old in template_keys:
                bad(tf, f"template.renamed_from[{j}]", f"template {old!r} still exists")
            elif old in claimed:
                bad(tf, f"template.renamed_from[{j}]",
                    f"template {old!r} is renamed to {claimed[old]!r} already")  # fmt: skip
            claimed.setdefault(old, head.key)
        item_claims: dict[str, str] = {}
        for it in tf.spec.items:
            for i_old in it.renamed_from:
                item_claims.setdefault(i_old, it.key)
        for i, it in enumerate(tf.spec.items):
            at = f"items[{i}]"
            _names(it, at, handles, systems, tracks, tiers, partial(bad, tf))
            try:
                resolve_due(it.due, h.target_date, h.start_date)
            except OverflowError:
                bad(tf, f"{at}.due", f"{it.due} falls outside the years 1 to 9999")
            except ValueError as exc:
                bad(tf, f"{at}.due", f"{it.due}: {exc}")
            for j, old in enumerate(it.renamed_from):
                if old in item_keys_of[head.key]:
                    bad(tf, f"{at}.renamed_from[{j}]", f"item {old!r} still exists in {head.key}")
                elif item_claims.get(old) != it.key:
                    bad(tf, f"{at}.renamed_from[{j}]",
                        f"item {old!r} is renamed to {item_claims[old]!r} already")  # fmt: skip
            deps: list[Key] = []
            for j, ref in enumerate(it.after or []):
                target: Key = tuple(ref.split("/", 1)) if "/" in ref else (head.key, ref)  # type: ignore[assignment]
                if target not in items and target[0] in unreadable:
                    continue  # its file has errors of its own: fix those first
                if target not in items:
                    bad(tf, f"{at}.after[{j}]", f"no item {ref!r} in the folder")
                elif target == (head.key, it.key):
                    bad(tf, f"{at}.after[{j}]", "an item cannot wait on itself")
                else:
                    deps.append(target)
            edges[(head.key, it.key)] = deps
    for cycle in _cycles(edges):
        path, i = items[cycle[0]]
        shown = " -> ".join(f"{t}/{k}" for t, k in [*cycle, cycle[0]])
        problems.append(Problem(path, f"items[{i}].after", f"prerequisites form a cycle: {shown}"))
    return problems


def _names(
    it: ItemSpec,
    at: str,
    handles: set[str],
    systems: set[str],
    tracks: set[str],
    tiers: set[int],
    report: Callable[[str, str], None],
) -> None:
    if it.owner not in OWNERS_FIXED and it.owner not in handles:
        report(f"{at}.owner", f"must be receiver, provider, lead or a handle, got {it.owner!r}")
    for j, party in enumerate(it.parties):
        if party not in PARTIES_FIXED and party not in handles:
            report(
                f"{at}.signoff[{j}]",
                f"must be lead, client-lead, provider-lead, receiver or a handle, got {party!r}",
            )
    if len(set(it.parties)) != len(it.parties):
        report(f"{at}.signoff", "a party is listed twice")
    for key, known in (("members", handles), ("systems", systems), ("tracks", tracks)):
        for j, name in enumerate(getattr(it, key) or []):
            if name not in known:
                what = {"members": "member", "systems": "system", "tracks": "track"}[key]
                report(f"{at}.{key}[{j}]", f"no {what} {name!r} in team.toml")
    for j, tier in enumerate(it.tiers or []):
        if tier not in tiers:
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
