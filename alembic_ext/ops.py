"""Alembic operations for ruvector: extension lifecycle, vector indexes, and the move
of pgvector columns to ruvector (and back), each with ``reverse()`` so autogenerate
can write downgrades, and ``to_diff_tuple()`` for ``compare_metadata`` / ``alembic check``.

The classes hold what the user wrote and nothing else; what the server can do is
probed when an operation runs (:mod:`alembic_ext.impl`). ``arguments()`` gives the
call as written (positional, keyword), which renderers turn into ``op.<name>(...)``.
"""

from __future__ import annotations

from typing import Any

from alembic.operations import Operations

from sqlalchemy_ruvector.errors import InvalidArgumentError

from ._operation import Arguments, VectorOperation
from ._operation import non_defaults as _kw

__all__ = [
    "CreateRuVectorExtensionOp",
    "CreateVectorIndexOp",
    "DropRuVectorExtensionOp",
    "DropVectorIndexOp",
    "MigrateSchemaToPgVectorOp",
    "MigrateSchemaToRuVectorOp",
    "MigrateToPgVectorOp",
    "MigrateToRuVectorOp",
    "SnapshotVectorColumnOp",
    "ValidateVectorMigrationOp",
    "VectorOperation",
]


# --- extension -------------------------------------------------------------------


@Operations.register_operation("create_ruvector_extension")
class CreateRuVectorExtensionOp(VectorOperation):
    """``CREATE EXTENSION IF NOT EXISTS ruvector [SCHEMA s] [VERSION v]``."""

    op_name = "create_ruvector_extension"

    def __init__(
        self, *, schema: str | None = None, version: str | None = None, if_not_exists: bool = True
    ) -> None:
        self.schema = schema
        self.version = version
        self.if_not_exists = if_not_exists

    @classmethod
    def create_ruvector_extension(
        cls,
        operations: Operations,
        *,
        schema: str | None = None,
        version: str | None = None,
        if_not_exists: bool = True,
    ) -> None:
        """Install ruvector; in a database that has pgvector, first check that the two
        can coexist and say what to do when they cannot (ruvector 2.0.5's HNSW method
        is named ``hnsw``, like pgvector's)."""
        operations.invoke(cls(schema=schema, version=version, if_not_exists=if_not_exists))

    def reverse(self) -> DropRuVectorExtensionOp:
        return DropRuVectorExtensionOp(if_exists=self.if_not_exists)

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("create_ruvector_extension", self.schema, self.version)

    def arguments(self) -> Arguments:
        return [], _kw(
            schema=(self.schema, None),
            version=(self.version, None),
            if_not_exists=(self.if_not_exists, True),
        )


@Operations.register_operation("drop_ruvector_extension")
class DropRuVectorExtensionOp(VectorOperation):
    """``DROP EXTENSION IF EXISTS ruvector``; refuses while columns of its types exist."""

    op_name = "drop_ruvector_extension"

    def __init__(
        self, *, if_exists: bool = True, schema: str | None = None, version: str | None = None
    ) -> None:
        self.if_exists = if_exists
        # What to recreate on reverse(); the drop itself does not need them.
        self.schema = schema
        self.version = version

    @classmethod
    def drop_ruvector_extension(
        cls,
        operations: Operations,
        *,
        if_exists: bool = True,
        schema: str | None = None,
        version: str | None = None,
    ) -> None:
        """Drop ruvector, refusing (and naming them) while columns of its types exist."""
        operations.invoke(cls(if_exists=if_exists, schema=schema, version=version))

    def reverse(self) -> CreateRuVectorExtensionOp:
        return CreateRuVectorExtensionOp(
            schema=self.schema, version=self.version, if_not_exists=self.if_exists
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("drop_ruvector_extension",)

    def arguments(self) -> Arguments:
        return [], _kw(
            if_exists=(self.if_exists, True),
            schema=(self.schema, None),
            version=(self.version, None),
        )


# --- vector indexes ----------------------------------------------------------------


@Operations.register_operation("create_vector_index")
class CreateVectorIndexOp(VectorOperation):
    """An HNSW / IVFFlat index in ``VectorIndex``'s vocabulary (method, metric, params);
    the access method and opclass are resolved on the live server."""

    op_name = "create_vector_index"

    def __init__(
        self,
        index_name: str,
        table_name: str,
        column: str,
        *,
        method: str = "hnsw",
        metric: str = "l2",
        schema: str | None = None,
        concurrently: bool = False,
        if_not_exists: bool = False,
        **params: Any,
    ) -> None:
        self.index_name = index_name
        self.table_name = table_name
        self.column = column
        self.method = method
        self.metric = metric
        self.schema = schema
        self.concurrently = concurrently
        self.if_not_exists = if_not_exists
        self.params = dict(params)

    @classmethod
    def create_vector_index(
        cls,
        operations: Operations,
        index_name: str,
        table_name: str,
        column: str,
        *,
        method: str = "hnsw",
        metric: str = "l2",
        schema: str | None = None,
        concurrently: bool = False,
        if_not_exists: bool = False,
        **params: Any,
    ) -> None:
        """``CREATE INDEX [CONCURRENTLY] name ON table USING <am> (column <opclass>) WITH (...)``.

        ``concurrently=True`` runs in an autocommit block and rebuilds an INVALID index
        of the same name left by an earlier failed build instead of "succeeding" over it.
        """
        operations.invoke(
            cls(
                index_name,
                table_name,
                column,
                method=method,
                metric=metric,
                schema=schema,
                concurrently=concurrently,
                if_not_exists=if_not_exists,
                **params,
            )
        )

    def reverse(self) -> DropVectorIndexOp:
        return DropVectorIndexOp(
            self.index_name,
            self.table_name,
            self.column,
            method=self.method,
            metric=self.metric,
            schema=self.schema,
            concurrently=self.concurrently,
            if_exists=self.if_not_exists,
            **self.params,
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("create_vector_index", self.schema, self.table_name, self.index_name)

    def arguments(self) -> Arguments:
        return [self.index_name, self.table_name, self.column], {
            **_kw(
                method=(self.method, "hnsw"),
                metric=(self.metric, "l2"),
                schema=(self.schema, None),
                concurrently=(self.concurrently, False),
                if_not_exists=(self.if_not_exists, False),
            ),
            **self.params,
        }


@Operations.register_operation("drop_vector_index")
class DropVectorIndexOp(VectorOperation):
    """``DROP INDEX [CONCURRENTLY] [IF EXISTS] name``; the table, column, method,
    metric and params are kept only so ``reverse()`` can recreate the index."""

    op_name = "drop_vector_index"

    def __init__(
        self,
        index_name: str,
        table_name: str | None = None,
        column: str | None = None,
        *,
        method: str = "hnsw",
        metric: str = "l2",
        schema: str | None = None,
        concurrently: bool = False,
        if_exists: bool = False,
        **params: Any,
    ) -> None:
        self.index_name = index_name
        self.table_name = table_name
        self.column = column
        self.method = method
        self.metric = metric
        self.schema = schema
        self.concurrently = concurrently
        self.if_exists = if_exists
        self.params = dict(params)

    @classmethod
    def drop_vector_index(
        cls,
        operations: Operations,
        index_name: str,
        table_name: str | None = None,
        column: str | None = None,
        *,
        method: str = "hnsw",
        metric: str = "l2",
        schema: str | None = None,
        concurrently: bool = False,
        if_exists: bool = False,
        **params: Any,
    ) -> None:
        """Drop a vector index (``concurrently=True`` in an autocommit block)."""
        operations.invoke(
            cls(
                index_name,
                table_name,
                column,
                method=method,
                metric=metric,
                schema=schema,
                concurrently=concurrently,
                if_exists=if_exists,
                **params,
            )
        )

    def reverse(self) -> CreateVectorIndexOp:
        if self.table_name is None or self.column is None:
            raise InvalidArgumentError(
                f"drop_vector_index({self.index_name!r}) cannot be reversed without "
                "table_name and column",
                argument="table_name" if self.table_name is None else "column",
            )
        return CreateVectorIndexOp(
            self.index_name,
            self.table_name,
            self.column,
            method=self.method,
            metric=self.metric,
            schema=self.schema,
            concurrently=self.concurrently,
            if_not_exists=self.if_exists,
            **self.params,
        )

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return ("drop_vector_index", self.schema, self.table_name, self.index_name)

    def arguments(self) -> Arguments:
        args: list[Any] = [self.index_name]
        if self.table_name is not None:
            args.append(self.table_name)
            if self.column is not None:
                args.append(self.column)
        return args, {
            **_kw(
                method=(self.method, "hnsw"),
                metric=(self.metric, "l2"),
                schema=(self.schema, None),
                concurrently=(self.concurrently, False),
                if_exists=(self.if_exists, False),
            ),
            **self.params,
        }


# The column, schema and validation operations live in their own module; they are
# re-exported here so ``alembic_ext.ops`` holds every operation class.
from .migration_ops import (  # noqa: E402
    MigrateSchemaToPgVectorOp,
    MigrateSchemaToRuVectorOp,
    MigrateToPgVectorOp,
    MigrateToRuVectorOp,
    SnapshotVectorColumnOp,
    ValidateVectorMigrationOp,
)
