"""Operations that move columns between pgvector and ruvector, and validate the move
(re-exported by :mod:`alembic_ext.ops`)."""

from __future__ import annotations

from typing import Any

from alembic.operations import Operations

from ._operation import Arguments, VectorOperation
from ._operation import non_defaults as _kw

__all__ = [
    "MigrateSchemaToPgVectorOp",
    "MigrateSchemaToRuVectorOp",
    "MigrateToPgVectorOp",
    "MigrateToRuVectorOp",
    "SnapshotVectorColumnOp",
    "ValidateVectorMigrationOp",
]

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
        batch_size: int | None = None,
        max_swap_retries: int | None = None,
        progress: bool | None = None,
        state_schema: str | None = None,
        shadow: str | None = None,
    ) -> None:
        self.table_name = table_name
        self.column = column
        self.strategy = strategy
        self.validate = validate
        self.lock_timeout = lock_timeout
        self.schema = schema
        #: strategy="online" options given explicitly (defaults left to the strategy)
        self.options: dict[str, Any] = {
            name: value
            for name, value in (
                ("batch_size", batch_size),
                ("max_swap_retries", max_swap_retries),
                ("progress", progress),
                ("state_schema", state_schema),
                ("shadow", shadow),
            )
            if value is not None
        }

    def _same_arguments(self) -> dict[str, Any]:
        return {
            "strategy": self.strategy,
            "validate": self.validate,
            "lock_timeout": self.lock_timeout,
            "schema": self.schema,
            **self.options,
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
            **{name: (value, None) for name, value in self.options.items()},
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
        batch_size: int | None = None,
        max_swap_retries: int | None = None,
        progress: bool | None = None,
        state_schema: str | None = None,
        shadow: str | None = None,
    ) -> None:
        """Move ``table_name.column`` (every pgvector column when ``column`` is None)
        from pgvector's ``vector(n)`` to ``ruvector(n)``, carrying each index over by an
        explicit mapping (hnsw -> the server's ruvector HNSW, ivfflat -> ruivfflat,
        ``vector_*_ops`` -> ``ruvector_*_ops``, same WITH/predicate/INCLUDE), or refuse
        before changing anything. ``strategy="in_place"`` rewrites the table in one
        transaction under an ACCESS EXCLUSIVE lock taken with ``lock_timeout``;
        ``validate=True`` proves the data unchanged (checksum of every row, exact top-k).
        ``strategy="online"`` moves it while writers run (a shadow table, or with
        ``shadow="column"`` a shadow column, kept in sync by a trigger; a copy of
        ``batch_size`` rows per transaction, indexes built CONCURRENTLY, a short swap
        retried ``max_swap_retries`` times), resumable after a crash from its state
        table in ``state_schema``; ``progress`` shows a tqdm bar."""
        operations.invoke(
            cls(
                table_name,
                column,
                strategy=strategy,
                validate=validate,
                lock_timeout=lock_timeout,
                schema=schema,
                batch_size=batch_size,
                max_swap_retries=max_swap_retries,
                progress=progress,
                state_schema=state_schema,
                shadow=shadow,
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
        batch_size: int | None = None,
        max_swap_retries: int | None = None,
        progress: bool | None = None,
        state_schema: str | None = None,
        shadow: str | None = None,
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
                batch_size=batch_size,
                max_swap_retries=max_swap_retries,
                progress=progress,
                state_schema=state_schema,
                shadow=shadow,
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
