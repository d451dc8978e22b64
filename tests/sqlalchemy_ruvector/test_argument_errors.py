"""Bad arguments raise the package's own classes, naming the parameter in
``argument`` (and the refused ``value``), while staying the ValueError/TypeError/
LookupError existing ``except`` clauses catch. One case per module; no database."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from sqlalchemy_ruvector import RuVector
from sqlalchemy_ruvector.bulk import copy_into
from sqlalchemy_ruvector.comparator import VectorDistance
from sqlalchemy_ruvector.errors import (
    InvalidArgumentError,
    InvalidArgumentTypeError,
    ObjectNotFoundError,
    RuVectorError,
)
from sqlalchemy_ruvector.health import index_info
from sqlalchemy_ruvector.hybrid import hybrid_search
from sqlalchemy_ruvector.indexes import VectorIndex
from sqlalchemy_ruvector.metrics import accel_metric, access_method, comparator, metric
from sqlalchemy_ruvector.rerank import rerank
from sqlalchemy_ruvector.search import validate_search
from sqlalchemy_ruvector.server import _check_choice
from sqlalchemy_ruvector.tenancy.context import _validate
from sqlalchemy_ruvector.tenancy.ddl import current_tenant_sql

_items = sa.Table(
    "items",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("body", sa.Text),
    sa.Column("embedding", RuVector(3)),
)


def _hybrid(**overrides: Any) -> Any:
    kwargs: dict[str, Any] = {
        "vector_column": _items.c.embedding,
        "query_vector": [1.0, 2.0, 3.0],
        "query_text": "q",
        "text_column": _items.c.body,
    }
    return hybrid_search(_items, **{**kwargs, **overrides})


CASES: list[tuple[str, Callable[[], Any], type[Exception], str | None, str]] = [
    # (id, call, class, argument, message fragment)
    (
        "metrics.metric",
        lambda: metric("manhattan"),
        InvalidArgumentError,
        "metric",
        "unknown metric",
    ),
    (
        "metrics.comparator",
        lambda: comparator("near"),
        InvalidArgumentError,
        "method",
        "unknown comparator",
    ),
    (
        "metrics.access_method",
        lambda: access_method("vector", "btree", None),
        InvalidArgumentError,
        "method",
        "unknown index method",
    ),
    (
        "metrics.accel_metric",
        lambda: accel_metric("jaccard"),
        InvalidArgumentError,
        "metric",
        "accel has no",
    ),
    (
        "comparator",
        lambda: VectorDistance(_items.c.embedding, _items.c.embedding, "far"),
        InvalidArgumentError,
        "metric",
        "unknown metric",
    ),
    (
        "indexes.method",
        lambda: VectorIndex("i", _items.c.embedding, method="btree"),
        InvalidArgumentError,
        "method",
        "method must be one of",
    ),
    (
        "indexes.param",
        lambda: VectorIndex("i", _items.c.embedding, m="16"),
        InvalidArgumentTypeError,
        "m",
        "m must be an int",
    ),
    (
        "indexes.range",
        lambda: VectorIndex("i", _items.c.embedding, m=1),
        InvalidArgumentError,
        "m",
        "m must be between",
    ),
    (
        "search.type",
        lambda: validate_search({"ef_search": "40"}),
        InvalidArgumentTypeError,
        "ef_search",
        "ef_search must be an int",
    ),
    (
        "search.mapping",
        lambda: validate_search([("ef_search", 40)]),
        InvalidArgumentTypeError,
        "ruvector_search",
        "must be a mapping",
    ),
    (
        "server.profile",
        lambda: _check_choice("nightly", 18),
        InvalidArgumentError,
        "profile",
        "unknown profile",
    ),
    (
        "tenancy.context",
        lambda: _validate(""),
        InvalidArgumentError,
        "tenant_id",
        "must not be empty",
    ),
    (
        "tenancy.context.type",
        lambda: _validate(1.5),
        InvalidArgumentTypeError,
        "tenant_id",
        "must be a str, int or UUID",
    ),
    (
        "tenancy.ddl",
        lambda: current_tenant_sql("text; drop"),
        InvalidArgumentError,
        "tenant_type",
        "plain SQL type name",
    ),
    (
        "hybrid.fusion",
        lambda: _hybrid(fusion="max"),
        InvalidArgumentError,
        "fusion",
        "fusion must be",
    ),
    (
        "hybrid.alpha",
        lambda: _hybrid(fusion="linear", alpha=2),
        InvalidArgumentError,
        "alpha",
        "alpha must be",
    ),
    (
        "hybrid.query_text",
        lambda: _hybrid(query_text=3),
        InvalidArgumentTypeError,
        "query_text",
        "must be a str",
    ),
    (
        "rerank.metric",
        lambda: rerank(None, sa.select(_items), [1, 2, 3], 5, metric="far"),
        InvalidArgumentError,
        "metric",
        "metric must be one of",
    ),
    (
        "rerank.k",
        lambda: rerank(None, sa.select(_items), [1, 2, 3], "5"),
        InvalidArgumentTypeError,
        "k",
        "k must be an int",
    ),
    (
        "health.index_name",
        lambda: index_info(None, ""),
        InvalidArgumentError,
        "index_name",
        "non-empty str",
    ),
    (
        "bulk.copy_into",
        lambda: copy_into(None, _items, {}, batch_rows=0),
        InvalidArgumentError,
        "batch_rows",
        "batch_rows must be >= 1",
    ),
]


@pytest.mark.parametrize(
    ("call", "cls", "argument", "fragment"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_bad_argument_raises_its_class_naming_the_argument(
    call: Callable[[], Any], cls: type[Exception], argument: str | None, fragment: str
) -> None:
    with pytest.raises(cls, match=fragment) as caught:
        call()
    error = caught.value
    assert isinstance(error, RuVectorError)
    assert getattr(error, "argument") == argument  # noqa: B009  (all three classes have it)


def test_hierarchy_keeps_builtin_bases() -> None:
    assert issubclass(InvalidArgumentError, ValueError)
    assert issubclass(InvalidArgumentTypeError, TypeError)
    assert issubclass(ObjectNotFoundError, LookupError)
    for cls in (InvalidArgumentError, InvalidArgumentTypeError, ObjectNotFoundError):
        assert issubclass(cls, RuVectorError)


def test_refused_value_is_carried() -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        metric("manhattan")
    assert caught.value.value == "manhattan"


def test_function_arguments_are_named_by_the_generated_function() -> None:
    """The catalog's typed functions re-raise a coercion error with the SQL argument's
    name: scalars as InvalidArgument(Type)Error, vectors as the located vector error."""
    from sqlalchemy_ruvector.functions import ruvector_gcn_forward  # type: ignore[attr-defined]

    with pytest.raises(InvalidArgumentTypeError, match="argument 'out_dim': expected an int"):
        ruvector_gcn_forward({}, [0], [1], None, "seven")
    try:
        ruvector_gcn_forward({}, [0], [1], None, "seven")
    except InvalidArgumentTypeError as error:
        assert (error.argument, error.value) == ("out_dim", "seven")
    with pytest.raises(InvalidArgumentError, match="argument 'out_dim'") as caught:
        ruvector_gcn_forward({}, [0], [1], None, 2**40)
    assert caught.value.argument == "out_dim"


def test_table_of_a_scalar_function_is_refused() -> None:
    from sqlalchemy_ruvector.functions import ruvector_gcn_forward  # type: ignore[attr-defined]

    with pytest.raises(InvalidArgumentTypeError, match="returns jsonb, not a table") as caught:
        ruvector_gcn_forward({}, [0], [1], None, 0).table()
    assert caught.value.argument is None
