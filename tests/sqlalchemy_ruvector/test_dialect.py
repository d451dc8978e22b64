"""The postgresql+ruvector dialects, the engine plugin, reflection, psycopg adapters."""

from __future__ import annotations

import asyncio

import numpy as np
import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import create_async_engine

from sqlalchemy_ruvector import (
    BinaryLayout,
    HalfVec,
    PgVector,
    RuVector,
    SparseVec,
    refresh_capabilities,
)
from sqlalchemy_ruvector.adapters import register_ruvector
from sqlalchemy_ruvector.capabilities import Capabilities
from sqlalchemy_ruvector.dialect import RuVectorDialect_psycopg_async
from tests.conftest import Database

EXPECTED = {
    # profile: (hnsw AM, <#> sign, has <+>, binary layout)
    "documented": ("ruhnsw", -1, True, BinaryLayout.PGVECTOR),
    "published-2.0.5": ("hnsw", 1, False, BinaryLayout.PGVECTOR),
    "real": ("hnsw", 1, False, BinaryLayout.RUVECTOR),
}


def test_capabilities_probe(caps: Capabilities, ruvector_db: Database) -> None:
    am, sign, l1, layout = EXPECTED[ruvector_db.profile]
    assert caps.probed and caps.has_extension
    assert (caps.hnsw_am, caps.ip_operator_sign, caps.has_l1_operator, caps.binary_layout) == (
        am,
        sign,
        l1,
        layout,
    )
    assert caps.ivfflat_am == "ruivfflat"
    assert "ruvector" in caps.types
    assert {"ruvector_l2_distance", "ruvector_dims", "ruvector_version"} <= caps.functions
    assert caps.is_compat == (ruvector_db.profile != "real")
    if caps.is_compat:
        assert caps.compat_profile == ruvector_db.profile


def test_probe_happens_once_per_engine(engine: sa.Engine) -> None:
    with engine.connect():
        first = engine.dialect.ruvector_capabilities  # type: ignore[attr-defined]
    with engine.connect(), engine.connect():
        pass
    assert engine.dialect.ruvector_capabilities is first  # type: ignore[attr-defined]


def test_reflection_maps_vector_types(pgvector_engine: sa.Engine) -> None:
    with pgvector_engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE refl (r ruvector(3), v vector(4), h halfvec(5), s sparsevec(6), "
            "free ruvector)"
        )
    try:
        columns = {c["name"]: c["type"] for c in sa.inspect(pgvector_engine).get_columns("refl")}
        table = sa.Table("refl", sa.MetaData(), autoload_with=pgvector_engine)
    finally:
        with pgvector_engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE refl")
    assert isinstance(columns["r"], RuVector) and columns["r"].dim == 3
    assert isinstance(columns["v"], PgVector) and columns["v"].dim == 4
    assert isinstance(columns["h"], HalfVec) and columns["h"].dim == 5
    assert isinstance(columns["s"], SparseVec) and columns["s"].dim == 6
    assert isinstance(columns["free"], RuVector) and columns["free"].dim is None
    assert isinstance(table.c.r.type, RuVector)


def test_plugin_on_plain_psycopg_url(ruvector_db: Database) -> None:
    engine = sa.create_engine(ruvector_db.url, plugins=["ruvector"])
    table = sa.Table(
        "plug",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("e", RuVector(3)),
    )
    try:
        table.create(engine)
        with engine.begin() as conn:
            conn.execute(table.insert(), [{"id": 1, "e": [1, 2, 3]}, {"id": 2, "e": [3, 2, 1]}])
            nearest = (
                conn.execute(sa.select(table.c.id).order_by(table.c.e.max_inner_product([0, 0, 1])))
                .scalars()
                .all()
            )
            value = conn.execute(sa.select(table.c.e).where(table.c.id == 1)).scalar_one()
        caps = engine.dialect.ruvector_capabilities  # type: ignore[attr-defined]
        reflected = sa.inspect(engine).get_columns("plug")[1]["type"]
    finally:
        table.drop(engine)
        engine.dispose()
    assert engine.dialect.driver == "psycopg"
    assert caps.probed and caps.has_extension
    assert nearest == [1, 2]  # largest dot product first, whatever <#>'s sign
    assert value.dtype == np.float32 and value.tolist() == [1, 2, 3]
    assert isinstance(reflected, RuVector) and reflected.dim == 3


def test_plugin_refuses_other_drivers() -> None:
    with pytest.raises(ValueError, match="needs postgresql\\+psycopg, not sqlite"):
        sa.create_engine("sqlite://", plugins=["ruvector"])


@pytest.mark.parametrize("driver", ["ruvector", "ruvector_async"])
def test_async_engine(ruvector_db: Database, driver: str) -> None:
    """Both spellings give our async dialect: probed, binary, reflecting vector types."""
    url = ruvector_db.url.replace("+psycopg", f"+{driver}", 1)
    table = sa.Table(
        "async_items",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("e", RuVector(2)),
    )

    async def scenario() -> tuple[list[int], np.ndarray, Capabilities]:
        engine = create_async_engine(url)
        assert type(engine.sync_engine.dialect) is RuVectorDialect_psycopg_async
        try:
            async with engine.begin() as conn:
                await conn.run_sync(table.create)
                reflected = await conn.run_sync(
                    lambda sync: sa.inspect(sync).get_columns("async_items")[1]["type"]
                )
                assert isinstance(reflected, RuVector) and reflected.dim == 2
                await conn.execute(table.insert(), [{"id": 1, "e": [0, 1]}, {"id": 2, "e": [5, 5]}])
                ids = (
                    (
                        await conn.execute(
                            sa.select(table.c.id).order_by(table.c.e.l2_distance([4, 4]))
                        )
                    )
                    .scalars()
                    .all()
                )
                value = (
                    await conn.execute(sa.select(table.c.e).where(table.c.id == 1))
                ).scalar_one()
                await conn.run_sync(table.drop)
            return list(ids), value, engine.sync_engine.dialect.ruvector_capabilities  # type: ignore[attr-defined]
        finally:
            await engine.dispose()

    ids, value, caps = asyncio.run(scenario())
    assert ids == [2, 1]
    assert value.dtype == np.float32 and value.tolist() == [0, 1]
    assert caps.has_extension


def test_engine_that_predates_the_extension(make_database: object, ruvector_db: Database) -> None:
    """Connect first, CREATE EXTENSION later: refresh_capabilities catches up."""
    db = make_database(ruvector_db.profile)  # type: ignore[operator]
    with db.connect() as conn:
        conn.execute("DROP EXTENSION ruvector")
    engine = sa.create_engine(db.url.replace("+psycopg", "+ruvector", 1))
    try:
        with engine.begin() as conn:
            assert not engine.dialect.ruvector_capabilities.has_extension  # type: ignore[attr-defined]
            conn.exec_driver_sql("CREATE EXTENSION ruvector")
            caps = refresh_capabilities(conn)
            conn.exec_driver_sql("CREATE TABLE late (e ruvector(2))")
            conn.execute(
                sa.text("INSERT INTO late VALUES (:e)").bindparams(
                    sa.bindparam("e", type_=RuVector(2))
                ),
                {"e": [1, 2]},
            )
            value = conn.execute(
                sa.select(sa.column("e", RuVector(2))).select_from(sa.table("late"))
            ).scalar_one()
    finally:
        engine.dispose()
    assert caps.has_extension
    assert value.tolist() == [1, 2]


def test_raw_psycopg_registration_and_binary_copy(ruvector_db: Database) -> None:
    data = np.random.default_rng(5).standard_normal((100, 6)).astype(np.float32)
    with psycopg.connect(ruvector_db.psycopg_url) as conn:
        caps = register_ruvector(conn)
        conn.execute("CREATE TEMP TABLE copy_items (id int, e ruvector(6))")
        with conn.cursor().copy("COPY copy_items (id, e) FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int4", "ruvector"])
            for i, row in enumerate(data):
                copy.write_row((i, row))
        got = conn.execute("SELECT e FROM copy_items ORDER BY id").fetchall()
        nearest = conn.execute(
            "SELECT id FROM copy_items ORDER BY e <-> %s LIMIT 1", (data[42],)
        ).fetchone()
        with conn.cursor(binary=True) as cur:
            binary = cur.execute("SELECT e FROM copy_items ORDER BY id").fetchall()
        arrays = conn.execute("SELECT array_agg(e ORDER BY id) FROM copy_items").fetchone()
    assert caps.has_extension
    assert all(g[0].tobytes() == d.tobytes() for g, d in zip(got, data, strict=True))
    assert all(b[0].tobytes() == d.tobytes() for b, d in zip(binary, data, strict=True))
    assert nearest == (42,)
    assert (
        arrays is not None and len(arrays[0]) == 100 and arrays[0][3].tobytes() == data[3].tobytes()
    )


def test_raw_async_psycopg_registration_matches_sync(ruvector_db: Database) -> None:
    """The async registration probes to the same capabilities as the sync one, in as
    many queries, leaves the connection idle, and its adapters round-trip vectors."""
    import asyncio

    from sqlalchemy_ruvector.adapters import register_ruvector_async
    from sqlalchemy_ruvector.capabilities import probe, probe_async

    data = np.random.default_rng(6).standard_normal((5, 6)).astype(np.float32)
    with psycopg.connect(ruvector_db.psycopg_url) as conn:
        sync_caps = register_ruvector(conn)
        sync_queries: list[str] = []

        def run(query: str) -> list[tuple[object, ...]]:
            sync_queries.append(query)
            return conn.execute(query).fetchall()

        probe(run)

    async def main() -> tuple[Capabilities, list[str], bool, list[bytes]]:
        async with await psycopg.AsyncConnection.connect(ruvector_db.psycopg_url) as aconn:
            caps = await register_ruvector_async(aconn)
            idle = aconn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            queries: list[str] = []

            async def arun(query: str) -> list[tuple[object, ...]]:
                queries.append(query)
                cur = await aconn.execute(query)
                return await cur.fetchall()

            await probe_async(arun)
            await aconn.execute("CREATE TEMP TABLE a_items (id int, e ruvector(6))")
            for i, row in enumerate(data):
                await aconn.execute("INSERT INTO a_items VALUES (%s, %s)", (i, row))
            cur = await aconn.execute("SELECT e FROM a_items ORDER BY id")
            got = [r[0].tobytes() for r in await cur.fetchall()]
            return caps, queries, idle, got

    caps, queries, idle, got = asyncio.run(main())
    assert caps == sync_caps and caps.has_extension
    assert queries == sync_queries  # each query sent once, in the sync probe's order
    assert idle
    assert got == [row.tobytes() for row in data]


def test_binary_results_match_text_results(engine: sa.Engine) -> None:
    """Vector-bearing results of safe types come over the binary protocol; they
    must be indistinguishable from the text protocol's."""
    from decimal import Decimal
    from uuid import UUID

    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TYPE mood AS ENUM ('happy', 'sad')")
        conn.exec_driver_sql(
            "CREATE TABLE bin_items (id bigint PRIMARY KEY, price numeric(10, 2), ok boolean, "
            "u uuid, blob bytea, e ruvector(3), mood mood, note text)"
        )
        conn.exec_driver_sql(
            "INSERT INTO bin_items VALUES (1, 9.99, true, "
            "'12345678-1234-5678-1234-567812345678', '\\x0102', '[1,2.5,-3]', 'happy', 'hi')"
        )
    table = sa.Table(
        "bin_items",
        sa.MetaData(),
        sa.Column("id", sa.BigInteger, primary_key=True),
        sa.Column("price", sa.Numeric(10, 2)),
        sa.Column("ok", sa.Boolean),
        sa.Column("u", sa.Uuid),
        sa.Column("blob", sa.LargeBinary),
        sa.Column("e", RuVector(3)),
        sa.Column("mood", sa.String),  # an enum mapped as String: must stay str
        sa.Column("note", sa.Text),
    )
    safe = sa.select(table.c.id, table.c.price, table.c.ok, table.c.u, table.c.blob, table.c.e)
    try:
        with engine.connect() as conn:
            binary = conn.execute(safe).one()
            text = conn.execute(safe.execution_options(ruvector_binary_results=False)).one()
            mixed = conn.execute(sa.select(table.c.e, table.c.mood, table.c.note)).one()
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE bin_items")
            conn.exec_driver_sql("DROP TYPE mood")
    for got in (binary, text):
        assert got.id == 1 and got.price == Decimal("9.99") and got.ok is True
        assert got.u == UUID("12345678-1234-5678-1234-567812345678")
        assert got.blob == b"\x01\x02"
        assert got.e.dtype == np.float32 and got.e.tolist() == [1.0, 2.5, -3.0]
    assert mixed.mood == "happy" and mixed.note == "hi"
    assert mixed.e.tolist() == [1.0, 2.5, -3.0]


def test_arrays_of_pgvector_types(pgvector_engine: sa.Engine) -> None:
    """Arrays of our types over pgvector's SQL types decode, although only the
    ruvector type has psycopg loaders on our engines."""
    table = sa.Table(
        "vector_arrays",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("vs", postgresql.ARRAY(PgVector(2), dimensions=1)),
        sa.Column("hs", postgresql.ARRAY(HalfVec(2), dimensions=1)),
        sa.Column("ss", postgresql.ARRAY(SparseVec(3), dimensions=1)),
        sa.Column("rs", postgresql.ARRAY(RuVector(2), dimensions=1)),
    )
    table.create(pgvector_engine)
    try:
        with pgvector_engine.begin() as conn:
            conn.execute(
                table.insert(),
                {"id": 1, "vs": [[1, 2], [3, 4]], "hs": [[1, 2]], "ss": [{0: 1.5}], "rs": [[5, 6]]},
            )
            row = conn.execute(sa.select(table)).one()
    finally:
        table.drop(pgvector_engine)
    assert [v.tolist() for v in row.vs] == [[1, 2], [3, 4]]
    assert [v.tolist() for v in row.hs] == [[1, 2]]
    assert [v.to_dict() for v in row.ss] == [{0: 1.5}]
    assert [v.tolist() for v in row.rs] == [[5, 6]]
