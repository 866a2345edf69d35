"""TOML files -> validated pydantic objects, with precise errors.

Every problem in a folder is collected and reported as ``PATH: WHERE: message``;
nothing malformed escapes as anything but :class:`ValidationFailed`.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kt_tui.core.errors import Problem, ValidationFailed
from kt_tui.core.rules import Role
from kt_tui.core.templates.bounds import out_of_bounds
from kt_tui.core.templates.files import listed, refusal
from kt_tui.core.templates.refs import RefTemplate, raw_get, raw_template, template_of
from kt_tui.core.templates.spec import (
    DEFAULT_KEYS,
    MAX_FILE_BYTES,
    TEAM_FILE,
    Folder,
    M,
    TeamSpec,
    TemplateFile,
    TemplateSpec,
    resolve_due,
    with_defaults,
)
from kt_tui.present import printable

__all__ = ["Folder", "TeamSpec", "TemplateFile", "TemplateSpec", "load_folder", "resolve_due"]

# --- error formatting -----------------------------------------------------


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # pydantic adds the union member's type name to the location
            if part in {"date", "str", "int", "list[int]"} or part.startswith("function-"):
                continue
            part = printable(part)  # a key is user text too
            out += f".{part}" if out else part
    return out


def _message(err: Any) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    got = err.get("input")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required key missing"
    if kind == "greater_than":
        return f"must be > {ctx.get('gt')}, got {got!r}"
    if kind == "greater_than_equal":
        return f"must be >= {ctx.get('ge')}, got {got!r}"
    if kind == "less_than_equal":
        return f"must be <= {ctx.get('le')}, got {got!r}"
    if kind == "string_pattern_mismatch":
        return f"must be a slug ([a-z0-9][a-z0-9_-]*), got {got!r}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {got!r}"
    if kind in {"string_too_short", "too_short"}:
        return "must not be empty"
    if kind == "value_error":
        return str(ctx.get("error", err.get("msg", "invalid")))
    return f"{err.get('msg', 'invalid')}, got {_short(got)}"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _pydantic_problems(path: str, exc: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for err in exc.errors():
        where = _where(tuple(err.get("loc", ())))
        if where in seen and err.get("type") not in {"extra_forbidden", "missing"}:
            continue  # one message per place: union branches repeat themselves
        seen.add(where)
        problems.append(Problem(path, where, _message(err)))
    return problems


_TOML_POS = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def read_toml(path: Path, shown: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """Read one TOML file; every failure becomes a Problem, never an exception."""
    try:
        raw = read_limited(path)
    except NotRegular:
        return None, [Problem(shown, "", "not a regular file")]
    except TooLarge:
        return None, [Problem(shown, "", f"file too large (over {MAX_FILE_BYTES} bytes)")]
    except OSError as exc:
        return None, [Problem(shown, "", f"cannot read: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(shown, f"line {line}", f"not valid UTF-8 (byte {exc.start})")]
    return parse_toml(text, shown)


class NotRegular(OSError):
    pass


class TooLarge(OSError):
    pass


def read_limited(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Never opens a FIFO (it would block) or reads a device without end.
    """
    import os
    import stat

    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise NotRegular(path)
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise NotRegular(path)
        raw = fh.read(limit + 1)
    if len(raw) > limit:
        raise TooLarge(path)
    return raw


def parse_toml(text: str, shown: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    bounds = out_of_bounds(text)
    if bounds is not None:
        return None, [Problem(shown, *bounds)]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.match(msg)
        if m:
            where = f"line {m.group('line')}, column {m.group('col')}"
            return None, [Problem(shown, where, f"TOML syntax error: {m.group('msg')}")]
        return None, [Problem(shown, "", f"TOML syntax error: {msg}")]
    except RecursionError:
        return None, [Problem(shown, "", "nested too deeply to be a checklist")]
    except (ValueError, TypeError) as exc:  # e.g. a date out of range
        return None, [Problem(shown, "", f"TOML error: {exc}")]


def _validate(model: type[M], data: dict[str, Any], shown: str) -> tuple[M | None, list[Problem]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, _pydantic_problems(shown, exc)
    except RecursionError:
        return None, [Problem(shown, "", "nested too deeply to be a checklist")]


def _raw_list(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def load_team(path: Path, shown: str) -> tuple[TeamSpec | None, list[Problem], dict[str, Any]]:
    """The roster, its problems, and the raw data (for checks when it is invalid)."""
    data, problems = read_toml(path, shown)
    if data is None:
        return None, problems, {}
    team, problems = _validate(TeamSpec, data, shown)
    return team, problems + _check_team(data, shown), data


def _duplicates(values: list[Any]) -> list[int]:
    """Indexes of entries already seen earlier in the list."""
    seen: set[Any] = set()
    out = []
    for i, v in enumerate(values):
        if isinstance(v, str | int) and v in seen:
            out.append(i)
        if isinstance(v, str | int):
            seen.add(v)
    return out


def _check_team(data: dict[str, Any], shown: str) -> list[Problem]:
    """Cross-checks on the raw roster, so they are reported even beside type errors."""
    problems: list[Problem] = []
    members, systems = _raw_list(data, "members"), _raw_list(data, "systems")
    handles = [raw_get(m, "handle") for m in members]
    for i in _duplicates(handles):
        problems.append(Problem(shown, f"members[{i}].handle", f"duplicate handle {handles[i]!r}"))
    keys = [raw_get(s, "key") for s in systems]
    for i in _duplicates(keys):
        problems.append(Problem(shown, f"systems[{i}].key", f"duplicate system {keys[i]!r}"))
    known = {k for k in keys if isinstance(k, str)}
    for i, m in enumerate(members):
        received = raw_get(m, "systems")
        if not isinstance(received, list):
            continue
        for j, key in enumerate(received):
            if isinstance(key, str) and key not in known:
                problems.append(
                    Problem(shown, f"members[{i}].systems[{j}]", f"unknown system {key!r}")
                )
        for j in _duplicates(received):
            problems.append(
                Problem(shown, f"members[{i}].systems[{j}]", f"system {received[j]!r} listed twice")
            )
    db_users = [raw_get(m, "db_user") for m in members]
    for i in _duplicates(db_users):
        problems.append(
            Problem(shown, f"members[{i}].db_user", f"duplicate db_user {db_users[i]!r}")
        )
    return problems


def load_template(
    path: Path, shown: str, stages: list[str] | None
) -> tuple[TemplateSpec | None, list[Problem], dict[str, Any] | None]:
    """The template, its problems, and the raw data (for the folder's reference checks
    when it is invalid; None where the file could not be read as TOML)."""
    data, problems = read_toml(path, shown)
    if data is None:
        return None, problems, None
    spec, problems = _validate(TemplateSpec, with_defaults(data), shown)
    return spec, _blame_defaults(data, problems + _check_template(data, shown, stages)), data


_ITEM_KEY = re.compile(r"^items\[(?P<i>\d+)\]\.(?P<key>[a-z_]+)(?P<rest>.*)$")


def _blame_defaults(data: dict[str, Any], problems: list[Problem]) -> list[Problem]:
    """A problem with a value an item took from [template] names ``template.KEY``, where
    the user wrote it, once: not ``items[i].KEY`` for every item that inherited it."""
    head = data.get("template")
    items = data.get("items")
    if not isinstance(head, dict) or not isinstance(items, list):
        return problems
    out: list[Problem] = []
    for p in problems:
        m = _ITEM_KEY.match(p.where)
        if m is not None:
            i, key = int(m["i"]), m["key"]
            own = items[i] if i < len(items) and isinstance(items[i], dict) else {}
            if key in DEFAULT_KEYS and key in head and key not in own:
                p = Problem(p.path, f"template.{key}{m['rest']}", p.message)
        if p not in out:
            out.append(p)
    return out


def _check_template(data: dict[str, Any], shown: str, stages: list[str] | None) -> list[Problem]:
    """Cross-checks on the raw template, reported even beside type errors."""
    problems: list[Problem] = []
    head = data.get("template")
    kind = raw_get(head, "kind")
    scope = raw_get(head, "scope")
    items = _raw_list(data, "items")
    keys = [raw_get(it, "key") for it in items]
    for i in _duplicates(keys):
        problems.append(Problem(shown, f"items[{i}].key", f"duplicate item {keys[i]!r}"))
    for i, item in enumerate(_raw_list(with_defaults(data), "items")):
        stage = raw_get(item, "stage")  # its own, or the [template] default
        if stages is not None and isinstance(stage, str) and stage not in stages:
            problems.append(
                Problem(
                    shown,
                    f"items[{i}].stage",
                    f"must be one of handover.stages {stages}, got {stage!r}",
                )
            )
    head_keys = set(head) if isinstance(head, dict) else set()
    places = [("template", head_keys)] + [
        (f"items[{i}]", set(it) if isinstance(it, dict) else set()) for i, it in enumerate(items)
    ]
    for where, present in places:
        problems.extend(
            Problem(shown, f"{where}.{k}", why) for k, why in _misplaced(present, kind, scope)
        )
    for i, merged in enumerate(_raw_list(with_defaults(data), "items")):
        if not isinstance(merged, dict):
            continue
        if "session" in merged and "sessions" in merged:
            problems.append(
                Problem(shown, f"items[{i}].sessions", "give session or sessions, not both")
            )
        if kind == "assessment":
            if "pass" not in merged:
                problems.append(
                    Problem(
                        shown,
                        f"items[{i}].pass",
                        "an assessment item needs pass (the lowest passing score)",
                    )
                )
            if merged.get("signoff") is False or merged.get("signoff") == []:
                problems.append(
                    Problem(
                        shown,
                        f"items[{i}].signoff",
                        "an assessment is signed by its assessor: signoff may not be false",
                    )
                )
            p, sc = merged.get("pass"), merged.get("scale", 4)
            if isinstance(p, int) and isinstance(sc, int) and p > sc:
                problems.append(
                    Problem(shown, f"items[{i}].pass", f"must be at most scale ({sc}), got {p}")
                )
    return problems


# keys that apply only to some scopes or kinds: (key, applies?, why not)
_SYSTEM_SCOPES = ("system", "member_system")
_MEMBER_SCOPES = ("member", "member_system")


def _misplaced(present: set[str], kind: Any, scope: Any) -> list[tuple[str, str]]:
    """The keys in ``present`` that cannot apply to this template's scope or kind."""
    out: list[tuple[str, str]] = []
    if isinstance(scope, str):
        for key in ("tiers", "systems"):
            if key in present and scope not in _SYSTEM_SCOPES:
                out.append((key, f"a {scope}-scoped item bears no system"))
        for key in ("sides", "roles", "tracks", "members"):
            if key in present and scope not in _MEMBER_SCOPES:
                out.append((key, f"a {scope}-scoped item bears no member"))
    if isinstance(kind, str):
        for key in ("session", "sessions"):
            if key in present and kind != "training":
                out.append((key, "only items of kind 'training' have sessions"))
        for key in ("pass", "scale"):
            if key in present and kind != "assessment":
                out.append((key, "only items of kind 'assessment' are scored"))
    return out


def _check_references(
    team: TeamSpec | None,
    raw_team: dict[str, Any],
    templates: list[RefTemplate],
    unreadable: frozenset[str],
) -> list[Problem]:
    """Every name a template uses must be on the roster; due forms must resolve;
    ``after`` must name items that exist, without a cycle; renames must not collide.
    A roster or template that failed its type checks is read as far as it goes."""
    from kt_tui.core.templates.refs import check_references, raw_roster, roster_of

    roster = roster_of(team) if team is not None else raw_roster(raw_team)
    return check_references(roster, templates, unreadable)


def _not_covered(found: list[Problem], own: list[Problem]) -> list[Problem]:
    """The reference problems of failed files that their type problems do not already
    name (a bad slug in ``members[0]`` is not also an unknown member)."""
    covered: dict[str, list[str]] = {}
    for p in own:
        covered.setdefault(p.path, []).append(p.where)

    def is_covered(p: Problem) -> bool:
        return any(
            w == "" or p.where == w or p.where.startswith((w + ".", w + "["))
            for w in covered.get(p.path, [])
        )

    return [p for p in found if not is_covered(p)]


def load_folder(root: Path, shown_root: str | None = None) -> Folder:
    """Validate a whole handover folder; raise ValidationFailed with every problem."""
    base = shown_root if shown_root is not None else str(root)

    def show(p: Path) -> str:
        name = printable(p.name)  # a file name is user text too
        return f"{base.rstrip('/')}/{name}" if base else name

    if not root.is_dir():
        raise ValidationFailed([Problem(base, "", "not a folder (expected team.toml inside)")])
    team_path = root / TEAM_FILE
    problems: list[Problem] = []
    team: TeamSpec | None = None
    raw_team: dict[str, Any] = {}
    why = refusal(team_path, root)
    if why == "missing":
        problems.append(Problem(show(team_path), "", "missing: every handover folder needs one"))
    elif why is not None:
        problems.append(Problem(show(team_path), "", why))
    else:
        team, problems, raw_team = load_team(team_path, show(team_path))
    if team is not None:
        stages: list[str] | None = list(team.handover.stages)
    else:  # the roster is invalid: still check stages against what it says, if a list
        raw_stages = raw_get(raw_team.get("handover") if raw_team else None, "stages")
        ok = isinstance(raw_stages, list) and all(isinstance(x, str) for x in raw_stages)
        stages = raw_stages if ok else None

    templates: list[TemplateFile] = []
    checked: list[RefTemplate] = []  # what the reference checks read, valid or not
    failed: list[Problem] = []  # the problems of files read only as raw data
    unreadable: set[str] = set()  # template keys of files that could not be read
    seen_keys: dict[str, str] = {}
    raw_of: dict[str, dict[str, Any]] = {}  # each template file's data, as written
    files = [p for p in listed(root, base) if p.name != TEAM_FILE]

    def duplicate(path: str, key: str | None) -> bool:
        """A key another file took: said now, with the file's other problems (it was
        said only once those were mended)."""
        if key is None or key not in seen_keys:
            return False
        why = f"duplicate template {key!r} (also in {seen_keys[key]})"
        problems.append(Problem(path, "template.key", why))
        return True

    for p in files:
        why = refusal(p, root)
        if why is not None:
            problems.append(Problem(show(p), "", why))
            continue
        spec, file_problems, data = load_template(p, show(p), stages)
        problems.extend(file_problems)
        if data is None:
            unreadable.add("")  # not even its key is known
            continue
        raw_of[show(p)] = data
        if spec is None:  # type errors: its names and prerequisites are checked as written
            raw = raw_template(show(p), data)
            if not duplicate(show(p), raw.key):
                checked.append(raw)
                failed.extend(file_problems)
            if raw.key is not None:
                seen_keys.setdefault(raw.key, show(p))
            continue
        key = spec.template.key
        if duplicate(show(p), key):
            continue
        seen_keys[key] = show(p)
        templates.append(TemplateFile(show(p), spec))
        checked.append(template_of(templates[-1]))
    found = _check_references(team, raw_team, checked, frozenset(unreadable))
    found = [  # a problem with a [template] default's value: once, where it is written
        blamed
        for path in dict.fromkeys(p.path for p in found)
        for blamed in _blame_defaults(raw_of.get(path, {}), [p for p in found if p.path == path])
    ]
    problems.extend(_not_covered(found, failed))
    if problems or team is None:
        raise ValidationFailed(problems)
    warnings = []
    leads = sum(1 for m in team.members if m.role == Role.LEAD)
    if leads < 2:
        warnings.append(
            f"{show(team_path)}: members: only {leads} lead(s); sign-off needs a second lead "
            "for a lead's own items"
        )
    return Folder(root, team, templates, warnings)
