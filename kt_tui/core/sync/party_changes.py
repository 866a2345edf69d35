"""Sync and a change of an item's sign-off parties: what it does to partly signed work.

An instance that is ``done`` and partly signed holds one signature row per party
filled. When the folder changes the item's parties, two things follow, both
planned here (from the store, inside the sync's transaction) and applied and
recorded by sync/apply.py, so that ``verify`` replays them:

- a signature of a party the item no longer lists means nothing any more: it is
  dropped (the log keeps it);
- an instance whose remaining parties have all signed is signed off, by its last
  remaining signer at the time of that signature, as a ``signoff`` filling the
  last party would have done (rules.sign_outcome). Without this it would be
  stuck: nothing missing, so nobody could sign it or send it back.

Signed-off instances keep their signatures: a sign-off stands until a raised
revision or a ``reopen`` (DESIGN). Assessments are signed off by their score,
never by signatures, and are left alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, literal, not_, select

from kt_tui.core import rules
from kt_tui.core.sync.desired import Wanted
from kt_tui.core.sync.stored import Current
from kt_tui.core.tables import INSTANCE, SIGNATURE


@dataclass
class PartyChanges:
    """Row-level work a change of parties asks for (instance ids in ascending order)."""

    settle: list[tuple[int, str, str]] = field(default_factory=list)  # (id, by, at)
    unsign: list[tuple[int, str]] = field(default_factory=list)  # (id, party)
    per_template: dict[str, tuple[int, int]] = field(default_factory=dict)  # settled, unsigned

    def __bool__(self) -> bool:
        return bool(self.settle or self.unsign)

    def record(self) -> dict[str, Any]:
        """What the sync event keeps (verify replays it)."""
        return {
            "settled": [list(s) for s in self.settle],
            "unsigned": [list(u) for u in self.unsign],
        }


def plan_party_changes(
    conn: Connection, wanted: Wanted, current: Current, reopen: list[int]
) -> PartyChanges:
    """The partly signed instances a change of parties settles or unsigns.

    ``current`` is the store as renamed by this sync; ``reopen``: the instances a
    raised revision sends back to todo (their signatures go anyway)."""
    changed: dict[int, tuple[str, list[str]]] = {}  # item id -> (template, new parties)
    for ikey, w in wanted.items.items():
        have = current.items.get(ikey)
        if have is None or have["parties"] == w.parties:
            continue
        if rules.is_assessment(str(wanted.templates[ikey[0]]["kind"])):
            continue
        changed[int(have["id"])] = (ikey[0], json.loads(w.parties) if w.signoff else [])
    out = PartyChanges()
    if not changed:
        return out
    skip = set(reopen)
    held: dict[int, tuple[int, dict[str, tuple[str, str]]]] = {}  # id -> (item, signatures)
    ids = list(changed)
    for start in range(0, len(ids), 900):
        q = (
            select(INSTANCE.c.id, INSTANCE.c.item_id, SIGNATURE.c.party, SIGNATURE.c.by)
            .add_columns(SIGNATURE.c.at)
            .join(SIGNATURE, SIGNATURE.c.instance_id == INSTANCE.c.id)
            .where(
                INSTANCE.c.item_id.in_(ids[start : start + 900]),
                INSTANCE.c.state == rules.State.DONE,
            )
        )
        for iid, item_id, party, by, at in conn.execute(q):
            if iid not in skip:
                held.setdefault(iid, (item_id, {}))[1][party] = (by, at)
    counts: dict[str, list[int]] = {}
    for iid in sorted(held):
        item_id, signed = held[iid]
        template, parties = changed[item_id]
        tally = counts.setdefault(template, [0, 0])
        gone = sorted(p for p in signed if p not in parties)
        out.unsign.extend((iid, p) for p in gone)
        tally[1] += len(gone)
        kept = {p: v for p, v in signed.items() if p in parties}
        done = rules.sign_outcome(rules.Verb.SIGNOFF, parties=parties, signed=kept)
        if parties and kept and done == rules.State.SIGNED_OFF:
            by, at = max(kept.values(), key=lambda v: v[1])
            out.settle.append((iid, by, at))
            tally[0] += 1
    out.per_template = {t: (a, b) for t, (a, b) in counts.items()}
    return out


def below_raised_pass(
    conn: Connection, wanted: Wanted, current: Current, reopen: list[int]
) -> dict[str, list[int]]:
    """Per template, the signed-off assessments whose last score is below their item's
    raised ``pass``: complete by a mark that no longer passes, so sync sends them back to
    todo as a raised revision does (the score goes too: assess again). Lowering ``pass``
    signs nothing off by itself: an assessor assesses again."""
    raised: dict[int, tuple[str, int]] = {}  # item id -> (template, new pass)
    for ikey, w in wanted.items.items():
        have = current.items.get(ikey)
        if have is None or w.pass_score is None:
            continue
        if not rules.is_assessment(str(wanted.templates[ikey[0]]["kind"])):
            continue
        if have["pass_score"] is None or w.pass_score > have["pass_score"]:
            raised[int(have["id"])] = (ikey[0], w.pass_score)
    out: dict[str, list[int]] = {}
    skip = set(reopen)
    for item_id, (template, mark) in raised.items():
        q = select(INSTANCE.c.id).where(
            INSTANCE.c.item_id == item_id,
            INSTANCE.c.state == rules.State.SIGNED_OFF,
            INSTANCE.c.score.is_not(None),
            not_(rules.passes_sql(INSTANCE.c.score, literal(mark))),
        )
        ids = [i for (i,) in conn.execute(q) if i not in skip]
        if ids:
            out.setdefault(template, []).extend(ids)
    return out
