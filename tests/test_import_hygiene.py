"""The core and the exports never import Textual; the CLI defers heavy imports.

The run-time twin of the import-linter contracts in pyproject.toml: every module under
kt_tui.core and kt_tui.export, found by walking the packages (a new module is covered
without touching this file), is imported in one fresh interpreter, and after each import
no ``textual`` module may be loaded.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import kt_tui
import kt_tui.core
import kt_tui.export

# Runs in the fresh interpreter: imports each module in turn and names the first one
# after whose import Textual is loaded.
PROBE = """\
import importlib, json, sys
def textual():
    return sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
for name in json.loads(sys.argv[1]):
    importlib.import_module(name)
    if textual():
        print(json.dumps({"culprit": name, "textual": textual()[:5]}))
        break
else:
    print(json.dumps({"culprit": None}))
"""


def fresh_env() -> dict[str, str]:
    """The environment with this checkout's kt_tui first on the path."""
    root = str(Path(kt_tui.__file__).resolve().parents[1])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


def modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
        env=fresh_env(),
    ).stdout
    return set(out.split())


def walk(package: ModuleType) -> list[str]:
    """The package and every module and subpackage under it."""
    found = pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}.")
    return [package.__name__, *sorted(m.name for m in found)]


def test_core_and_export_never_import_textual() -> None:
    core, export = walk(kt_tui.core), walk(kt_tui.export)
    # A broken walk would make the check vacuous.
    assert len(core) > 5 and len(export) > 3, (core, export)
    names = [*core, *export, "kt_tui.present"]
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(names)],
        check=True,
        capture_output=True,
        text=True,
        env=fresh_env(),
    ).stdout
    result = json.loads(out)
    assert result["culprit"] is None, f"importing {result['culprit']} loads {result['textual']}"


def test_cli_import_is_light() -> None:
    mods = modules_after("import kt_tui.cli")
    assert "click" in mods
    for heavy in ("textual", "sqlmodel", "sqlalchemy"):
        assert heavy not in mods, heavy


# the verbs and the streamed exports build their SQL on SQLAlchemy Core only: the
# SQLModel classes (SQLModel, pydantic, the ORM) are the schema's declaration, which
# kt_tui.core.schema is generated from, and cost a third of a verb's start-up
NOT_FOR_A_VERB = ("sqlmodel", "pydantic", "sqlalchemy.orm", "textual", "jinja2", "rich")

RUN_AND_LIST = """\
import sys
from kt_tui.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print("EXIT", code)
print("\\n".join(sys.modules))
"""


def modules_of_command(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", RUN_AND_LIST, *args],
        check=True,
        capture_output=True,
        text=True,
        env={**fresh_env(), "KT_USER": "eve"},
    )
    lines = done.stdout.split("\n")
    exit_line = next(i for i, line in enumerate(lines) if line.startswith("EXIT "))
    assert lines[exit_line] == "EXIT 0", done.stderr
    return set(lines[exit_line + 1 :])


def test_a_verb_and_the_streamed_exports_load_no_orm(tiny: object, db_url: str) -> None:
    """On either store: a verb and the streamed exports never build the ORM."""
    done = modules_of_command("--db", db_url, "done", "kt/read", "--system", "api")
    for fmt in ("csv", "json"):
        exported = modules_of_command("--db", db_url, "export", fmt, "-o", "-")
        for heavy in NOT_FOR_A_VERB:
            assert heavy not in exported, (fmt, heavy)
    for heavy in NOT_FOR_A_VERB:
        assert heavy not in done, heavy
    assert "kt_tui.core.schema" in done and "kt_tui.core.models" not in done
