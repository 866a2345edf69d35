"""The template and roster formats as strict pydantic models, and due-date forms."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

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
DUE_RELATIVE = re.compile(r"^T-(\d{1,4})d$")
TEAM_FILE = "team.toml"
MAX_FILE_BYTES = 5 * 1024 * 1024


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
    systems: list[Slug] = []
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


class TemplateHead(_Strict):
    key: Slug
    title: Text = Field(min_length=1, max_length=200)
    kind: Literal["documentation", "training", "handover"]
    scope: Literal["member", "system", "member_system"]


class SessionSpec(_Strict):
    at: datetime
    minutes: int = Field(gt=0, le=24 * 60)
    trainer: Text = Field(min_length=1, max_length=200)


class ItemSpec(_Strict):
    key: Slug
    title: Text = Field(min_length=1, max_length=200)
    detail: Text = Field(default="", max_length=4000)
    stage: Text | None = None
    weight: int = Field(default=1, gt=0, le=1000)
    signoff: bool = True
    evidence: bool = False
    due: date | str | None = None  # its form (DUE_RELATIVE) admits no control character
    tiers: list[Annotated[int, Field(ge=1, le=9)]] | None = Field(default=None, min_length=1)
    revision: int = Field(default=1, ge=1, le=1_000_000)
    session: SessionSpec | None = None

    @field_validator("due")
    @classmethod
    def _due_form(cls, v: date | str | None) -> date | str | None:
        if isinstance(v, str) and not DUE_RELATIVE.match(v):
            raise ValueError(f'must be a TOML date or "T-<n>d", got {v!r}')
        return v


class TemplateSpec(_Strict):
    template: TemplateHead
    items: list[ItemSpec] = []


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
        return resolve_due(item.due, self.team.handover.target_date)


def resolve_due(due: date | str | None, target: date) -> date | None:
    if due is None:
        return None
    if isinstance(due, str):
        m = DUE_RELATIVE.match(due)
        assert m is not None  # validated
        return target - timedelta(days=int(m.group(1)))
    if isinstance(due, datetime):
        return due.date()
    return due
