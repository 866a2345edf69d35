"""The errors the core raises; the CLI maps them to exit codes."""

from __future__ import annotations

from dataclasses import dataclass


class KtError(Exception):
    """Base of every error kt-tui reports to a user."""

    exit_code = 1


@dataclass(frozen=True)
class Problem:
    """One validation problem: PATH: WHERE: message."""

    path: str
    where: str
    message: str

    def __str__(self) -> str:
        if self.where:
            return f"{self.path}: {self.where}: {self.message}"
        return f"{self.path}: {self.message}"


class ValidationFailed(KtError):
    """The handover folder (or another input) is invalid; nothing was written."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class BadInput(KtError):
    """Bad usage or input: an unknown REF, an ambiguous one, a bad option."""

    exit_code = 2


class Refused(KtError):
    """An action refused by a rule: permission, wrong state, conflict."""

    exit_code = 1


class StoreError(KtError):
    """The store cannot be opened or used as asked."""

    exit_code = 2
