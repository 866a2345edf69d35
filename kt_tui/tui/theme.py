"""The app's own theme, registered and set as the default."""

from __future__ import annotations

from textual.theme import Theme

KT_DARK = Theme(
    name="kt-dark",
    primary="#4FA3D9",
    secondary="#7C8DB5",
    accent="#E0A84F",
    warning="#E0A84F",
    error="#E06C6C",
    success="#5FBF77",
    foreground="#D8DEE9",
    background="#161B22",
    surface="#1E252E",
    panel="#27313D",
    dark=True,
    variables={
        "footer-key-foreground": "#E0A84F",
        "block-cursor-text-style": "bold",
    },
)
