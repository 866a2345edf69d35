"""'did you mean ...?': the closest known name to a word that matched nothing."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


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
