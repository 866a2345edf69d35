"""kt-tui: the knowledge-transfer desk for a Build-Operate-Transfer handover."""

__version__ = "0.1.0"
