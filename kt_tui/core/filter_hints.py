"""Warnings for a filter that is valid but names nothing the store has: `system:order`
(there is `orders`), or a free word close to a filter word (`overdu`)."""

from __future__ import annotations

import difflib

from sqlalchemy import Connection, select

from kt_tui.core.filters import FLAG_TOKENS, Filter
from kt_tui.core.suggest import did_you_mean
from kt_tui.core.tables import ITEM, MEMBER, SYSTEM, TEMPLATE

_NAMED = {
    "system": ("system", SYSTEM.c.key),
    "member": ("member", MEMBER.c.handle),
    "template": ("template", TEMPLATE.c.key),
    "stage": ("stage", ITEM.c.stage),
    "kind": ("kind", TEMPLATE.c.kind),
}


def filter_warnings(conn: Connection, f: Filter) -> list[str]:
    """One sentence per name the filter uses that matches nothing, with the closest."""
    out: list[str] = []
    for key, values in f.fields.items():
        if key == "tier":  # a number: the tiers there are, not a close name
            q = select(SYSTEM.c.tier).where(SYSTEM.c.active == True).distinct()  # noqa: E712
            tiers = sorted({t for (t,) in conn.execute(q)})
            shown = ", ".join(map(str, tiers)) or "none"
            out += [
                f"tier:{v}: no system is in tier {v} (the tiers: {shown})"
                for v in values
                if int(v) not in tiers
            ]
            continue
        if key not in _NAMED:
            continue
        what, col = _NAMED[key]
        known = {v for (v,) in conn.execute(select(col).distinct()) if v is not None}
        for v in values:
            if v not in known:
                out.append(f"{key}:{v}: no {what} is called {v!r}{did_you_mean(v, known)}")
    for word in f.text:
        close = difflib.get_close_matches(word.lower(), FLAG_TOKENS, n=1, cutoff=0.75)
        if close:
            out.append(f"{word!r} is searched as text (did you mean the filter word {close[0]}?)")
    return out
