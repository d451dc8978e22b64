"""Index health at a glance: what the catalog says about each vector index, whether
it is valid, and whether the planner uses it; plus typed calls of ruvector's own
health functions where the server has them.

Everything comes from PostgreSQL's catalog and statistics views, so it is the same
on every server; ``index_info`` names any index (a GIN index, a unique btree), and
``vector_indexes`` lists the indexes of ruvector's and pgvector's access methods.
An INVALID index (``indisvalid`` false: a failed or interrupted ``CREATE INDEX
CONCURRENTLY``) is still maintained on writes but never used for reads: drop it and
build it again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from . import functions
from .errors import InvalidArgumentError, ObjectNotFoundError

__all__ = [
    "HEALTH_FUNCTIONS",
    "IndexInfo",
    "available_health_functions",
    "health_status",
    "hnsw_debug",
    "index_info",
    "is_healthy",
    "memory_stats",
    "system_metrics",
    "vector_indexes",
]

#: Handlers of the access methods counted as vector indexes (ruvector's, and
#: pgvector's under the compatibility layer or side by side).
VECTOR_AM_HANDLERS: Final = ("hnsw_handler", "ruivfflat_handler", "hnswhandler", "ivfflathandler")

_INDEX_QUERY: Final = """
SELECT n.nspname, i.relname, t.relname, am.amname, ah.proname,
       (SELECT a.attname FROM pg_attribute a
         WHERE a.attrelid = x.indrelid AND a.attnum = x.indkey[0] AND x.indkey[0] <> 0),
       (SELECT o.opcname FROM pg_opclass o WHERE o.oid = x.indclass[0]),
       (SELECT op.oprname FROM pg_opclass o
          JOIN pg_amop ao ON ao.amopfamily = o.opcfamily AND ao.amoppurpose = 'o'
          JOIN pg_operator op ON op.oid = ao.amopopr
         WHERE o.oid = x.indclass[0] LIMIT 1),
       coalesce(i.reloptions, '{}'), pg_relation_size(i.oid), i.reltuples::float8,
       x.indisvalid, x.indisready, pg_get_indexdef(i.oid),
       s.idx_scan, ts.last_vacuum, ts.last_autovacuum, ts.last_analyze, ts.last_autoanalyze
  FROM pg_index x
  JOIN pg_class i ON i.oid = x.indexrelid
  JOIN pg_class t ON t.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = i.relnamespace
  JOIN pg_am am ON am.oid = i.relam
  JOIN pg_proc ah ON ah.oid = am.amhandler
  LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = i.oid
  LEFT JOIN pg_stat_all_tables ts ON ts.relid = t.oid
"""
_BY_NAME: Final = sa.text(
    _INDEX_QUERY + " WHERE i.relname = :name AND (CAST(:schema AS text) IS NULL AND "
    "pg_table_is_visible(i.oid) OR n.nspname = :schema)"
)
_ALL_VECTOR: Final = sa.text(
    _INDEX_QUERY + " WHERE ah.proname = ANY(:handlers)"
    " AND n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY n.nspname, i.relname"
).bindparams(sa.bindparam("handlers", list(VECTOR_AM_HANDLERS), type_=postgresql.ARRAY(sa.Text)))
_OPERATOR: Final = re.compile(r"[~!@#%^&*+\-=<>/|`?]+\Z")
_PREPARER: Final = postgresql.dialect().identifier_preparer  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class IndexInfo:
    """One index as the catalog and the statistics views describe it."""

    schema: str
    name: str
    table: str
    column: str | None  # first key column (None for an expression)
    access_method: str
    opclass: str | None
    params: dict[str, str]  # reloptions, as stored (ruvector 2.0.5 stores but ignores them)
    size_bytes: int
    tuples: float  # pg_class.reltuples: an estimate; -1 before the first VACUUM/ANALYZE
    is_valid: bool  # pg_index.indisvalid: False after a failed CREATE INDEX CONCURRENTLY
    is_ready: bool  # pg_index.indisready: maintained on writes
    definition: str
    scans: int | None  # pg_stat_all_indexes.idx_scan
    last_vacuum: datetime | None  # the table's, manual or auto, whichever is later
    last_analyze: datetime | None
    is_vector_index: bool
    planner_uses: bool | None  # for a sample k-NN query; None when not checked

    @property
    def healthy(self) -> bool:
        """Valid, ready, and (where checked) chosen by the planner."""
        return self.is_valid and self.is_ready and self.planner_uses is not False


def _latest(*times: datetime | None) -> datetime | None:
    present = [t for t in times if t is not None]
    return max(present) if present else None


def _connection(bind: Connection | Session) -> Connection:
    return bind.connection() if isinstance(bind, Session) else bind


def _from_row(conn: Connection, row: Any, check_planner: bool) -> IndexInfo:
    (schema, name, table, am, handler, column, opclass, operator, reloptions,
     size, tuples, valid, ready, definition, scans, vac, autovac, an, autoan) = row  # fmt: skip
    params = dict(opt.split("=", 1) for opt in reloptions)
    is_vector = handler in VECTOR_AM_HANDLERS
    uses = None
    if check_planner and is_vector and column is not None and operator is not None:
        uses = _planner_uses(conn, schema, table, column, operator, name)
    return IndexInfo(
        schema=schema,
        name=name,
        table=table,
        column=column,
        access_method=am,
        opclass=opclass,
        params=params,
        size_bytes=int(size),
        tuples=float(tuples),
        is_valid=bool(valid),
        is_ready=bool(ready),
        definition=definition,
        scans=None if scans is None else int(scans),
        last_vacuum=_latest(vac, autovac),
        last_analyze=_latest(an, autoan),
        is_vector_index=is_vector,
        planner_uses=uses,
    )


def _planner_uses(
    conn: Connection, schema: str, table: str, column: str, operator: str, index: str
) -> bool | None:
    """EXPLAIN a k-NN query ordered by the index's operator, with a stored vector as
    the query (a sub-select, so no literal is needed); None for an empty table."""
    if not _OPERATOR.match(operator):
        return None
    q = _PREPARER.quote
    target = f"{q(schema)}.{q(table)}"
    col = q(column)
    sample = f"(SELECT {col} FROM {target} WHERE {col} IS NOT NULL LIMIT 1)"
    with conn.begin_nested():
        if conn.exec_driver_sql(f"SELECT {sample} IS NULL").scalar_one():
            return None
        plan = conn.exec_driver_sql(
            f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {target} ORDER BY {col} {operator} {sample} "
            "LIMIT 10"
        ).scalar_one()
    return index in _index_names(plan if not isinstance(plan, str) else json.loads(plan))


def _index_names(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if "Index Name" in node:
            found.add(node["Index Name"])
        for value in node.values():
            found |= _index_names(value)
    elif isinstance(node, list):
        for value in node:
            found |= _index_names(value)
    return found


def index_info(
    bind: Connection | Session,
    index_name: str,
    *,
    schema: str | None = None,
    check_planner: bool = True,
) -> IndexInfo:
    """The catalog's view of ``index_name`` (searched on the search path unless
    ``schema`` is given); ``check_planner`` runs one EXPLAIN for vector indexes."""
    if not isinstance(index_name, str) or not index_name:
        raise InvalidArgumentError(
            f"index_name must be a non-empty str, got {index_name!r}",
            argument="index_name",
            value=index_name,
        )
    conn = _connection(bind)
    row = conn.execute(_BY_NAME, {"name": index_name, "schema": schema}).first()
    if row is None:
        where = f" in schema {schema!r}" if schema else " on the search path"
        raise ObjectNotFoundError(
            f"no index named {index_name!r}{where}", kind="index", name=index_name
        )
    return _from_row(conn, row, check_planner)


def vector_indexes(bind: Connection | Session, *, check_planner: bool = False) -> list[IndexInfo]:
    """Every HNSW / IVFFlat index (ruvector's or pgvector's) outside the system schemas."""
    conn = _connection(bind)
    return [_from_row(conn, row, check_planner) for row in conn.execute(_ALL_VECTOR)]


# -- ruvector's own health functions (2.0.5: installed; the compatibility layer has
#    only ruvector_memory_stats). Each fails to compile, naming the function and the
#    reason, on a server without it.

HEALTH_FUNCTIONS: Final = (
    "ruvector_health_status",
    "ruvector_is_healthy",
    "ruvector_system_metrics",
    "ruvector_memory_stats",
    "ruvector_hnsw_debug",
)


def available_health_functions(bind: Connection | Session) -> frozenset[str]:
    """Which of :data:`HEALTH_FUNCTIONS` the connected server has."""
    caps = getattr(_connection(bind).dialect, "ruvector_capabilities", None)
    if caps is None or not caps.probed:
        raise InvalidArgumentError(
            "available_health_functions needs a postgresql+ruvector engine", argument="bind"
        )
    return frozenset(f for f in HEALTH_FUNCTIONS if f in caps.functions)


def _json(value: Any) -> dict[str, Any]:
    loaded = json.loads(value) if isinstance(value, (str, bytes)) else value
    if not isinstance(loaded, dict):
        raise TypeError(f"expected a JSON object from the server, got {loaded!r}")
    return loaded


def _call(bind: Connection | Session, fn: Any) -> Any:
    return _connection(bind).execute(sa.select(fn)).scalar_one()


def health_status(bind: Connection | Session) -> dict[str, Any]:
    """``ruvector_health_status()``: the self-healing subsystem's report."""
    return _json(_call(bind, functions.ruvector_health_status()))


def is_healthy(bind: Connection | Session) -> bool:
    """``ruvector_is_healthy()``."""
    return bool(_call(bind, functions.ruvector_is_healthy()))


def system_metrics(bind: Connection | Session) -> dict[str, Any]:
    """``ruvector_system_metrics()``."""
    return _json(_call(bind, functions.ruvector_system_metrics()))


def memory_stats(bind: Connection | Session) -> dict[str, Any]:
    """``ruvector_memory_stats()``: index and cache memory in MB."""
    return _json(_call(bind, functions.ruvector_memory_stats()))


def hnsw_debug(bind: Connection | Session, index_name: str) -> dict[str, Any]:
    """``ruvector_hnsw_debug(index_name)``: the HNSW graph's internals."""
    return _json(_call(bind, functions.ruvector_hnsw_debug(index_name)))
