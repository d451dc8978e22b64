"""How a planned column migration is carried out.

A strategy takes a :class:`MigrationRequest` and does the whole move on the
migration's connection. ``in_place`` (one transaction, ACCESS EXCLUSIVE) ships here;
``online`` (shadow column, triggers, batches, swap) arrives as
``alembic_ext/strategies/online.py`` and registers itself with
:func:`register_strategy` when imported. :func:`get_strategy` imports
``alembic_ext.strategies.<name>`` on first use, so a new strategy needs no edit here.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from sqlalchemy_ruvector.capabilities import Capabilities
from sqlalchemy_ruvector.errors import InvalidArgumentError, InvalidIdentifierError

from .._db import Db
from ..plan import Plan, Target
from ..validate import ColumnSnapshot

__all__ = [
    "MigrationRequest",
    "MigrationResult",
    "Strategy",
    "get_strategy",
    "register_strategy",
    "strategies",
]

_LOCK_TIMEOUT: Final = re.compile(r"^\d+(\.\d+)?\s*(us|ms|s|min|h|d)?$")
_NAME: Final = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class MigrationRequest:
    """What the user asked for, checked before any SQL runs."""

    table: str
    column: str | None
    target: Target
    schema: str | None = None
    validate: bool = True
    lock_timeout: str = "5s"
    samples: int = 5
    k: int = 10
    #: Strategy-specific options (online: batch_size, max_swap_retries, progress,
    #: state_schema); a strategy rejects the ones it does not know.
    options: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, value in (
            ("table", self.table),
            ("column", self.column),
            ("schema", self.schema),
        ):
            if value is not None and (not isinstance(value, str) or not value or "\x00" in value):
                raise InvalidIdentifierError(
                    f"{name} must be a non-empty string, got {value!r}",
                    identifier=value,
                    argument=name,
                )
        if not isinstance(self.lock_timeout, str) or not _LOCK_TIMEOUT.match(self.lock_timeout):
            raise InvalidArgumentError(
                f"lock_timeout must be a PostgreSQL duration such as '5s' or '500ms', "
                f"got {self.lock_timeout!r}",
                argument="lock_timeout",
                value=self.lock_timeout,
            )


@dataclass
class MigrationResult:
    """What a strategy did, with timings (seconds) for reports and benchmarks."""

    plan: Plan
    before: dict[str, ColumnSnapshot] = field(default_factory=dict)
    after: dict[str, ColumnSnapshot] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    #: time.perf_counter() when the table's exclusive lock was granted (None if never)
    locked_at: float | None = None


class Strategy(Protocol):
    name: str

    def migrate(self, db: Db, caps: Capabilities, request: MigrationRequest) -> MigrationResult:
        """Carry out ``request``; raise before changing anything when refused."""
        ...


_REGISTRY: dict[str, Strategy] = {}


def register_strategy(strategy: Strategy) -> Strategy:
    """Make ``strategy`` available as ``strategy=<strategy.name>``."""
    _REGISTRY[strategy.name] = strategy
    return strategy


def strategies() -> tuple[str, ...]:
    return tuple(sorted(_REGISTRY))


def get_strategy(name: str) -> Strategy:
    """The strategy called ``name``, importing ``alembic_ext.strategies.<name>`` once."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidArgumentError(
            f"strategy must be a name such as 'in_place', got {name!r}",
            argument="strategy",
            value=name,
        )
    if name not in _REGISTRY:
        try:
            importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{name}":
                raise
    if name not in _REGISTRY:
        known = ", ".join(strategies()) or "in_place"
        raise InvalidArgumentError(
            f"unknown strategy {name!r}; available: {known}", argument="strategy", value=name
        )
    return _REGISTRY[name]
