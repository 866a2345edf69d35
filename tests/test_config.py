"""The user's config file: where it is, and a strict [keymap]."""

from __future__ import annotations

from pathlib import Path

import pytest

from kt_tui import paths
from kt_tui.config import Config, ConfigError, load_config

IDS = {"checklist.done", "app.queue"}


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_config_path_honours_kt_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KT_CONFIG", str(tmp_path / "mine.toml"))
    assert paths.config_path() == tmp_path / "mine.toml"
    monkeypatch.delenv("KT_CONFIG")
    default = paths.config_path()
    assert default.name == "config.toml" and default.parent.name == "kt-tui"
    assert not default.parent.exists()  # asking for the path creates nothing


def test_a_missing_file_is_no_config(tmp_path: Path) -> None:
    assert load_config(IDS, tmp_path / "absent.toml") == Config()


def test_a_keymap_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, '[keymap]\n"checklist.done" = "space,x"\n"app.queue" = "Q"\n')
    assert load_config(IDS, path).keymap == {"checklist.done": "space,x", "app.queue": "Q"}


def test_a_toml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[keymap]\n"checklist.done" = \n')
    with pytest.raises(ConfigError) as err:
        load_config(IDS, path)
    assert str(path) in str(err.value) and "line 2" in str(err.value)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[keymaps]\n", ["keymaps", "unknown key"]),
        ('[keymap]\n"checklist.dnoe" = "x"\n', ["keymap.checklist.dnoe", "no binding"]),
        ('[keymap]\n"checklist.done" = 3\n', ["keymap.checklist.done", "key string"]),
        ('[keymap]\n"checklist.done" = ""\n', ["keymap.checklist.done", "key string"]),
        ('keymap = "x"\n', ["keymap must be a table"]),
    ],
)
def test_strict_errors_name_file_key_and_problem(
    tmp_path: Path, text: str, words: list[str]
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(IDS, path)
    for word in [str(path), *words]:
        assert word in str(err.value)


def test_every_problem_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, 'colour = 1\n[keymap]\n"a.b" = "x"\n"app.queue" = 1\n')
    with pytest.raises(ConfigError) as err:
        load_config(IDS, path)
    assert len(str(err.value).splitlines()) == 3


def test_config_does_not_import_textual() -> None:
    import subprocess
    import sys

    code = "import sys, kt_tui.config; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
