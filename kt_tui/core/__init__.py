"""The UI-free core of kt-tui: templates, sync, store, readiness, actions, audit.

Nothing under this package imports Textual.
"""
