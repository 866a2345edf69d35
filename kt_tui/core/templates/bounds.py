"""Cheap checks on a file's raw text before tomllib sees it: bounded time and memory.

tomllib is pure Python: a dotted key of n parts costs n² (25,000 parts took 11 s
and 2.5 GB), and any 5 MB file of small tokens takes seconds. These scans run at
C speed over the text and refuse what no checklist needs: the limits are ten
times and more what a large real handover uses (a 1,000,000-instance benchmark
folder has files of under 100 KB, with 2-part keys and 3 levels of nesting).
They over-count (a dot or a bracket inside a string counts too), never under-count.
"""

from __future__ import annotations

import re
from itertools import accumulate

MAX_LINE = 20_000  # characters on one line (a detail is at most 4,000)
MAX_KEY_PARTS = 32  # parts of one dotted key: a.b.c has 3
MAX_DEPTH = 64  # [ and { open at once
MAX_TOKENS = 150_000  # STRUCTURAL characters in one file (each costs tomllib ~5 µs)
STRUCTURAL = "=,.[]{}\n\\"  # and backslashes: each escape costs as much

# a bare, "basic" or 'literal' key part; atomic and unrolled, so a long string
# is scanned once, never backtracked into (Python 3.11's (?>...) and *+)
_KEY = r"""(?>[A-Za-z0-9_-]++|"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"|'[^'\n]*+')"""
# a key starts a line or follows [ { or , (a header, an inline table): starts
# inside a basic string cannot each rescan it, so the search stays linear
_LONG_KEY = re.compile(
    rf"(?:^|(?<=[\[{{,]))[ \t]*{_KEY}(?:[ \t]*\.[ \t]*{_KEY}){{{MAX_KEY_PARTS},}}",
    re.MULTILINE,
)
_LONG_LINE = re.compile(rf"^[^\n]{{{MAX_LINE + 1}}}", re.MULTILINE)  # anchored: linear
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _line(text: str, pos: int) -> str:
    return f"line {text.count(chr(10), 0, pos) + 1}"


def out_of_bounds(text: str) -> tuple[str, str] | None:
    """``(where, message)`` for the first limit the text passes, or None."""
    tokens = sum(text.count(c) for c in STRUCTURAL)
    if tokens > MAX_TOKENS:
        return "", (
            f"too many tokens to be a checklist ({tokens} of = , . [ ] {{ }} \\ and line breaks; "
            f"at most {MAX_TOKENS}): split it into several files"
        )
    m = _LONG_KEY.search(text)
    if m:
        return _line(text, m.start()), f"a dotted key of more than {MAX_KEY_PARTS} parts"
    brackets = _NOT_BRACKET.sub("", text)
    if len(brackets) > MAX_DEPTH and max(accumulate(map(_STEP.__getitem__, brackets))) > MAX_DEPTH:
        return "", f"nested more than {MAX_DEPTH} levels deep ([ and {{ open at once)"
    m = _LONG_LINE.search(text)
    if m:
        return _line(text, m.start()), f"a line longer than {MAX_LINE} characters"
    return None
