"""Bad arguments to the Alembic operations raise sqlalchemy_ruvector's error classes
naming the parameter (``argument``), before any SQL; still ValueError/TypeError."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from alembic_ext import ops as o
from alembic_ext._sql import literal
from alembic_ext.dimension import AlterVectorDimensionOp
from alembic_ext.strategies import MigrationRequest, get_strategy
from alembic_ext.strategies.online import OnlineOptions
from sqlalchemy_ruvector.errors import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    InvalidIdentifierError,
    RuVectorError,
)

CASES: list[tuple[str, Callable[[], Any], type[Exception], str | None, str]] = [
    ("strategy", lambda: get_strategy("sideways"), InvalidArgumentError, "strategy",
     "unknown strategy"),
    ("request.table", lambda: MigrationRequest("", None, "ruvector"), InvalidIdentifierError,
     "table", "table must be a non-empty string"),
    ("request.lock_timeout", lambda: MigrationRequest("t", None, "ruvector", lock_timeout="soon"),
     InvalidArgumentError, "lock_timeout", "lock_timeout must be a PostgreSQL duration"),
    ("online.batch_size", lambda: OnlineOptions.of({"batch_size": 0}), InvalidArgumentError,
     "batch_size", "batch_size must be a positive int"),
    ("online.unknown", lambda: OnlineOptions.of({"batch": 10}), InvalidArgumentError, "batch",
     "unknown online option"),
    ("online.shadow", lambda: OnlineOptions.of({"shadow": "view"}), InvalidArgumentError,
     "shadow", "shadow must be 'table' or 'column'"),
    ("dimension.to_dim", lambda: AlterVectorDimensionOp("t", "c", 3, 0), InvalidArgumentTypeError,
     "to_dim", "to_dim must be a positive int"),
    ("dimension.using", lambda: AlterVectorDimensionOp("t", "c", 3, 2, using="x", truncate=True),
     InvalidArgumentError, "using", "not both"),
    ("ops.reverse", lambda: o.DropVectorIndexOp("i").reverse(), InvalidArgumentError,
     "table_name", "without table_name and column"),
    ("sql.literal", lambda: literal("a\x00b"), InvalidArgumentError, None, "NUL byte"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "cls", "argument", "fragment"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_bad_argument_raises_its_class_naming_the_argument(
    call: Callable[[], Any], cls: type[Exception], argument: str | None, fragment: str
) -> None:
    with pytest.raises(cls, match=fragment) as caught:
        call()
    assert isinstance(caught.value, RuVectorError)
    assert getattr(caught.value, "argument") == argument  # noqa: B009
