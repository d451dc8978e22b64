"""pgvector-style ``Index`` declarations on ruvector columns.

Code written for pgvector declares ``Index(..., postgresql_using="hnsw",
postgresql_ops={"embedding": "vector_l2_ops"})``. On a ``ruvector`` column that names
an access method and an opclass the server does not have (its HNSW is ``ruhnsw``,
or ``hnsw`` in the published 2.0.5; its opclasses are ``ruvector_*_ops``). The DDL
compiler hook of :mod:`sqlalchemy_ruvector.indexes` calls :func:`render_create_index`
for every plain ``Index``: where an expression is a ruvector column or expression,
the method and the opclass are mapped (exactly, through
:func:`~sqlalchemy_ruvector.metrics.translate_opclass`, or refused) and the mapping is
logged at DEBUG; any other index keeps SQLAlchemy's own rendering.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from sqlalchemy import text as sql_text
from sqlalchemy.schema import CreateIndex
from sqlalchemy.sql.compiler import DDLCompiler
from sqlalchemy.sql.elements import ColumnClause

from ._sa_internals import index_include_clause, prepared_index_name
from .capabilities import capabilities_of, effective
from .errors import UnmappableIndexError, UnsupportedByServerError
from .metrics import METHODS, access_method, parse_opclass, translate_opclass
from .vector_types import family_types, is_ruvector, vector_type

__all__ = ["render_create_index", "translated_opclass"]

logger = logging.getLogger(__name__)

#: SQL types with pgvector's operators: their opclasses need pgvector in the database.
_PGVECTOR_TYPES = family_types("pgvector")


def translated_opclass(opclass: str | None, method: str, sql_type: str) -> str | None:
    """The opclass for a ``sql_type`` column of an opclass written for its pgvector
    counterpart (``vector_cosine_ops`` -> ``ruvector_cosine_ops``); the type's own
    names and None (the default opclass) pass through."""
    spec = vector_type(sql_type)
    if opclass is None or spec is None or opclass.startswith(f"{spec.prefix}_"):
        return opclass
    if spec.counterpart is None:
        raise UnmappableIndexError(
            f"{sql_type} has no pgvector counterpart to translate opclasses from", opclass=opclass
        )
    return translate_opclass(
        opclass, source_type=spec.counterpart, target_type=sql_type, method=method
    )


def _sql_type(expression: Any) -> str | None:
    name: str | None = getattr(getattr(expression, "type", None), "sql_name", None)
    return name


def _refuse_missing_pgvector(index: Any, ops: dict[str, str], caps: Any) -> None:
    """A pgvector opclass (``bit_hamming_ops``, ``halfvec_l2_ops``) on a server
    known to lack pgvector fails here, naming the index, instead of in the server."""
    if caps is None or not caps.probed or caps.pgvector_version is not None:
        return
    for key, opclass in ops.items():
        try:
            sql_type = parse_opclass(opclass).sql_type
        except LookupError:
            continue
        if sql_type in _PGVECTOR_TYPES:
            raise UnsupportedByServerError(
                f"index {index.name!r}: operator class {opclass} (on {key!r}) is pgvector's, "
                f"and this server has no pgvector; ruvector indexes its own type only "
                f"(ruvector_l2_ops, ruvector_cosine_ops, ruvector_ip_ops)",
                feature=opclass,
            )


def _walk(element: Any) -> Iterator[Any]:
    """``element`` and every clause under it."""
    yield element
    for child in element.get_children():
        yield from _walk(child)


def _refuse_unprobed_quantize(index: Any, expressions: list[Any], caps: Any) -> None:
    """``binary_quantize`` of a ruvector needs the server's function to be indexable;
    an engine that never probed the server (plain psycopg) cannot tell which exists."""
    if caps is not None and caps.probed:
        return
    from .types.bit import binary_quantize

    for expression in expressions:
        for element in _walk(expression):
            if isinstance(element, binary_quantize) and any(
                is_ruvector(_sql_type(c)) for c in element.clauses
            ):
                raise UnsupportedByServerError(
                    f"index {index.name!r}: binary_quantize of a ruvector can be indexed only on "
                    "an engine that probed the server (postgresql+ruvector, or "
                    "plugins=['ruvector']): which function exists depends on the server",
                    feature="binary_quantize(ruvector)",
                )


def render_create_index(create: CreateIndex, compiler: DDLCompiler, **kw: Any) -> str | None:
    """``CREATE INDEX`` text for a pgvector-style index on ruvector expressions, or None
    when the index is not one (the caller then renders it as SQLAlchemy does)."""
    index = create.element
    options = index.dialect_options["postgresql"]
    using = options["using"]
    if not using or str(using).lower() not in METHODS:
        return None
    method = str(using).lower()
    ops: dict[str, str] = dict(options["ops"] or {})
    expressions: list[Any] = list(index.expressions)
    keys = [getattr(e, "key", None) for e in expressions]
    caps = capabilities_of(compiler.dialect)
    _refuse_unprobed_quantize(index, expressions, caps)
    ours = [t for t in map(_sql_type, expressions) if t is not None and is_ruvector(t)]
    if not ours:
        _refuse_missing_pgvector(index, ops, caps)
        return None

    server_am = access_method(ours[0], method, effective(compiler.dialect))
    preparer = compiler.preparer
    parts = []
    for expression, key in zip(expressions, keys, strict=True):
        opclass = ops.get(key) if key is not None else None
        sql_type = _sql_type(expression)
        if sql_type is not None and is_ruvector(sql_type):
            mapped = translated_opclass(opclass, method, sql_type)
            if mapped != opclass or server_am != method:
                logger.debug(
                    "index %s: USING %s (%s) -> USING %s (%s)",
                    index.name,
                    method,
                    opclass,
                    server_am,
                    mapped,
                )
            opclass = mapped
        grouped = expression if isinstance(expression, ColumnClause) else expression.self_group()
        rendered = compiler.sql_compiler.process(grouped, include_table=False, literal_binds=True)
        parts.append(rendered + (f" {preparer.quote(opclass)}" if opclass else ""))

    text: str = "CREATE UNIQUE INDEX " if index.unique else "CREATE INDEX "
    if options["concurrently"]:
        text += "CONCURRENTLY "
    if create.if_not_exists:
        text += "IF NOT EXISTS "
    text += (
        f"{prepared_index_name(compiler, index)} "
        f"ON {preparer.format_table(index.table)} "  # type: ignore[arg-type]
        f"USING {preparer.quote(server_am)} ({', '.join(parts)})"
    )
    text += index_include_clause(compiler, index)
    with_options = options["with"]
    if with_options:
        text += " WITH (" + ", ".join(f"{k} = {v}" for k, v in with_options.items()) + ")"
    if options["tablespace"]:
        text += f" TABLESPACE {preparer.quote(options['tablespace'])}"
    where = options["where"]
    if where is not None:
        where_clause = sql_text(where) if isinstance(where, str) else where
        where_sql: str = compiler.sql_compiler.process(
            where_clause, include_table=False, literal_binds=True
        )
        text += " WHERE " + where_sql
    return text
