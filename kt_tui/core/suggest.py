"""A name as a person types it: the one it means (case aside), or 'did you mean ...?',
the closest known name to a word that matched nothing."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable

from kt_tui.core.errors import BadInput
from kt_tui.present import typed as shown


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The known name closest to ``word``, compared without regard to case ("BNE" is
    close to ben); None where none is close."""
    by_folded: dict[str, str] = {}
    for choice in choices:
        by_folded.setdefault(choice.lower(), choice)
    close = difflib.get_close_matches(word.lower(), list(by_folded), n=1)
    return by_folded[close[0]] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean x?)' for the closest choice, or ''."""
    close = closest(word, choices)
    return f" (did you mean {close}?)" if close else ""


def match_name(typed: str, names: Iterable[str]) -> str | None:
    """The name a typed one means: itself where it is one; else the one name equal to
    it without regard to case ("BEN" is ben, "Orders" is orders); None where none is,
    or several are (two that differ only in case: only the exact one matches).

    The one rule for every name a person types: handles (identity.match_handle) and
    system keys (systems.require_system, the filter's system:)."""
    names = list(names)
    if typed in names:
        return typed
    folded = [n for n in names if n.lower() == typed.lower()]
    return folded[0] if len(folded) == 1 else None


def require_name(
    typed: str, alike: list[str], flag: str, what: str, known: Callable[[], Iterable[str]]
) -> str:
    """The name of ``alike`` (the stored names equal to ``typed`` case aside) that
    ``typed`` means (match_name), else BadInput that says so: the names it could mean,
    or the closest of ``known()`` ("--system apj: no system is called that (did you
    mean api?)")."""
    found = match_name(typed, alike)
    if found is not None:
        return found
    if len(alike) > 1:
        raise BadInput(
            f"{flag} {shown(typed)}: {' and '.join(sorted(alike))} differ only in case: "
            "type the one you mean as it is written"
        )
    raise BadInput(f"{flag} {shown(typed)}: no {what} is called that{did_you_mean(typed, known())}")
