"""What the figures mean, in words, once: the help screen, the exports' legend (md and
html) and the README's readiness section say it with these words (a test holds the
README to them). The rules they describe are in core/rules.py and core/readiness.py;
DESIGN.md's "Readiness, defined once" is the contract.
"""

from __future__ import annotations

READINESS = (
    "complete weight / counted weight (complete: signed off, or done where no sign-off "
    "is needed, and not lapsed; n/a and retired items do not count)."
)
PROGRESS = "the same with done counted as complete too."
LEVEL = (
    "the last stage whose items, and every earlier stage's, are all complete; stages "
    "with no counted items are skipped."
)

# (term, what it means), in the order the figures are read
TERMS: tuple[tuple[str, str], ...] = (
    ("Readiness", READINESS),
    ("Progress", PROGRESS),
    ("Level", LEVEL),
)

# the legend as one paragraph of plain text (the help screen's)
FIGURES = " ".join(f"{term}: {meaning}" for term, meaning in TERMS)
