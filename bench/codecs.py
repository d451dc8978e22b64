"""Bulk insert / fetch throughput of our vector path against pgvector-python and raw psycopg.

Run: python bench/codecs.py [--rows 100000] [--dim 384] [--repeat 3]
                            [--profile documented|published-2.0.5]

Four paths, each timed end to end (client encode/decode, driver, server, commit):

* ORM insert   ``session.execute(insert(Model), list_of_dicts)`` + commit
* Core insert  ``conn.execute(table.insert(), rows)`` (executemany) + commit
* ORM fetch    ``session.scalars(select(Model)).all()`` (fresh session)
* Core fetch   ``conn.execute(select(table)).all()``

against

* pgvector-python: its SQLAlchemy ``VECTOR(dim)`` on plain ``postgresql+psycopg``, used the
  way its README says (``--pgvector-register`` also calls ``pgvector.psycopg.register_vector``
  on every connection), on a pgvector ``vector(dim)`` column;
* raw psycopg 3: multi-row ``VALUES`` (1000 rows per statement) with ``%b`` binary
  parameters and a hand-written numpy dumper, and a ``cursor(binary=True)`` fetch decoded to
  float32 arrays: the ceiling for anything that is not COPY. One raw insert and one raw fetch
  serve as the ceiling of both the ORM and the Core path.

Ours and raw psycopg use a ``ruvector(dim)`` column of the same table shape
(``id integer primary key, embedding``; no index on the vector column). With the default
profile (``documented``) all three run in one database with both ``CREATE EXTENSION
vector`` and ``ruvector``; with ``--profile published-2.0.5`` ours and raw run in a
database of that profile (which cannot hold pgvector) and pgvector-python in a separate
database with only ``vector``. Tables are truncated before every insert. Figures are the
median of ``--repeat`` runs, interleaved round-robin between the implementations so that
machine noise hits all of them alike. pgvector-python is measured on ``--baseline-rows``
rows (default: at most 10,000) because its text path would take minutes at 100k.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import struct
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import psycopg
import sqlalchemy as sa
from psycopg.adapt import Dumper, Loader
from psycopg.pq import Format
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from sqlalchemy_ruvector import RuVector
from sqlalchemy_ruvector.server import start

try:
    from pgvector.sqlalchemy import VECTOR
except ImportError:  # pragma: no cover - optional (pip install pgvector / the bench extra)
    VECTOR = None

RAW_BATCH = 1000
PATHS = ("ORM insert", "Core insert", "ORM fetch", "Core fetch")


# --------------------------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------------------------


def make_models(dim: int) -> tuple[Any, Any, sa.Table]:
    class OursBase(DeclarativeBase):
        pass

    class Ours(OursBase):
        __tablename__ = "bench_ours"
        id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
        embedding: Mapped[np.ndarray] = mapped_column(RuVector(dim))

    raw = sa.Table(
        "bench_raw",
        OursBase.metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("embedding", RuVector(dim)),
    )

    if VECTOR is None:
        return Ours, None, raw

    class PgvBase(DeclarativeBase):
        pass

    class Pgv(PgvBase):
        __tablename__ = "bench_pgvector"
        id: Mapped[int] = mapped_column(sa.Integer, primary_key=True, autoincrement=False)
        embedding: Mapped[list[float]] = mapped_column(VECTOR(dim))

    return Ours, Pgv, raw


def id_only_model(table: sa.Table) -> Any:
    """An entity mapping only the id column of ``table`` (cached per table)."""
    cached = _ID_ONLY.get(table.name)
    if cached is None:

        class IdBase(DeclarativeBase):
            pass

        class IdOnly(IdBase):
            __table__ = sa.Table(
                table.name, IdBase.metadata, sa.Column("id", sa.Integer, primary_key=True)
            )

        cached = _ID_ONLY[table.name] = IdOnly
    return cached


_ID_ONLY: dict[str, Any] = {}


# --------------------------------------------------------------------------------------------
# one implementation = insert_orm / insert_core / fetch_orm / fetch_core callables
# --------------------------------------------------------------------------------------------


class SAImpl:
    """Ours or pgvector-python: the same SQLAlchemy code on different engines/types."""

    def __init__(
        self, name: str, engine: sa.Engine, model: Any, rows: list[dict[str, Any]]
    ) -> None:
        self.name, self.engine, self.model, self.rows = name, engine, model, rows
        self.table: sa.Table = model.__table__
        self.n = len(rows)

    def truncate(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.text(f"TRUNCATE {self.table.name}"))

    def insert_orm(self) -> None:
        with Session(self.engine) as session:
            session.execute(sa.insert(self.model), self.rows)
            session.commit()

    def insert_core(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(self.table.insert(), self.rows)

    def fetch_orm(self) -> None:
        with Session(self.engine) as session:
            objs = session.scalars(sa.select(self.model)).all()
        assert len(objs) == self.n, len(objs)

    def fetch_core(self) -> None:
        with self.engine.connect() as conn:
            got = conn.execute(sa.select(self.table)).all()
        assert len(got) == self.n, len(got)

    def fetch_orm_without_gc(self) -> None:
        """ORM fetch with Python's cyclic GC paused: how much of the ORM cost is GC."""
        gc.disable()
        try:
            self.fetch_orm()
        finally:
            gc.enable()

    def fetch_orm_ids_only(self) -> None:
        """SQLAlchemy's own ORM floor: entities of the same rows without the vector."""
        ids_only = id_only_model(self.table)
        with Session(self.engine) as session:
            objs = session.scalars(sa.select(ids_only)).all()
        assert len(objs) == self.n, len(objs)


class RawImpl:
    """Raw psycopg 3: binary multi-row VALUES and a binary fetch into float32 arrays."""

    name = "raw psycopg"

    def __init__(self, conninfo: str, table: str, matrix: np.ndarray) -> None:
        self.conn = psycopg.connect(conninfo)
        self.table = table
        self.matrix = matrix
        self.n = matrix.shape[0]
        with self.conn.cursor() as cur:
            cur.execute("SELECT 'ruvector'::regtype::oid, length(ruvector_send('[1]'::ruvector))")
            oid, one_len = cur.fetchone()  # type: ignore[misc]
        self.conn.commit()
        header = struct.Struct(">HH" if one_len == 8 else ">H")
        hdr_size = self.hdr_size = header.size
        dim = matrix.shape[1]
        head = header.pack(dim, 0) if hdr_size == 4 else header.pack(dim)
        be = np.dtype(">f4")

        class NdarrayDumper(Dumper):
            format = Format.BINARY

            def dump(self, obj: Any) -> bytes:
                return head + obj.astype(be).tobytes()

        NdarrayDumper.oid = oid

        class VecLoader(Loader):
            format = Format.BINARY

            def load(self, data: Any) -> Any:
                return np.frombuffer(data, dtype=be, offset=hdr_size).astype(np.float32)

        self.conn.adapters.register_dumper(np.ndarray, NdarrayDumper)
        self.conn.adapters.register_loader(oid, VecLoader)
        self.ids = list(range(self.n))
        self.vecs = list(matrix)

    def _values_sql(self, k: int) -> str:
        values = ",".join(["(%b,%b)"] * k)
        return f"INSERT INTO {self.table} (id, embedding) VALUES {values}"

    def truncate(self) -> None:
        self.conn.execute(f"TRUNCATE {self.table}")
        self.conn.commit()

    def insert(self) -> None:
        ids, vecs = self.ids, self.vecs
        full = self._values_sql(RAW_BATCH)
        with self.conn.cursor() as cur:
            for start in range(0, self.n, RAW_BATCH):
                stop = min(start + RAW_BATCH, self.n)
                params: list[Any] = [None] * (2 * (stop - start))
                params[0::2] = ids[start:stop]
                params[1::2] = vecs[start:stop]
                query = full if stop - start == RAW_BATCH else self._values_sql(stop - start)
                cur.execute(query, params)
        self.conn.commit()

    def insert_executemany(self) -> None:
        """Reference: psycopg's own executemany (pipelined one-row INSERTs, binary
        parameters), which is what SQLAlchemy's executemany calls on psycopg."""
        with self.conn.cursor() as cur:
            cur.executemany(
                f"INSERT INTO {self.table} (id, embedding) VALUES (%b, %b)",
                list(zip(self.ids, self.vecs, strict=True)),
            )
        self.conn.commit()

    def fetch_send_text(self) -> None:
        """Reference: the text-protocol fetch of ``ruvector_send(col)`` (bytea, hex-decoded
        by psycopg) that our column types issue, decoded to float32 here."""
        be, hdr = np.dtype(">f4"), self.hdr_size
        with self.conn.cursor() as cur:
            cur.execute(f"SELECT id, ruvector_send(embedding) FROM {self.table}")
            got = [
                (i, np.frombuffer(b, dtype=be, offset=hdr).astype(np.float32))
                for i, b in cur.fetchall()
            ]
        self.conn.commit()
        assert len(got) == self.n, len(got)

    def fetch(self) -> None:
        with self.conn.cursor(binary=True) as cur:
            cur.execute(f"SELECT id, embedding FROM {self.table}")
            got = cur.fetchall()
        self.conn.commit()
        assert len(got) == self.n, len(got)
        assert got[0][1].dtype == np.float32

    def close(self) -> None:
        self.conn.close()


# --------------------------------------------------------------------------------------------
# timing
# --------------------------------------------------------------------------------------------


def timed(fn: Callable[[], None], before: Callable[[], None] | None = None) -> tuple[float, float]:
    """(wall seconds, client CPU seconds) of one call of ``fn``."""
    if before is not None:
        before()
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - t0, time.process_time() - c0


def fmt_rate(rate: float | None) -> str:
    if rate is None:
        return "-"
    return f"{rate / 1000:,.1f}k" if rate < 100_000 else f"{rate / 1000:,.0f}k"


def fmt_ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "-"
    return f"{a / b:.2f}x"


Times = dict[tuple[str, str], list[tuple[float, float]]]


def report(times: Times, ours: SAImpl, raw: RawImpl, pgv: SAImpl | None) -> None:
    """Median rows/s (wall clock) with ratios, then median client CPU per row."""

    def median(path: str, impl: Any, which: int) -> float | None:
        ts = times.get((path, impl.name)) if impl is not None else None
        return statistics.median(t[which] for t in ts) if ts else None

    def rate(path: str, impl: Any) -> float | None:
        t = median(path, impl, 0)
        return impl.n / t if t else None

    def cpu_us(path: str, impl: Any) -> str:
        t = median(path, impl, 1)
        return "-" if t is None else f"{t / impl.n * 1e6:.1f}"

    cols = ("path", "ours", "raw psycopg", "pgvector-py", "ours/raw", "ours/pgv", "goal")
    widths = (12, 9, 12, 12, 9, 9, 6)

    def line(cells: tuple[str, ...]) -> str:
        return " ".join(
            f"{c:<{w}}" if i == 0 else f"{c:>{w}}"
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    head = line(cols)
    print()
    print("throughput, rows/s (median wall clock; ratios of rows/s)")
    print(head)
    print("-" * len(head))
    for path in PATHS:
        raw_path = "raw insert" if "insert" in path else "raw fetch"
        r_ours, r_raw, r_pgv = rate(path, ours), rate(raw_path, raw), rate(path, pgv)
        goal = "-"
        if r_ours and r_raw:
            met = r_ours >= 0.7 * r_raw
            if "insert" in path and r_pgv:
                met = met and r_ours >= 10 * r_pgv
            goal = "met" if met else "MISSED"
        cells = (
            path,
            fmt_rate(r_ours),
            fmt_rate(r_raw),
            fmt_rate(r_pgv),
            fmt_ratio(r_ours, r_raw),
            fmt_ratio(r_ours, r_pgv),
            goal,
        )
        print(line(cells))
    print("goals: insert >= 0.7x raw and >= 10x pgvector-python; fetch >= 0.7x raw binary fetch")
    print()
    print("client CPU per row, us (median; this process only, the server's work excluded)")
    for path in PATHS:
        raw_path = "raw insert" if "insert" in path else "raw fetch"
        print(
            f"{path:<12} ours {cpu_us(path, ours):>6}   raw {cpu_us(raw_path, raw):>6}   "
            f"pgvector-py {cpu_us(path, pgv):>6}"
        )
    print()
    print("driver-level references (what SQLAlchemy drives on psycopg; not ceilings):")
    r_em, r_tb = rate("raw executemany", raw), rate("raw fetch, text bytea", raw)
    r_oi, r_ci = rate("ORM insert", ours), rate("Core insert", ours)
    r_of, r_cf = rate("ORM fetch", ours), rate("Core fetch", ours)
    print(
        f"  psycopg executemany, %b pipelined: {fmt_rate(r_em):>7} rows/s, "
        f"cpu {cpu_us('raw executemany', raw)} us/row; ours ORM/this {fmt_ratio(r_oi, r_em)}, "
        f"Core/this {fmt_ratio(r_ci, r_em)}"
    )
    print(
        f"  text-protocol fetch of ruvector_send(): {fmt_rate(r_tb):>7} rows/s, "
        f"cpu {cpu_us('raw fetch, text bytea', raw)} us/row; ours ORM/this "
        f"{fmt_ratio(r_of, r_tb)}, Core/this {fmt_ratio(r_cf, r_tb)}"
    )
    r_floor = rate("ORM fetch, ids only", ours)
    print(
        f"  ORM entities of the same rows without the vector column: {fmt_rate(r_floor):>7} "
        f"rows/s, cpu {cpu_us('ORM fetch, ids only', ours)} us/row; ours ORM fetch/this "
        f"{fmt_ratio(r_of, r_floor)}"
    )
    r_nogc = rate("ORM fetch, gc paused", ours)
    print(
        f"  ours ORM fetch with Python's cyclic GC paused: {fmt_rate(r_nogc):>7} rows/s, "
        f"cpu {cpu_us('ORM fetch, gc paused', ours)} us/row; this/raw binary fetch "
        f"{fmt_ratio(r_nogc, rate('raw fetch', raw))}"
    )
    print()
    spread = []
    for (path, name), ts in times.items():
        n = pgv.n if pgv is not None and name == pgv.name else ours.n
        lo, hi = n / max(t[0] for t in ts), n / min(t[0] for t in ts)
        spread.append(f"{path}/{name} {fmt_rate(lo)}..{fmt_rate(hi)}")
    print("spread (rows/s, slowest..fastest run): " + "; ".join(spread))


def check_round_trip(engine: sa.Engine, model: Any, matrix: np.ndarray) -> None:
    """Bit-exact: what we fetch is what we inserted."""
    with Session(engine) as session:
        got = session.execute(
            sa.select(model.id, model.embedding).order_by(model.id).limit(50)
        ).all()
    for i, vec in got:
        assert vec.dtype == np.float32 and np.array_equal(
            vec.view(np.uint32), matrix[i].view(np.uint32)
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--baseline-rows",
        type=int,
        default=None,
        help="rows for pgvector-python (default: min(rows, 10000))",
    )
    parser.add_argument(
        "--profile", choices=("documented", "published-2.0.5"), default="documented"
    )
    parser.add_argument(
        "--pgvector-register",
        action="store_true",
        help="also call pgvector.psycopg.register_vector on pgvector-python's connections",
    )
    parser.add_argument("--no-pgvector", action="store_true", help="skip pgvector-python")
    parser.add_argument(
        "--insertmanyvalues",
        action="store_true",
        help="ours: set use_insertmanyvalues_wo_returning on the dialect (multi-row VALUES "
        "for executemany instead of psycopg's pipelined one-row INSERTs)",
    )
    args = parser.parse_args(argv)
    n, dim, repeat = args.rows, args.dim, args.repeat
    n_base = min(n, 10_000) if args.baseline_rows is None else min(n, args.baseline_rows)
    use_pgv = VECTOR is not None and not args.no_pgvector

    rng = np.random.default_rng(0)
    matrix = rng.standard_normal((n, dim), dtype=np.float32)
    rows = [{"id": i, "embedding": v} for i, v in enumerate(matrix)]
    Ours, Pgv, raw_table = make_models(dim)

    print(f"starting the embedded server (profile {args.profile}) ...", flush=True)
    server = start()
    try:
        if args.profile == "documented":
            url = server.create_database(
                "bench", profile="documented", extensions=("vector", "ruvector")
            )
            pgv_url = url
            where = "one database with CREATE EXTENSION vector and ruvector (profile documented)"
        else:
            url = server.create_database("bench", profile=args.profile, extensions=("ruvector",))
            pgv_url = server.create_database(
                "bench_pgvector", profile="documented", extensions=("vector",)
            )
            where = (
                f"ours + raw: database 'bench' (profile {args.profile}, ruvector only); "
                "pgvector-python: database 'bench_pgvector' (CREATE EXTENSION vector only)"
            )
        ours_engine = sa.create_engine(
            url.replace("postgresql+psycopg://", "postgresql+ruvector://", 1)
        )
        if args.insertmanyvalues:
            ours_engine.dialect.use_insertmanyvalues_wo_returning = True
        Ours.metadata.create_all(ours_engine)
        ours = SAImpl("ours", ours_engine, Ours, rows)
        raw = RawImpl(server.url_for("bench", driver=None), raw_table.name, matrix)

        impls: list[Any] = [ours, raw]
        pgv: SAImpl | None = None
        if use_pgv:
            pgv_engine = sa.create_engine(pgv_url)
            if args.pgvector_register:
                from pgvector.psycopg import register_vector

                sa.event.listen(
                    pgv_engine, "connect", lambda dbapi_conn, _rec: register_vector(dbapi_conn)
                )
            Pgv.metadata.create_all(pgv_engine)
            pgv = SAImpl("pgvector-python", pgv_engine, Pgv, rows[:n_base])
            impls.append(pgv)

        caps = getattr(ours_engine.dialect, "ruvector_capabilities", None)
        print(f"rows {n:,} x dim {dim}, float32; median of {repeat}; {where}")
        if caps is not None:
            print(f"server: {caps.server_version}; binary layout {caps.binary_layout.value}")
        imv = ours_engine.dialect.use_insertmanyvalues_wo_returning
        print(
            "ours: executemany as "
            + ("multi-row VALUES (insertmanyvalues)" if imv else "psycopg pipelined INSERTs")
            + f"; raw: {RAW_BATCH}-row VALUES with %b"
        )
        if pgv is not None:
            how = "VECTOR + register_vector" if args.pgvector_register else "VECTOR (README usage)"
            print(
                f"pgvector-python {how}, measured on {n_base:,} rows"
                + (" (its text path is too slow for the full run)" if n_base < n else "")
            )

        # warm-up: connections, probes, statement caches
        for impl in impls:
            impl.truncate()
        small = rows[: min(n, 2000)]
        for impl in (ours, pgv):
            if impl is not None:
                saved, impl.rows = impl.rows, small
                impl.insert_orm()
                impl.truncate()
                impl.rows = saved
        times: Times = {}

        def run(
            path: str, impl: Any, fn: Callable[[], None], before: Callable[[], None] | None
        ) -> None:
            times.setdefault((path, impl.name), []).append(timed(fn, before))

        for _ in range(repeat):
            run("ORM insert", ours, ours.insert_orm, ours.truncate)
            run("raw insert", raw, raw.insert, raw.truncate)
            if pgv is not None:
                run("ORM insert", pgv, pgv.insert_orm, pgv.truncate)
        for _ in range(repeat):
            run("Core insert", ours, ours.insert_core, ours.truncate)
            run("raw insert", raw, raw.insert, raw.truncate)
            if pgv is not None:
                run("Core insert", pgv, pgv.insert_core, pgv.truncate)
        check_round_trip(ours_engine, Ours, matrix)
        for _ in range(repeat):
            run("ORM fetch", ours, ours.fetch_orm, None)
            run("raw fetch", raw, raw.fetch, None)
            if pgv is not None:
                run("ORM fetch", pgv, pgv.fetch_orm, None)
        for _ in range(repeat):
            run("Core fetch", ours, ours.fetch_core, None)
            run("raw fetch", raw, raw.fetch, None)
            if pgv is not None:
                run("Core fetch", pgv, pgv.fetch_core, None)
        for _ in range(repeat):  # driver-level references
            run("ORM fetch, ids only", ours, ours.fetch_orm_ids_only, None)
            run("ORM fetch, gc paused", ours, ours.fetch_orm_without_gc, None)
            run("raw fetch, text bytea", raw, raw.fetch_send_text, None)
            run("raw executemany", raw, raw.insert_executemany, raw.truncate)

        report(times, ours, raw, pgv)
        raw.close()
        ours_engine.dispose()
        if pgv is not None:
            pgv.engine.dispose()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
