"""Sync's warning about a sign-off that cannot complete: its parties cannot all be
signed by distinct people once the one who did it stands aside (nobody signs what
they marked done, one person fills one party, no lead signs their own item as a lead:
rules.sign_conflict).

Cheap at a million instances: a party more than ``len(parties) + 1`` people may fill
can always be signed last (Hall: each of the others and the doer take one, one is
left), so only the "small" parties are matched, over the few who may fill them; an
answer is kept per (parties, owner, member, system), asked once however many items
and instances share it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kt_tui.core import rules
from kt_tui.present import some

SHOWN = 3  # names a warning lists before "and N more"
Ids = tuple[int | None, int | None]  # (member id, system id) of an instance


def few(count: int, parties: int) -> bool:
    """A party few enough to be matched: ``count`` may fill it, of ``parties``; more
    can always be signed last."""
    return count <= parties + 1


def any_few(parties: Sequence[str], count: Callable[[str], int]) -> bool:
    """Whether any party is few enough to need the matching (``count``: how many may
    fill it here, its own-handle conflict aside)."""
    return any(few(count(p), len(parties)) for p in parties)


def can_all_sign(fillers: Sequence[frozenset[int]], without: int | None) -> bool:
    """Whether each party can get its own signer from its fillers, none ``without``."""

    def assign(i: int, taken: frozenset[int]) -> bool:
        return i == len(fillers) or any(
            assign(i + 1, taken | {m}) for m in fillers[i] if m not in taken and m != without
        )

    return assign(0, frozenset())


class SignOffCheck:
    """Answers, for one roster, whether an instance's sign-off can complete."""

    def __init__(self, people: list[rules.Person]) -> None:
        self.people = people
        self.by_id = {p.member_id: p for p in people if p.member_id is not None}
        self._fillers: dict[tuple[str, int | None, int | None], frozenset[int]] = {}
        self._said: dict[
            tuple[tuple[str, ...], str, int | None, int | None], tuple[str, bool] | None
        ] = {}

    def fillers(self, party: str, mid: int | None, sid: int | None) -> frozenset[int]:
        key = (party, mid, sid)
        found = self._fillers.get(key)
        if found is None:
            found = self._fillers[key] = frozenset(
                p.member_id
                for p in self.people
                if p.member_id is not None
                and rules.may_fill(party, p, mid, sid)
                and not rules.bears_own_handle(party, p, mid)
            )
        return found

    def verdict(
        self, parties: Sequence[str], owner: str, at: Ids, where: str, counts: Callable[[str], int]
    ) -> tuple[str, bool] | None:
        """Why the sign-off cannot complete here (the sentence, and whether it cannot
        whoever does it), or None. ``where``: the instance as its flags name it."""
        key = (tuple(parties), owner, *at)
        if key not in self._said:
            self._said[key] = self._verdict(parties, owner, at, where, counts)
        return self._said[key]

    def _verdict(
        self, parties: Sequence[str], owner: str, at: Ids, where: str, counts: Callable[[str], int]
    ) -> tuple[str, bool] | None:
        mid, sid = at
        k = len(parties)
        small = [(p, self.fillers(p, mid, sid)) for p in parties if few(counts(p), k)]
        sets = [s for _p, s in small]
        here = f" at {where}" if where else ""
        if not can_all_sign(sets, None):
            empty = [p for p, s in small if not s]
            if empty and all(counts(p) == 0 for p in empty):
                return f"nobody on the roster may sign it as {', '.join(empty)}{here}", True
            if empty:
                why = "no lead signs their own item as a lead"
                return f"nobody may sign it as {', '.join(empty)}{here} ({why})", True
            people = sorted({m for s in sets for m in s})
            named = some([str(self.by_id[m].handle) for m in people], SHOWN)
            return (
                f"only {len(people)} people ({named}) may sign its parties "
                f"({', '.join(p for p, _s in small)}){here}, one party each",
                True,
            )
        union = sorted({m for s in sets for m in s})
        stuck = [
            m
            for m in union
            if rules.is_mine(owner, self.by_id[m], mid, sid) and not can_all_sign(sets, m)
        ]
        if not stuck:
            return None
        doer = self.by_id[stuck[0]]
        left = [p for p, s in small if not (s - {doer.member_id})] or [p for p, _s in small]
        said = (
            f"when {doer.handle} marks it done{f' ({where})' if where else ''}, nobody else "
            f"may sign it as {', '.join(left)}"
        )
        doers = [p for p in self.people if rules.is_mine(owner, p, mid, sid)]
        others = [str(p.handle) for p in doers if p.member_id not in stuck]
        if others:
            return f"{said} (let {some(others, SHOWN)} do it)", False
        rescue = [
            str(p.handle)
            for p in self.people
            if p.is_lead
            and p.member_id not in stuck
            and all(p is not d for d in doers)
            and can_all_sign(sets, p.member_id)
        ]
        if rescue:
            return (
                f"{said}: only if a lead ({some(rescue, SHOWN)}) does it can its sign-off "
                "complete (set owner, or other parties)",
                True,
            )
        return (
            f"{said}; whoever does it, a party is left that nobody may sign: its sign-off "
            "can never complete (set owner, or other parties)",
            True,
        )
