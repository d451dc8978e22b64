"""Installing and removing ruvector, and the one way it can clash with pgvector.

ruvector 2.0.5's default install script names its HNSW access method ``hnsw``, the
name pgvector's HNSW already has; access-method names are database-wide, so the two
cannot be installed in one database there. That is detected (by the server's own
answer, in a savepoint that is rolled back) and turned into instructions.
"""

from __future__ import annotations

from typing import Final

import psycopg

from sqlalchemy_ruvector.capabilities import Capabilities

from ._db import Db
from ._sql import ident, literal
from .errors import ExtensionConflict, MigrationRefused, Refusal

__all__ = [
    "CONFLICT_STEPS",
    "capabilities_once_installed",
    "create_extension",
    "drop_extension",
    "ensure_installable",
    "installed",
]

CONFLICT_STEPS: Final = (
    'This ruvector build names its HNSW access method "hnsw", which pgvector\'s HNSW '
    "already has in this database, and access-method names are database-wide: the two "
    "extensions cannot be installed together here, so the in-place migration cannot run "
    "in this database. Do one of:\n"
    "    1. install a ruvector build whose HNSW access method is named ruhnsw "
    "(CREATE EXTENSION ruvector VERSION '2.0.0' on ruvector-postgres >= 2.0.1), then "
    "run this migration again; or\n"
    "    2. move to a new database that has ruvector and not pgvector: create the schema "
    "there with ruvector(n) columns (run your migrations with the models on RuVector), "
    "copy the rows with the vectors as text (COPY (SELECT ..., embedding::text ...) TO "
    "STDOUT, then COPY ... FROM STDIN: the two text formats are the same), build the "
    "indexes, check the copy with alembic_ext.validate, and point the application at the "
    "new database.\n"
    "Nothing was changed."
)

_OWNED_COLUMNS: Final = """
SELECT format('%I.%I.%I (%s)', n.nspname, c.relname, a.attname,
              format_type(a.atttypid, a.atttypmod))
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid AND c.relkind NOT IN ('i', 'I')
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_type t ON t.oid = a.atttypid
 WHERE a.attnum > 0 AND NOT a.attisdropped
   AND EXISTS (SELECT FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                WHERE d.classid = 'pg_type'::regclass AND d.deptype = 'e'
                  AND e.extname = %(ext)s AND d.objid IN (t.oid, t.typelem))
 ORDER BY 1
"""


def installed(db: Db, name: str = "ruvector") -> str | None:
    """The installed version of extension ``name``, or None."""
    version: str | None = db.scalar(
        "SELECT extversion FROM pg_extension WHERE extname = %(n)s", {"n": name}
    )
    return version


def _is_conflict(exc: psycopg.Error) -> bool:
    return 'access method "hnsw" already exists' in str(exc)


def _create_sql(schema: str | None, version: str | None, if_not_exists: bool) -> str:
    sql = "CREATE EXTENSION " + ("IF NOT EXISTS " if if_not_exists else "") + "ruvector"
    if schema is not None:
        sql += f" SCHEMA {ident(schema)}"
    if version is not None:
        sql += f" VERSION {literal(version)}"
    return sql


def _try_create(db: Db, sql: str, *, keep: bool) -> None:
    db.execute("SAVEPOINT alembic_ext_extension")
    try:
        db.execute(sql)
    except psycopg.Error as exc:
        db.execute("ROLLBACK TO SAVEPOINT alembic_ext_extension")
        if _is_conflict(exc) and installed(db, "vector") is not None:
            raise ExtensionConflict(
                "CREATE EXTENSION ruvector",
                [Refusal("ruvector and pgvector in one database", CONFLICT_STEPS)],
            ) from exc
        raise
    db.execute(
        "RELEASE SAVEPOINT alembic_ext_extension"
        if keep
        else "ROLLBACK TO SAVEPOINT alembic_ext_extension"
    )


def ensure_installable(db: Db) -> None:
    """Where ruvector is missing: find out (in a savepoint that is rolled back) whether
    it can be installed here, raising :class:`ExtensionConflict` with the steps to take
    when pgvector is in the way, and :class:`MigrationRefused` when it just is not
    installed yet."""
    if installed(db) is not None:
        return
    available = db.scalar("SELECT 1 FROM pg_available_extensions WHERE name = 'ruvector'")
    if available is None:
        raise MigrationRefused(
            "migrate_to_ruvector",
            [
                Refusal(
                    "extension ruvector",
                    "is not available on this server: install ruvector-postgres there first",
                )
            ],
        )
    _try_create(db, _create_sql(None, None, False), keep=False)
    raise MigrationRefused(
        "migrate_to_ruvector",
        [
            Refusal(
                "extension ruvector",
                "is not installed in this database: run "
                "op.create_ruvector_extension() before op.migrate_to_ruvector()",
            )
        ],
    )


def create_extension(
    db: Db, *, schema: str | None = None, version: str | None = None, if_not_exists: bool = True
) -> None:
    _try_create(db, _create_sql(schema, version, if_not_exists), keep=True)


def drop_extension(db: Db, *, if_exists: bool = True) -> None:
    """DROP EXTENSION ruvector, refusing (naming them) while columns of its types exist."""
    if installed(db) is None:
        if if_exists:
            return
        raise MigrationRefused(
            "drop_ruvector_extension", [Refusal("extension ruvector", "is not installed")]
        )
    columns = [r[0] for r in db.rows(_OWNED_COLUMNS, {"ext": "ruvector"})]
    if columns:
        raise MigrationRefused(
            "drop_ruvector_extension",
            [Refusal(c, "still uses a ruvector type; migrate or drop it first") for c in columns],
        )
    db.execute("DROP EXTENSION " + ("IF EXISTS " if if_exists else "") + "ruvector")


def capabilities_once_installed(db: Db) -> Capabilities:
    """What the server would offer with ruvector installed: installed and probed in a
    savepoint that is rolled back (for planning before the extension exists)."""
    if installed(db) is not None:
        return db.capabilities()
    db.execute("SAVEPOINT alembic_ext_probe")
    try:
        _try_create(db, _create_sql(None, None, False), keep=True)
        return db.capabilities()
    finally:
        db.execute("ROLLBACK TO SAVEPOINT alembic_ext_probe")
