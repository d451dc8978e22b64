"""Alembic operations for ruvector: extension lifecycle, vector indexes, and the move
of pgvector columns to ruvector (and back), each with ``reverse()`` so autogenerate
can write downgrades, and ``to_diff_tuple()`` for ``compare_metadata`` / ``alembic check``.

The classes hold what the user wrote and nothing else; what the server can do is
probed when an operation runs (:mod:`alembic_ext.impl`). ``arguments()`` gives the
call as written (positional, keyword), which renderers turn into ``op.<name>(...)``.
"""

from __future__ import annotations

from typing import Any

from alembic.operations import MigrateOperation, Operations

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

Arguments = tuple[list[Any], dict[str, Any]]


class VectorOperation(MigrateOperation):
    """Common surface: ``op_name`` (the ``op.<name>`` it is called by) and the call's
    arguments as written, with defaults left out."""

    op_name: str

    def arguments(self) -> Arguments:
        raise NotImplementedError

    def __repr__(self) -> str:
        args, kwargs = self.arguments()
        shown = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
        return f"{type(self).__name__}({', '.join(shown)})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, VectorOperation)
            and type(other) is type(self)
            and (other.arguments() == self.arguments())
        )

    def __hash__(self) -> int:
        return hash((type(self), repr(self)))


def _kw(**values: Any) -> dict[str, Any]:
    """Keyword arguments that differ from their defaults (given as (value, default))."""
    return {k: v for k, (v, default) in values.items() if v != default}


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
            raise ValueError(
                f"drop_vector_index({self.index_name!r}) cannot be reversed without "
                "table_name and column"
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


# --- column migrations --------------------------------------------------------------


class _MigrateColumnOp(VectorOperation):
    """Shared fields of migrate_to_ruvector / migrate_to_pgvector."""

    target: str  # "ruvector" or "pgvector"

    def __init__(
        self,
        table_name: str,
        column: str | None = None,
        *,
        strategy: str = "in_place",
        validate: bool = True,
        lock_timeout: str = "5s",
        schema: str | None = None,
    ) -> None:
        self.table_name = table_name
        self.column = column
        self.strategy = strategy
        self.validate = validate
        self.lock_timeout = lock_timeout
        self.schema = schema

    def _same_arguments(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "validate": self.validate,
            "lock_timeout": self.lock_timeout,
            "schema": self.schema,
        }

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return (self.op_name, self.schema, self.table_name, self.column)

    def arguments(self) -> Arguments:
        args: list[Any] = [self.table_name]
        if self.column is not None:
            args.append(self.column)
        return args, _kw(
            strategy=(self.strategy, "in_place"),
            validate=(self.validate, True),
            lock_timeout=(self.lock_timeout, "5s"),
            schema=(self.schema, None),
        )


@Operations.register_operation("migrate_to_ruvector")
class MigrateToRuVectorOp(_MigrateColumnOp):
    """pgvector column(s) -> ruvector, indexes carried over by an explicit mapping."""

    op_name = "migrate_to_ruvector"
    target = "ruvector"

    @classmethod
    def migrate_to_ruvector(
        cls,
        operations: Operations,
        table_name: str,
        column: str | None = None,
        *,
        strategy: str = "in_place",
        validate: bool = True,
        lock_timeout: str = "5s",
        schema: str | None = None,
    ) -> None:
        """Move ``table_name.column`` (every pgvector column when ``column`` is None)
        from pgvector's ``vector(n)`` to ``ruvector(n)``, carrying each index over by an
        explicit mapping (hnsw -> the server's ruvector HNSW, ivfflat -> ruivfflat,
        ``vector_*_ops`` -> ``ruvector_*_ops``, same WITH/predicate/INCLUDE), or refuse
        before changing anything. ``strategy="in_place"`` rewrites the table in one
        transaction under an ACCESS EXCLUSIVE lock taken with ``lock_timeout``;
        ``validate=True`` proves the data unchanged (checksum of every row, exact top-k)."""
        operations.invoke(
            cls(
                table_name,
                column,
                strategy=strategy,
                validate=validate,
                lock_timeout=lock_timeout,
                schema=schema,
            )
        )

    def reverse(self) -> MigrateToPgVectorOp:
        return MigrateToPgVectorOp(self.table_name, self.column, **self._same_arguments())


@Operations.register_operation("migrate_to_pgvector")
class MigrateToPgVectorOp(_MigrateColumnOp):
    """ruvector column(s) -> pgvector: the reverse of :class:`MigrateToRuVectorOp`."""

    op_name = "migrate_to_pgvector"
    target = "pgvector"

    @classmethod
    def migrate_to_pgvector(
        cls,
        operations: Operations,
        table_name: str,
        column: str | None = None,
        *,
        strategy: str = "in_place",
        validate: bool = True,
        lock_timeout: str = "5s",
        schema: str | None = None,
    ) -> None:
        """Move ruvector column(s) back to pgvector's ``vector``, indexes mapped back."""
        operations.invoke(
            cls(
                table_name,
                column,
                strategy=strategy,
                validate=validate,
                lock_timeout=lock_timeout,
                schema=schema,
            )
        )

    def reverse(self) -> MigrateToRuVectorOp:
        return MigrateToRuVectorOp(self.table_name, self.column, **self._same_arguments())


class _MigrateSchemaOp(VectorOperation):
    target: str

    def __init__(
        self,
        schema: str | None = None,
        *,
        strategy: str = "in_place",
        validate: bool = True,
        lock_timeout: str = "5s",
    ) -> None:
        self.schema = schema
        self.strategy = strategy
        self.validate = validate
        self.lock_timeout = lock_timeout

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return (self.op_name, self.schema)

    def arguments(self) -> Arguments:
        return [], _kw(
            schema=(self.schema, None),
            strategy=(self.strategy, "in_place"),
            validate=(self.validate, True),
            lock_timeout=(self.lock_timeout, "5s"),
        )


@Operations.register_operation("migrate_schema_to_ruvector")
class MigrateSchemaToRuVectorOp(_MigrateSchemaOp):
    """Every pgvector column of a schema, planned together: refused as a whole if any
    table is refused, then migrated table by table, with a summary logged."""

    op_name = "migrate_schema_to_ruvector"
    target = "ruvector"

    @classmethod
    def migrate_schema_to_ruvector(
        cls,
        operations: Operations,
        schema: str | None = None,
        *,
        strategy: str = "in_place",
        validate: bool = True,
        lock_timeout: str = "5s",
    ) -> None:
        """Migrate every pgvector column of ``schema`` (the current schema when None)."""
        operations.invoke(
            cls(schema, strategy=strategy, validate=validate, lock_timeout=lock_timeout)
        )

    def reverse(self) -> MigrateSchemaToPgVectorOp:
        return MigrateSchemaToPgVectorOp(
            self.schema,
            strategy=self.strategy,
            validate=self.validate,
            lock_timeout=self.lock_timeout,
        )


@Operations.register_operation("migrate_schema_to_pgvector")
class MigrateSchemaToPgVectorOp(_MigrateSchemaOp):
    """Every ruvector column of a schema back to pgvector (reverse of the above; it
    also moves ruvector columns that were ruvector before the upgrade)."""

    op_name = "migrate_schema_to_pgvector"
    target = "pgvector"

    @classmethod
    def migrate_schema_to_pgvector(
        cls,
        operations: Operations,
        schema: str | None = None,
        *,
        strategy: str = "in_place",
        validate: bool = True,
        lock_timeout: str = "5s",
    ) -> None:
        """Migrate every ruvector column of ``schema`` to pgvector."""
        operations.invoke(
            cls(schema, strategy=strategy, validate=validate, lock_timeout=lock_timeout)
        )

    def reverse(self) -> MigrateSchemaToRuVectorOp:
        return MigrateSchemaToRuVectorOp(
            self.schema,
            strategy=self.strategy,
            validate=self.validate,
            lock_timeout=self.lock_timeout,
        )


# --- validation ----------------------------------------------------------------------


class _ColumnCheckOp(VectorOperation):
    def __init__(
        self,
        table_name: str,
        column: str,
        *,
        schema: str | None = None,
        samples: int = 5,
        k: int = 10,
    ) -> None:
        self.table_name = table_name
        self.column = column
        self.schema = schema
        self.samples = samples
        self.k = k

    def _fields(self) -> dict[str, Any]:
        return {"schema": self.schema, "samples": self.samples, "k": self.k}

    def to_diff_tuple(self) -> tuple[Any, ...]:
        return (self.op_name, self.schema, self.table_name, self.column)

    def arguments(self) -> Arguments:
        return [self.table_name, self.column], _kw(
            schema=(self.schema, None), samples=(self.samples, 5), k=(self.k, 10)
        )


@Operations.register_operation("snapshot_vector_column")
class SnapshotVectorColumnOp(_ColumnCheckOp):
    """Record the checksum a later ``validate_vector_migration`` compares against."""

    op_name = "snapshot_vector_column"

    @classmethod
    def snapshot_vector_column(
        cls,
        operations: Operations,
        table_name: str,
        column: str,
        *,
        schema: str | None = None,
        samples: int = 5,
        k: int = 10,
    ) -> None:
        """Take the "before" checksum of ``table_name.column`` (rows, NULLs, dims, a
        digest of every row's float32 values, exact top-k of sample queries)."""
        operations.invoke(cls(table_name, column, schema=schema, samples=samples, k=k))

    def reverse(self) -> ValidateVectorMigrationOp:
        # In a downgrade the order of operations is reversed: what was taken first is
        # checked last.
        return ValidateVectorMigrationOp(self.table_name, self.column, **self._fields())


@Operations.register_operation("validate_vector_migration")
class ValidateVectorMigrationOp(_ColumnCheckOp):
    """Compare ``table_name.column`` with the snapshot taken earlier in this migration
    run; a mismatch raises :class:`~alembic_ext.errors.ValidationMismatch` and the
    migration's transaction rolls back."""

    op_name = "validate_vector_migration"

    @classmethod
    def validate_vector_migration(
        cls,
        operations: Operations,
        table_name: str,
        column: str,
        *,
        schema: str | None = None,
        samples: int = 5,
        k: int = 10,
    ) -> None:
        """Prove ``table_name.column`` unchanged since ``op.snapshot_vector_column``:
        row count, NULL count, dims, exact float32 equality of every row, and exact
        top-k parity with index scans disabled."""
        operations.invoke(cls(table_name, column, schema=schema, samples=samples, k=k))

    def reverse(self) -> SnapshotVectorColumnOp:
        return SnapshotVectorColumnOp(self.table_name, self.column, **self._fields())
