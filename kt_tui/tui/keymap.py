"""Every Binding the app defines (walked from kt_tui.tui), and the user's keymap over them."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator

from textual.binding import Binding
from textual.dom import DOMNode

import kt_tui.tui
from kt_tui.config import Config, load_config


def binding_classes() -> Iterator[type[DOMNode]]:
    """The App, Screen and Widget classes defined in kt_tui.tui (each module imported)."""
    for info in pkgutil.walk_packages(kt_tui.tui.__path__, "kt_tui.tui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, DOMNode) and cls.__module__ == module.__name__:
                yield cls


def own_bindings(cls: type[DOMNode]) -> list[Binding]:
    """The Bindings a class declares itself (not those it inherits)."""
    return [b for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]


def binding_ids() -> set[str]:
    return {b.id for cls in binding_classes() for b in own_bindings(cls) if b.id}


def load_keymap() -> Config:
    """The user's config, checked against the ids the app defines (ConfigError if bad)."""
    return load_config(binding_ids())
