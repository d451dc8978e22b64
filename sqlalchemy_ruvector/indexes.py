"""``VectorIndex``: an HNSW or IVFFlat index on one vector column.

The abstract method and metric (``"hnsw"``, ``"cosine"``) become the server's access
method and opclass at DDL time, from the probed capabilities: ruvector's HNSW is
``ruhnsw`` where the docs hold and ``hnsw`` in the published 2.0.5; pgvector's
types (``vector``, ``halfvec``, ``sparsevec``) use pgvector's methods and opclasses.
Parameters are checked against the documented ranges when the index is declared.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import Index
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import Column, CreateIndex
from sqlalchemy.sql.compiler import DDLCompiler

from .capabilities import Capabilities, effective
from .index_translation import render_create_index

__all__ = ["INDEX_PARAMS", "VectorIndex", "opclass_for"]

METHODS: Final = ("hnsw", "ivfflat")
METRICS: Final = ("l2", "cosine", "ip")

#: Documented parameters per method: name -> (low, high) for ints, or allowed strings.
INDEX_PARAMS: Final[dict[str, dict[str, tuple[int, int] | tuple[str, ...]]]] = {
    "hnsw": {
        "m": (2, 100),
        "ef_construction": (4, 1000),
        "quantization": ("sq8", "pq16", "binary"),
    },
    "ivfflat": {"lists": (1, 100000), "quantization": ("none", "sq8", "pq", "binary")},
}
#: Parameters that pgvector's access methods (the compatibility layer) also accept.
_PGVECTOR_PARAMS: Final = {"hnsw": ("m", "ef_construction"), "ivfflat": ("lists",)}


def opclass_for(sql_name: str, metric: str) -> str:
    """Opclass of ``metric`` for a column of SQL type ``sql_name``."""
    if sql_name == "ruvector":
        return f"ruvector_{metric}_ops"
    return f"{sql_name}_{metric}_ops"


def _check_params(method: str, params: Mapping[str, Any], where: str) -> dict[str, Any]:
    allowed = INDEX_PARAMS[method]
    checked: dict[str, Any] = {}
    for name, value in params.items():
        if name not in allowed:
            raise ValueError(
                f"{where}: unknown {method} parameter {name!r}; "
                f"expected one of {', '.join(allowed)}"
            )
        spec = allowed[name]
        if isinstance(spec[0], str):
            if value not in spec:
                raise ValueError(
                    f"{where}: {name} must be one of {', '.join(map(str, spec))}, got {value!r}"
                )
        else:
            low, high = spec
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"{where}: {name} must be an int, got {value!r}")
            if not low <= value <= high:
                raise ValueError(f"{where}: {name} must be between {low} and {high}, got {value}")
        checked[name] = value
    if (
        "m" in checked
        and "ef_construction" in checked
        and checked["ef_construction"] < 2 * checked["m"]
    ):
        raise ValueError(f"{where}: ef_construction must be at least 2 * m")
    return checked


class VectorIndex(Index):
    """``VectorIndex(name, column, method="hnsw", metric="l2", m=16, ef_construction=64)``.

    Works in ``__table_args__``, with ``metadata.create_all`` and in Alembic; add
    ``concurrently=True`` for ``CREATE INDEX CONCURRENTLY`` (outside a transaction).
    """

    def __init__(
        self,
        name: str,
        column: str | Column[Any],
        *,
        method: str = "hnsw",
        metric: str = "l2",
        concurrently: bool = False,
        **params: Any,
    ) -> None:
        if method not in METHODS:
            raise ValueError(
                f"index {name!r}: method must be one of {', '.join(METHODS)}, got {method!r}"
            )
        if metric not in METRICS:
            raise ValueError(
                f"index {name!r}: metric must be one of {', '.join(METRICS)}, got {metric!r}"
            )
        self.vector_method = method
        self.vector_metric = metric
        self.vector_params = _check_params(method, params, f"index {name!r}")
        super().__init__(name, column, postgresql_concurrently=concurrently)

    @property
    def vector_column(self) -> Column[Any]:
        columns = list(self.columns)
        if len(columns) != 1:
            raise CompileError(f"index {self.name!r} must cover exactly one vector column")
        return columns[0]

    def resolve(self, caps: Capabilities) -> tuple[str, str, dict[str, Any]]:
        """(access method, opclass, WITH parameters) for a server with ``caps``."""
        column = self.vector_column
        sql_name = getattr(column.type, "sql_name", None)
        if sql_name is None:
            raise CompileError(
                f"index {self.name!r}: column {column.name!r} is not a vector column"
            )
        opclass = opclass_for(sql_name, self.vector_metric)
        params = dict(self.vector_params)
        if sql_name != "ruvector":
            return self.vector_method, opclass, params
        method = caps.hnsw_am if self.vector_method == "hnsw" else caps.ivfflat_am
        extra = sorted(set(params) - set(_PGVECTOR_PARAMS[self.vector_method]))
        if extra and not caps.accepts_unknown_reloptions and caps.probed:
            raise CompileError(
                f"index {self.name!r}: this server ({caps.server_version}) does not accept "
                f"{', '.join(extra)}; ruvector 2.0.5 accepts and ignores them"
            )
        if extra and caps.accepts_unknown_reloptions and caps.probed:
            warnings.warn(
                f"index {self.name!r}: ruvector 2.0.5 stores but ignores {', '.join(extra)}",
                stacklevel=2,
            )
        return method, opclass, params


def _literal(value: Any) -> str:
    return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"


@compiles(CreateIndex, "postgresql")
def _compile_create_index(create: CreateIndex, compiler: DDLCompiler, **kw: Any) -> str:
    index = create.element
    if not isinstance(index, VectorIndex):
        translated = render_create_index(create, compiler, **kw)  # pgvector-style, on ruvector
        if translated is not None:
            return translated
        return str(compiler.visit_create_index(create, **kw))  # type: ignore[no-untyped-call]
    method, opclass, params = index.resolve(effective(compiler.dialect))
    preparer = compiler.preparer
    text = "CREATE INDEX "
    if index.dialect_options["postgresql"]["concurrently"]:
        text += "CONCURRENTLY "
    if create.if_not_exists:
        text += "IF NOT EXISTS "
    text += (
        f"{preparer.format_index(index)} "
        f"ON {preparer.format_table(index.table)} "  # type: ignore[arg-type]
        f"USING {preparer.quote(method)} "
        f"({preparer.quote(index.vector_column.name)} {preparer.quote(opclass)})"
    )
    if params:
        text += " WITH (" + ", ".join(f"{k} = {_literal(v)}" for k, v in params.items()) + ")"
    return text
