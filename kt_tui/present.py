"""How figures are shown, once for the CLI, the TUI and the exports.

Percentages, bars, levels, and the colour band of a readiness fraction; each
face maps a band to its own colours (a theme variable, a CSS colour, a Rich
style), so "how green is 80%" is decided here only. No Textual, no SQL.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Literal

FULL, EMPTY = "█", "░"
EPSILON = 1e-9

Band = Literal["none", "full", "half", "some", "zero"]


def band(fraction: float | None) -> Band:
    """none: nothing to count; full: 100%; half: 50% or more; some: above 0; zero."""
    if fraction is None:
        return "none"
    if fraction >= 1.0 - EPSILON:
        return "full"
    if fraction >= 0.5:
        return "half"
    if fraction > 0:
        return "some"
    return "zero"


def pct(fraction: float | None) -> str:
    """A fraction as a whole percentage; a dash where there is nothing to count."""
    if fraction is None:
        return "-"
    return f"{int(fraction * 100 + EPSILON)}%"


def bar(fraction: float | None, width: int = 10, full: str = FULL, empty: str = EMPTY) -> str:
    if fraction is None:
        return " " * width
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return full * filled + empty * (width - filled)


def days_left(days: int) -> str:
    """The target date's distance: "13 days left", "1 day left", "due today", "13 days
    past" (a date gone by is never "-13 days left")."""
    if days == 0:
        return "due today"
    n = abs(days)
    return f"{n} day{'' if n == 1 else 's'} {'left' if days > 0 else 'past'}"


def some(names: list[str], shown: int) -> str:
    """The first ``shown`` names, then how many more: "ben, chloe and 3 more"."""
    more = len(names) - shown
    return f"{', '.join(names[:shown])} and {more} more" if more > 0 else ", ".join(names)


def level(name: str | None) -> str:
    return name or "-"


def stamp(at: str | None) -> str:
    """A stored time (ISO 8601), to the minute, as every screen and export prints it:
    ``2026-11-25 09:00``."""
    return (at or "")[:16].replace("T", " ")


# C0 controls but tab and newline, DEL, and C1: what a terminal would obey
_CONTROLS = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F)}
_CONTROLS.update({c: f"\\x{c:02x}" for c in range(0x80, 0xA0)})
# Unicode's line and paragraph separators, and the bidi embeddings, overrides and
# isolates: a terminal may break a line at them, or draw the text after them reordered
# (a title that reads one way and is another: "Trojan Source")
FORMAT_CONTROLS = (0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_CONTROLS.update({c: f"\\u{c:04x}" for c in FORMAT_CONTROLS})
# the same set as one character class: a search runs at C speed
CONTROL = re.compile("[" + "".join(re.escape(chr(c)) for c in _CONTROLS) + "]")


def _utf8_class(chars: Iterable[int]) -> re.Pattern[bytes]:
    """A search for any of ``chars`` in UTF-8 bytes: per leading byte, a class of last
    bytes (C1 is ``\\xc2[\\x80-\\x9f]``; one literal lead lets the search skip fast)."""
    tails: dict[bytes, list[int]] = {}
    for c in chars:
        b = chr(c).encode()
        tails.setdefault(b[:-1], []).append(b[-1])
    return re.compile(
        b"|".join(re.escape(lead) + b"[" + re.escape(bytes(t)) + b"]" for lead, t in tails.items())
    )


# the same set over UTF-8 bytes (the exports' streamed lines): a C0 control or DEL is one
# byte, marked as NUL by a translate table (one C-speed pass, where a class search costs
# four times as much); a C1 control is two bytes, looked for only in non-ASCII data
_C0 = bytes(c for c in _CONTROLS if c < 0x80)
_MARK_C0 = bytes.maketrans(_C0, b"\x00" * len(_C0))
_C0_BUT_CR = _C0.replace(b"\r", b"")
_MARK_C0_BUT_CR = bytes.maketrans(_C0_BUT_CR, b"\x00" * len(_C0_BUT_CR))
_C1_UTF8 = _utf8_class(c for c in _CONTROLS if c >= 0x80)


def utf8_has_controls(data: bytes, *, but_cr: bool = False) -> bool:
    """Whether UTF-8 ``data`` holds a character that ``printable`` would escape (with
    ``but_cr``, carriage returns aside: the caller counts those)."""
    if b"\x00" in data.translate(_MARK_C0_BUT_CR if but_cr else _MARK_C0):
        return True
    return not data.isascii() and _C1_UTF8.search(data) is not None


def printable(text: str) -> str:
    """User text made safe to show anywhere: control characters (other than tab and
    newline) appear escaped as ``\\x1b``, the bidi and line-separator controls as
    ``\\u202e``, never sent raw to a terminal or a file."""
    return text.translate(_CONTROLS)


def one_line(text: str) -> str:
    """``printable``, and tab and newline escaped too: text for a place one line high."""
    return printable(text).replace("\t", "\\t").replace("\n", "\\n")


def typed(text: str) -> str:
    """A value someone typed, as a message names it: as it is where it is plain, else
    quoted with its escapes, so that a newline in it cannot start a line of its own
    (a forged "kt-tui: acting as ..." under the real one) nor a control reach the
    terminal."""
    return text if text.isprintable() else repr(text)


def has_controls(text: str) -> bool:
    """Whether text holds a character that ``printable`` would escape (new text with
    one is refused at validation and at every prompt)."""
    return first_control(text) is not None


def first_control(text: str) -> str | None:
    """The first character of text that ``printable`` would escape, if any."""
    m = CONTROL.search(text)
    return m.group() if m else None


# json_quote and json.dumps escape C0 controls as \u00XX but write DEL, C1 and the
# format controls above raw
# (non-ASCII text stays readable): those become escapes too, the values unchanged
_RAW_JSON_CONTROLS = {c: f"\\u{c:04x}" for c in (0x7F, *range(0x80, 0xA0), *FORMAT_CONTROLS)}
_ANY_RAW_JSON = re.compile("[\x7f-\x9f" + "".join(chr(c) for c in FORMAT_CONTROLS) + "]")


def json_safe(text: str) -> str:
    """JSON text with DEL and C1 characters escaped (``\\u007f``): safe in a terminal.
    ASCII text (the common case, an O(1) test) can only hold DEL: one fast search."""
    if text.isascii():
        return text.replace("\x7f", "\\u007f") if "\x7f" in text else text
    return text.translate(_RAW_JSON_CONTROLS) if _ANY_RAW_JSON.search(text) else text


_ANY_RAW_JSON_UTF8 = _utf8_class(_RAW_JSON_CONTROLS)


def json_safe_utf8(data: bytes) -> bytes:
    """json_safe over UTF-8 bytes: ASCII data (a fast test) can only hold DEL."""
    if data.isascii():
        return data.replace(b"\x7f", b"\\u007f") if b"\x7f" in data else data
    if _ANY_RAW_JSON_UTF8.search(data):
        return json_safe(data.decode("utf-8")).encode("utf-8")
    return data


def group_refusals(refused: Iterable[tuple[str, str]]) -> list[tuple[str, list[tuple[str, str]]]]:
    """(label, why) refusals by reason, in the order first met: (the reason with its
    item said "it", [(the item's label, its own reason)]). A thousand items refused
    for one reason read as that reason once, then the items. Only the whole label is
    said "it": gate/cutover's reason names gate/cutover-plan, which stays as it is;
    an item known only by its id ("#12": gone meanwhile) keeps its reason whole."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for shown, why in refused:
        generic = why if shown.startswith("#") else _said_it(why, shown)
        if generic.startswith("it "):
            generic = "It" + generic[2:]
        groups.setdefault(generic, []).append((shown, why))
    return list(groups.items())


def _said_it(text: str, label: str) -> str:
    """``text`` with each whole ``label`` in it (not one that goes on: "-plan", "h")
    said "it"; plain string search, a million refusals in a second."""
    out, start = [], 0
    while (at := text.find(label, start)) >= 0:
        end = at + len(label)
        before = text[at - 1] if at else " "
        after = text[end] if end < len(text) else " "
        if _goes_on(before) or _goes_on(after):
            out.append(text[start:end])
        else:
            out.append(text[start:at] + "it")
        start = end
    out.append(text[start:])
    return "".join(out)


def _goes_on(char: str) -> bool:
    return char.isalnum() or char in "_/-"
