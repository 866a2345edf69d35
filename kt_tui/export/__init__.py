"""Readiness summaries: report dataclasses -> markdown, csv, json, html. No Textual here."""
