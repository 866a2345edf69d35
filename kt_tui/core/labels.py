"""The listing's worded columns, once: state, signing and score as a user reads them.

``list`` words them in Python over an :class:`~kt_tui.core.instances.InstanceRow`;
the streamed full listing (``list --limit 0``) words them in SQL, line by line. Each
wording is written here in both forms side by side, from the same words, so the two
listings print the same text (tests/test_cli_labels.py compares them row by row on
SQLite and PostgreSQL).

- state: "lapsed"; "waiting" (a todo item with an incomplete prerequisite) or
  "<state>, waiting" (blocked, done, signed_off); else the stored state; then
  " (sent back)" after a todo or blocked item that was rejected, until done again.
- signing: "not needed" for an item with no sign-off party (``signoff = false``:
  the app says so too); for a done item with parties, "awaiting assessment" (an
  assessment), "awaiting <party>" (one party), "<n> of <m> signed; missing <party>,
  <party>" (the parties not signed yet, in their listed order); else ''.
- score: "<score>/<scale> (pass <pass>)".
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import String, and_, case, cast, func, literal, not_, select

from kt_tui.core import rules
from kt_tui.core.tables import INSTANCE, ITEM, SIGNATURE

LAPSED = "lapsed"
WAITING = "waiting"
WAITING_SUFFIX = ", waiting"
SENT_BACK_SUFFIX = " (sent back)"
AWAITING_ASSESSMENT = "awaiting assessment"
AWAITING = "awaiting "
OF = " of "
SIGNED = " signed"
MISSING = "; missing "
PARTY_SEPARATOR = ", "
PASS = " (pass "
NOT_NEEDED = "not needed"  # an item with no sign-off party: the app's words too

# --- state -------------------------------------------------------------------------


def shown_state(state: str, *, lapsed: bool, waiting: bool) -> str:
    """The state as a user reads it: lapsed or waiting where that is so."""
    if lapsed:
        return LAPSED
    if waiting and state != rules.State.NA:
        return WAITING if state == rules.State.TODO else state + WAITING_SUFFIX
    return state


def state_label(state: str, *, lapsed: bool, waiting: bool, sent_back: bool) -> str:
    """shown_state, and " (sent back)" for a rejected item until it is done again."""
    shown = shown_state(state, lapsed=lapsed, waiting=waiting)
    if sent_back and state in rules.SENT_BACK_SHOWN_IN:
        return shown + SENT_BACK_SUFFIX
    return shown


def state_label_sql(lapsed: Any, waiting: Any) -> Any:
    """state_label over the instance table: ``lapsed`` and ``waiting`` are the
    conditions (rules.lapsed_sql, rules.waiting_sql, only asked where it matters)."""
    state = INSTANCE.c.state
    shown = case(
        (lapsed, literal(LAPSED)),
        (
            and_(state != rules.State.NA, waiting),
            case(
                (state == rules.State.TODO, literal(WAITING)),
                else_=state + literal(WAITING_SUFFIX),
            ),
        ),
        else_=state,
    )
    sent_back = and_(INSTANCE.c.sent_back == True, state.in_(rules.SENT_BACK_SHOWN_IN))  # noqa: E712
    return case((sent_back, shown + literal(SENT_BACK_SUFFIX)), else_=shown)


# --- signing -----------------------------------------------------------------------


def signing(kind: str, state: str, parties: Sequence[str], signed: Collection[str]) -> str:
    """How far a done item's sign-off is; NOT_NEEDED where it has no party to sign; ''
    when it is not done (a done item is the one that collects signatures). ``signed``:
    the parties signed."""
    if not parties:
        return NOT_NEEDED
    if state != rules.State.DONE:
        return ""
    if rules.is_assessment(kind):
        return AWAITING_ASSESSMENT
    if len(parties) == 1:
        return AWAITING + parties[0]
    missing = rules.missing_parties(parties, signed)
    n = len(parties) - len(missing)
    said = f"{n}{OF}{len(parties)}{SIGNED}"
    return said + MISSING + PARTY_SEPARATOR.join(missing) if missing else said


def _parties_json(dialect: str) -> Any:
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import JSON

        return cast(ITEM.c.parties, JSON)
    return ITEM.c.parties


def _multi_party_sql(dialect: str) -> Any:
    """ "<n> of <m> signed; missing a, b" for the current instance, as a scalar
    subquery over its item's parties (in their listed order) less its signatures."""
    signed = (
        select(SIGNATURE.c.party)
        .where(SIGNATURE.c.instance_id == INSTANCE.c.id)
        .correlate(INSTANCE)
    )
    as_json = _parties_json(dialect)
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import aggregate_order_by

        p = func.json_array_elements_text(as_json).table_valued(
            "value", with_ordinality="ordinality"
        )
        in_order = aggregate_order_by(literal(PARTY_SEPARATOR), p.c.ordinality)
        names = func.string_agg(p.c.value, in_order)
        source = select(p.c.value).select_from(p).where(not_(p.c.value.in_(signed)))
        missing = source.with_only_columns(names.label("names"), func.count().label("n"))
    else:
        # json_each walks the array in order; the ordered subquery keeps it for
        # group_concat (SQLite aggregates rows in the order they come)
        p = func.json_each(as_json).table_valued("key", "value")
        ordered = (
            select(p.c.value)
            .select_from(p)
            .where(not_(p.c.value.in_(signed)))
            .order_by(p.c.key)
            .subquery("missing")
        )
        missing = select(
            func.group_concat(ordered.c.value, literal(PARTY_SEPARATOR)).label("names"),
            func.count().label("n"),
        ).select_from(ordered)
    m = missing.subquery("missing_parties")
    total = func.json_array_length(as_json)
    said = cast(total - m.c.n, String) + literal(OF) + cast(total, String) + literal(SIGNED)
    label = case((m.c.n == 0, said), else_=said + literal(MISSING) + m.c.names)
    return select(label).select_from(m).correlate(INSTANCE, ITEM).scalar_subquery()


def signing_sql(dialect: str) -> Any:
    """signing over the instance joined to its item and template."""
    as_json = _parties_json(dialect)
    total = func.json_array_length(as_json)
    pg = dialect == "postgresql"
    first = as_json.op("->>")(0) if pg else func.json_extract(as_json, "$[0]")
    return case(
        (func.coalesce(total, 0) == 0, literal(NOT_NEEDED)),
        (
            INSTANCE.c.state == rules.State.DONE,
            case(
                (rules.is_assessment_sql(), literal(AWAITING_ASSESSMENT)),
                (total == 1, literal(AWAITING) + first),
                else_=_multi_party_sql(dialect),
            ),
        ),
        else_=literal(""),
    )


# --- score -------------------------------------------------------------------------


def score_label(score: int | None, scale: int | None, pass_score: int | None) -> str:
    """The last score of an assessment as "3/4 (pass 3)"; '' where none."""
    if score is None:
        return ""
    said = f"{score}/{scale or rules.DEFAULT_SCALE}"
    return said if pass_score is None else f"{said}{PASS}{pass_score})"


def score_label_sql() -> Any:
    """score_label over the instance joined to its item."""
    label = (
        cast(INSTANCE.c.score, String)
        + literal("/")
        + cast(func.coalesce(ITEM.c.scale, rules.DEFAULT_SCALE), String)
        + func.coalesce(literal(PASS) + cast(ITEM.c.pass_score, String) + literal(")"), "")
    )
    return case((INSTANCE.c.score.is_(None), literal("")), else_=label)
