"""The template and roster formats as strict pydantic models, and due-date forms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)

from kt_tui.present import first_control

M = TypeVar("M", bound=BaseModel)


def _no_controls(value: str) -> str:
    """Text is data: new text holding a control character (but tab and newline) is refused."""
    c = first_control(value)
    if c is not None:
        raise ValueError(f"contains a control character (U+{ord(c):04X})")
    return value


# every free-text field of the files: names, titles, details, trainers
Text = Annotated[str, AfterValidator(_no_controls)]

SLUG = r"^[a-z0-9][a-z0-9_-]*$"
Slug = Annotated[str, Field(pattern=SLUG, max_length=64)]
# "T-30d", "T+2w" (from target_date), "S+14d", "S+2w" (from start_date)
DUE_RELATIVE = re.compile(r"^(?P<anchor>[TS])(?P<sign>[-+])(?P<n>\d{1,4})(?P<unit>[dw])$")
PERIOD = re.compile(r"^(?P<n>\d{1,4})(?P<unit>[dw])$")
PARTIES_FIXED = ("lead", "client-lead", "provider-lead", "receiver")
OWNERS_FIXED = ("receiver", "provider", "lead")
TEAM_FILE = "team.toml"
MAX_FILE_BYTES = 5 * 1024 * 1024


MAX_YEARS = 5  # the longest transfer phase a start_date may open (a BOT's is months)


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (29 February: the 28th; before year 1: the
    first day there is)."""
    if day.year - years < date.min.year:
        return date.min
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class _Strict(BaseModel):
    # strict: "7" is not a weight and "yes" is not a boolean; a typo must not pass
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class HandoverSpec(_Strict):
    name: Text = Field(min_length=1, max_length=200)
    target_date: date
    stages: list[Slug] = Field(
        default=["documented", "shadowed", "reverse-shadowed", "independent"], min_length=1
    )
    ready_threshold: float = Field(default=1.0, gt=0, le=1)
    min_ready_per_system: int = Field(default=2, ge=0, le=10_000)
    identity: Literal["login", "database"] = "login"
    start_date: date | None = None

    @field_validator("start_date")
    @classmethod
    def _start_before_target(cls, v: date | None, info: ValidationInfo) -> date | None:
        """The transfer's start, before its target and not years before it: a year
        typed wrong (1026) would draw a burn-up of a thousand years."""
        target = info.data.get("target_date")
        if v is None or not isinstance(target, date):
            return v
        if v > target:
            raise ValueError(
                f"{v} is after target_date {target}: a handover starts before its target"
            )
        earliest = years_before(target, MAX_YEARS)
        if v < earliest:
            raise ValueError(
                f"{v} is more than {MAX_YEARS} years before target_date {target} (a typo in "
                f"the year?): give the transfer phase's own start, {earliest} or later"
            )
        return v

    @field_validator("stages")
    @classmethod
    def _unique_stages(cls, v: list[str]) -> list[str]:
        dupes = sorted({s for s in v if v.count(s) > 1})
        if dupes:
            raise ValueError(f"stages must be unique, repeated: {', '.join(dupes)}")
        return v


class MemberSpec(_Strict):
    handle: Slug
    name: Text = Field(min_length=1, max_length=200)
    role: Literal["lead", "engineer"]
    side: Literal["client", "provider"] = "client"
    systems: list[Slug] = []
    tracks: list[Slug] = []
    db_user: Text | None = Field(default=None, min_length=1, max_length=63)


class SystemSpec(_Strict):
    key: Slug
    name: Text = Field(min_length=1, max_length=200)
    tier: int = Field(ge=1, le=9)
    min_ready: int | None = Field(default=None, ge=0, le=10_000)


class TeamSpec(_Strict):
    handover: HandoverSpec
    members: list[MemberSpec] = []
    systems: list[SystemSpec] = []


class SessionSpec(_Strict):
    at: datetime
    minutes: int = Field(gt=0, le=7 * 24 * 60)
    trainer: Text = Field(min_length=1, max_length=200)
    location: Text | None = Field(default=None, min_length=1, max_length=200)


ItemRef = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9_-]*)?$")]
Tier = Annotated[int, Field(ge=1, le=9)]


def due_form_error(value: str) -> str | None:
    """What is wrong with a relative due form, or None when resolve_due can read it."""
    if not DUE_RELATIVE.match(value):
        return (
            'must be a TOML date, "T-<n>d", "T+<n>d", "T-<n>w", "T+<n>w", '
            f'"S+<n>d" or "S+<n>w", got {value!r}'
        )
    if value.startswith("S-"):
        return f'counts from start_date forward only ("S+<n>d"), got {value!r}'
    return None


def signoff_parties(signoff: bool | list[str]) -> list[str]:
    """An item's sign-off parties in their listed order: true is a lead, false is none."""
    if signoff is True:
        return ["lead"]
    if signoff is False:
        return []
    return list(signoff)


class ItemDefaults(_Strict):
    """The item keys a template may set for all of its items (an item's own key wins)."""

    stage: Text | None = None
    weight: int = Field(default=1, gt=0, le=1000)
    evidence: bool = False
    due: date | str | None = None  # its forms (DUE_RELATIVE) admit no control character
    revision: int = Field(default=1, ge=1, le=1_000_000)
    owner: Slug = "receiver"  # receiver | provider | lead | a member handle
    signoff: bool | list[Slug] = True  # true = ["lead"], false = []
    tiers: list[Tier] | None = Field(default=None, min_length=1)
    systems: list[Slug] | None = Field(default=None, min_length=1)
    sides: list[Literal["client", "provider"]] | None = Field(default=None, min_length=1)
    roles: list[Literal["lead", "engineer"]] | None = Field(default=None, min_length=1)
    tracks: list[Slug] | None = Field(default=None, min_length=1)
    members: list[Slug] | None = Field(default=None, min_length=1)
    after: list[ItemRef] | None = Field(default=None, min_length=1)
    valid_for: str | None = None
    pass_: int | None = Field(default=None, alias="pass", ge=1, le=100)
    scale: int = Field(default=4, ge=1, le=100)
    session: SessionSpec | None = None
    sessions: list[SessionSpec] | None = Field(default=None, min_length=1, max_length=100)

    @field_validator("due")
    @classmethod
    def _due_form(cls, v: date | str | None) -> date | str | None:
        if isinstance(v, str) and (why := due_form_error(v)) is not None:
            raise ValueError(why)
        return v

    @field_validator("valid_for")
    @classmethod
    def _period(cls, v: str | None) -> str | None:
        if v is not None and (not PERIOD.match(v) or period_days(v) == 0):
            raise ValueError(f'must be "<n>d" or "<n>w" with n > 0, got {v!r}')
        return v

    @property
    def parties(self) -> list[str]:
        """The sign-off parties in their listed order (signoff_parties)."""
        return signoff_parties(self.signoff)

    @property
    def all_sessions(self) -> list[SessionSpec]:
        if self.sessions is not None:
            return list(self.sessions)
        return [self.session] if self.session is not None else []

    @property
    def valid_days(self) -> int | None:
        return period_days(self.valid_for) if self.valid_for is not None else None


DEFAULT_KEYS = frozenset((f.alias or name) for name, f in ItemDefaults.model_fields.items())


def with_defaults(data: dict[str, Any]) -> dict[str, Any]:
    """The template's item defaults ([template] keys such as ``owner``) written into each
    item that does not set its own, so that every item validates as it will be used."""
    head = data.get("template")
    items = data.get("items")
    if not isinstance(head, dict) or not isinstance(items, list):
        return data
    defaults = {k: v for k, v in head.items() if k in DEFAULT_KEYS}
    if not defaults:
        return data
    merged = [{**defaults, **it} if isinstance(it, dict) else it for it in items]
    return {**data, "items": merged}


class TemplateHead(ItemDefaults):
    key: Slug
    title: Text = Field(min_length=1, max_length=200)
    kind: Literal["documentation", "training", "handover", "assessment"]
    scope: Literal["member", "system", "member_system", "handover"]
    renamed_from: list[Slug] = []


class ItemSpec(ItemDefaults):
    key: Slug
    title: Text = Field(min_length=1, max_length=200)
    detail: Text = Field(default="", max_length=4000)
    renamed_from: list[Slug] = []


class TemplateSpec(_Strict):
    template: TemplateHead
    items: list[ItemSpec] = []


def period_days(spec: str) -> int:
    m = PERIOD.match(spec)
    assert m is not None  # validated
    return int(m.group("n")) * (7 if m.group("unit") == "w" else 1)


@dataclass(frozen=True)
class TemplateFile:
    path: str
    spec: TemplateSpec


@dataclass(frozen=True)
class Folder:
    """A validated handover folder."""

    root: Path
    team: TeamSpec
    templates: list[TemplateFile]
    warnings: list[str]

    def due_date(self, item: ItemSpec) -> date | None:
        h = self.team.handover
        return resolve_due(item.due, h.target_date, h.start_date)


def resolve_due(due: date | str | None, target: date, start: date | None = None) -> date | None:
    """A due form as a date. Raises OverflowError before year 1 or after 9999, and
    ValueError for "S+..." without a start date."""
    if due is None:
        return None
    if isinstance(due, str):
        m = DUE_RELATIVE.match(due)
        assert m is not None  # validated
        days = int(m.group("n")) * (7 if m.group("unit") == "w" else 1)
        if m.group("anchor") == "S":
            if start is None:
                raise ValueError("counts from handover.start_date, which team.toml does not set")
            anchor = start
        else:
            anchor = target
        return anchor + timedelta(days=days if m.group("sign") == "+" else -days)
    if isinstance(due, datetime):
        return due.date()
    return due
