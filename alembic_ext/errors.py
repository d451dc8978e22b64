"""Errors the Alembic operations raise, on top of :mod:`sqlalchemy_ruvector.errors`.

Each one is raised before the operation changes anything (or, for a failed
validation, while the migration's transaction can still roll back), names the
objects it is about, and says what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy_ruvector.errors import RuVectorError

__all__ = [
    "ExtensionConflict",
    "LockBusy",
    "MigrationRefused",
    "Refusal",
    "ValidationMismatch",
]


@dataclass(frozen=True)
class Refusal:
    """One reason a migration will not run: the object (``table.column``, an index,
    a view, ...) and why."""

    subject: str
    reason: str

    def __str__(self) -> str:
        return f"{self.subject}: {self.reason}"


class MigrationRefused(RuVectorError, RuntimeError):
    """The migration would lose or degrade something, so nothing was changed."""

    def __init__(self, what: str, refusals: Sequence[Refusal]) -> None:
        self.what = what
        self.refusals = tuple(refusals)
        lines = "\n".join(f"  - {r}" for r in self.refusals)
        super().__init__(f"{what}: refused, nothing was changed:\n{lines}")


class ExtensionConflict(MigrationRefused):
    """ruvector and pgvector cannot be installed together in this database."""


class LockBusy(RuVectorError, RuntimeError):
    """Another session holds a lock on the table; waiting would block every reader."""

    def __init__(self, table: str, lock_timeout: str, holders: Sequence[int]) -> None:
        self.table = table
        self.lock_timeout = lock_timeout
        self.holders = tuple(holders)
        pids = ", ".join(map(str, self.holders)) or "unknown"
        super().__init__(
            f"table {table} is busy: could not take its ACCESS EXCLUSIVE lock within "
            f"lock_timeout={lock_timeout} (held or awaited by backend pid(s) {pids}); nothing "
            "was changed. Retry when the long transaction has finished, or raise lock_timeout."
        )


class ValidationMismatch(RuVectorError, AssertionError):
    """After the change the column's data is not what it was before; the migration's
    transaction is rolled back by raising this."""

    def __init__(self, column: str, problems: Sequence[str]) -> None:
        self.column = column
        self.problems = tuple(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(f"validation of {column} failed:\n{lines}")
