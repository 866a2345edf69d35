"""The core and the exports never import Textual; the CLI defers heavy imports."""

from __future__ import annotations

import subprocess
import sys


def modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(out.split())


def test_core_and_export_never_import_textual() -> None:
    mods = modules_after(
        "import kt_tui.core.store, kt_tui.core.sync, kt_tui.core.readiness, "
        "kt_tui.core.actions, kt_tui.core.instances, kt_tui.core.audit, "
        "kt_tui.core.service, kt_tui.core.verify, kt_tui.export.console"
    )
    assert "kt_tui.core.sync" in mods
    assert not any(m == "textual" or m.startswith("textual.") for m in mods)


def test_cli_import_is_light() -> None:
    mods = modules_after("import kt_tui.cli")
    assert "click" in mods
    for heavy in ("textual", "sqlmodel", "sqlalchemy"):
        assert heavy not in mods, heavy
