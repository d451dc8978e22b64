"""The ruvector compatibility layer, profile by profile.

Each expectation is stated for ``documented``, ``published-2.0.5`` and ``real`` (a
real ruvector-postgres 2.0.5 under RUVECTOR_TEST_URL, per the SQL-surface spec), so
what differs between the profiles is asserted, not skipped.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import psycopg
import pytest

from tests.conftest import REAL_URL, Database

HNSW_AM = {"documented": "ruhnsw", "published-2.0.5": "hnsw", "real": "hnsw"}
# Sign of <#> relative to the dot product.
IP_SIGN = {"documented": -1.0, "published-2.0.5": 1.0, "real": 1.0}
HAS_L1_OPERATOR = {"documented": True, "published-2.0.5": False, "real": False}
# Binary send: pgvector's layout (dim, pad, floats) in the compat layer, none pad in 2.0.5.
SEND_HEADER = {"documented": 4, "published-2.0.5": 4, "real": 2}


def vec(values: np.ndarray | list[float]) -> str:
    return "[" + ",".join(repr(float(x)) for x in np.asarray(values, dtype=np.float32)) + "]"


def scalar(db: Database, query: str, *params: object) -> object:
    with db.connect() as conn:
        row = conn.execute(query, params).fetchone()
    assert row is not None
    return row[0]


def test_version_names_the_layer(ruvector_db: Database) -> None:
    version = scalar(ruvector_db, "SELECT ruvector_version()")
    extversion = scalar(
        ruvector_db, "SELECT extversion FROM pg_extension WHERE extname = 'ruvector'"
    )
    assert isinstance(version, str) and version
    if ruvector_db.is_real:
        assert "compat" not in version
        return
    assert "compat" in version and "compat" in str(extversion)
    assert "pgvector 0." in version
    assert ruvector_db.profile in version
    assert scalar(ruvector_db, "SELECT ruvector_compat_profile()") == ruvector_db.profile


def test_info_functions(ruvector_db: Database) -> None:
    assert isinstance(scalar(ruvector_db, "SELECT ruvector_simd_info()"), str)
    stats = scalar(ruvector_db, "SELECT ruvector_memory_stats()")
    assert isinstance(stats, dict)
    assert {
        "index_memory_mb",
        "vector_cache_mb",
        "quantization_tables_mb",
        "total_extension_mb",
    } <= set(stats)


def test_text_round_trip_and_functions(ruvector_db: Database) -> None:
    with ruvector_db.connect() as conn:
        row = conn.execute(
            "SELECT '[1,2.5,-3]'::ruvector::text, ruvector_dims('[1,2,3]'), "
            "ruvector_norm('[3,4]'), ruvector_normalize('[3,4]')::text, "
            "ruvector_l2_distance('[0,0]', '[3,4]'), ruvector_cosine_distance('[1,0]', '[0,1]'), "
            "ruvector_inner_product('[1,2]', '[3,4]'), ruvector_l1_distance('[0,0]', '[3,-4]'), "
            "format_type(atttypid, atttypmod) FROM (SELECT 1) s, "
            "LATERAL (SELECT 'ruvector'::regtype::oid AS atttypid, 7 AS atttypmod) t"
        ).fetchone()
    assert row is not None
    text, dims, norm, normalized, l2, cos, ip, l1, typename = row
    assert text == "[1,2.5,-3]"
    assert dims == 3
    assert norm == pytest.approx(5.0)
    assert normalized == "[0.6,0.8]"
    assert l2 == pytest.approx(5.0)
    assert cos == pytest.approx(1.0)
    assert ip == pytest.approx(11.0)  # ruvector_inner_product is +dot everywhere
    assert l1 == pytest.approx(7.0)
    assert typename == "ruvector(7)"


def test_inner_product_operator_sign(ruvector_db: Database) -> None:
    value = scalar(ruvector_db, "SELECT '[1,2]'::ruvector <#> '[3,4]'::ruvector")
    assert value == pytest.approx(IP_SIGN[ruvector_db.profile] * 11.0)


def test_l1_operator_presence(ruvector_db: Database) -> None:
    if HAS_L1_OPERATOR[ruvector_db.profile]:
        assert scalar(ruvector_db, "SELECT '[0,0]'::ruvector <+> '[3,-4]'") == pytest.approx(7.0)
    else:
        with pytest.raises(psycopg.errors.UndefinedFunction):
            scalar(ruvector_db, "SELECT '[0,0]'::ruvector <+> '[3,-4]'")


def test_dimension_limits(ruvector_db: Database) -> None:
    with pytest.raises(psycopg.Error, match="16000"):
        scalar(ruvector_db, "SELECT NULL::ruvector(16001)")
    assert (
        scalar(ruvector_db, "SELECT format_type('ruvector'::regtype, 16000)") == "ruvector(16000)"
    )
    with pytest.raises(psycopg.Error):
        scalar(ruvector_db, "SELECT NULL::ruvector(0)")


def test_nan_rejected(ruvector_db: Database) -> None:
    with pytest.raises(psycopg.Error, match=r"(?i)nan"):
        scalar(ruvector_db, "SELECT '[1,NaN]'::ruvector")


def test_wrong_dimension_insert(ruvector_db: Database) -> None:
    """PostgreSQL checks a typmod through the type's length-coercion cast, for literals
    and typed values alike: the documented surface has one; the published 2.0.5 has
    none, so it stores any dimension (spec section 2.2, an inference from source)."""
    with ruvector_db.connect() as conn:
        conn.execute("CREATE TEMP TABLE dims (e ruvector(3))")
        literal_rejected = typed_rejected = False
        try:
            conn.execute("INSERT INTO dims VALUES ('[1,2]')")
        except psycopg.errors.DataException:
            literal_rejected = True
        try:
            conn.execute("INSERT INTO dims VALUES (%s::ruvector)", ("[1,2]",))
        except psycopg.errors.DataException:
            typed_rejected = True
    expected = {
        "documented": (True, True),
        "published-2.0.5": (False, False),
        "real": (False, False),
    }
    assert (literal_rejected, typed_rejected) == expected[ruvector_db.profile]


def test_no_cast_from_float_arrays(ruvector_db: Database) -> None:
    with pytest.raises(psycopg.errors.CannotCoerce):
        scalar(ruvector_db, "SELECT ARRAY[1,2]::real[]::ruvector")


def test_casts_with_pgvector(pgvector_db: Database) -> None:
    """The documented surface converts pgvector columns by assignment cast; the
    published build only through text."""
    with pgvector_db.connect() as conn:
        assert conn.execute("SELECT '[1,2]'::vector::text::ruvector::text").fetchone() == ("[1,2]",)
        if pgvector_db.is_real:
            with pytest.raises(psycopg.errors.CannotCoerce):
                conn.execute("SELECT '[1,2]'::vector::ruvector")
            return
        conn.execute("CREATE TEMP TABLE src (v vector(2))")
        conn.execute("CREATE TEMP TABLE dst (e ruvector(2))")
        conn.execute("INSERT INTO src VALUES ('[1,2]'), ('[3.5,-4]')")
        conn.execute("INSERT INTO dst SELECT v FROM src")  # assignment cast
        assert conn.execute("SELECT e::text FROM dst ORDER BY 1").fetchall() == [
            ("[1,2]",),
            ("[3.5,-4]",),
        ]
        conn.execute("ALTER TABLE src ALTER COLUMN v TYPE ruvector(2)")
        assert conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
            "WHERE attrelid = 'src'::regclass AND attname = 'v'"
        ).fetchone() == ("ruvector(2)",)
        with pytest.raises(psycopg.errors.DataException):
            conn.execute("INSERT INTO dst SELECT '[1,2,3]'::vector")


def test_vector_sum_and_mul_scalar_on_real_arrays(ruvector_db: Database) -> None:
    """2.0.5's real[] aggregate and scaling, on every profile (the portable avg/sum)."""
    total = scalar(
        ruvector_db,
        "SELECT vector_sum(a) FROM (VALUES ('{1,2}'::real[]), ('{3,4.5}'::real[])) AS t(a)",
    )
    assert total == [4.0, 6.5]
    empty = "(SELECT '{1}'::real[] WHERE false) AS t(a)"
    assert scalar(ruvector_db, f"SELECT vector_sum(a) FROM {empty}") is None
    assert scalar(ruvector_db, "SELECT vector_mul_scalar('{1,-2}'::real[], 0.5)") == [0.5, -1.0]


def test_binary_quantize_arr_bit_order(ruvector_db: Database) -> None:
    """2.0.5's layout: element i is bit i % 8 (least significant first) of byte i / 8."""
    packed = scalar(
        ruvector_db, "SELECT binary_quantize_arr('{0.5,-0.3,0.1,-0.8,0.2,-0.1,0.9,-0.5,1}'::real[])"
    )
    assert bytes(packed) == bytes([0b01010101, 0b00000001])  # type: ignore[arg-type]


AVG_SUM_AGGREGATES = {"documented": True, "published-2.0.5": False, "real": False}


def test_avg_sum_of_ruvector(ruvector_db: Database) -> None:
    """The documented surface aggregates ruvector as pgvector does vector; 2.0.5 does not."""
    values = "(VALUES ('[1,2]'::ruvector), ('[4,8]'::ruvector)) AS t(v)"
    if not AVG_SUM_AGGREGATES[ruvector_db.profile]:
        with pytest.raises(psycopg.errors.UndefinedFunction):
            scalar(ruvector_db, f"SELECT avg(v) FROM {values}")
        return
    assert scalar(ruvector_db, f"SELECT avg(v)::text FROM {values}") == "[2.5,5]"
    assert scalar(ruvector_db, f"SELECT sum(v)::text FROM {values}") == "[5,10]"
    empty = "(SELECT '[1]'::ruvector WHERE false) AS t(v)"
    assert scalar(ruvector_db, f"SELECT avg(v) FROM {empty}") is None


def test_halfvec_casts_with_pgvector(pgvector_db: Database) -> None:
    """Documented surface with halfvec: ruvector casts to halfvec (implicitly, as
    pgvector's vector does) and back by assignment, so half-precision expression
    indexes work; the published build has no halfvec at all."""
    if pgvector_db.is_real:
        pytest.skip("the published build has no halfvec")
    with pgvector_db.connect() as conn:
        to_half = "SELECT '[1,2.5]'::ruvector::halfvec(2)::text"
        assert conn.execute(to_half).fetchone() == ("[1,2.5]",)
        to_ruvector = "SELECT '[1,2.5]'::halfvec::ruvector(2)::text"
        assert conn.execute(to_ruvector).fetchone() == ("[1,2.5]",)
        conn.execute("CREATE TEMP TABLE h (e ruvector(3))")
        conn.execute("INSERT INTO h VALUES ('[1,1,1]'), ('[2,2,2]')")
        conn.execute("CREATE INDEX ON h USING hnsw ((e::halfvec(3)) halfvec_l2_ops)")
        rows = conn.execute(
            "SELECT e::text FROM h ORDER BY e::halfvec(3) <-> '[2,2,2]'::halfvec(3)"
        ).fetchall()
        assert rows == [("[2,2,2]",), ("[1,1,1]",)]
        with pytest.raises(psycopg.errors.DataException):
            conn.execute("SELECT '[1,2,3]'::ruvector::halfvec(2)")


def test_access_methods_found_by_handler(ruvector_db: Database) -> None:
    with ruvector_db.connect() as conn:
        hnsw = conn.execute(
            "SELECT amname FROM pg_am WHERE amhandler = 'hnsw_handler'::regproc"
        ).fetchall()
        ivf = conn.execute("SELECT amname FROM pg_am WHERE amname = 'ruivfflat'").fetchall()
        opclasses = conn.execute(
            "SELECT am.amname, opc.opcname, opc.opcdefault FROM pg_opclass opc "
            "JOIN pg_am am ON am.oid = opc.opcmethod "
            "WHERE opc.opcintype = 'ruvector'::regtype ORDER BY 1, 2"
        ).fetchall()
    am = HNSW_AM[ruvector_db.profile]
    assert hnsw == [(am,)]
    assert ivf == [("ruivfflat",)]
    assert opclasses == sorted(
        (method, name, name == "ruvector_l2_ops")
        for method in (am, "ruivfflat")
        for name in ("ruvector_cosine_ops", "ruvector_ip_ops", "ruvector_l2_ops")
    )


def test_binary_send_layout(ruvector_db: Database) -> None:
    raw = scalar(ruvector_db, "SELECT ruvector_send('[1,2,3]'::ruvector)")
    assert isinstance(raw, bytes)
    header = SEND_HEADER[ruvector_db.profile]
    assert len(raw) == header + 12
    assert int.from_bytes(raw[:2], "big") == 3
    np.testing.assert_array_equal(np.frombuffer(raw[header:], dtype=">f4"), [1, 2, 3])


def test_search_settings_are_settable(ruvector_db: Database) -> None:
    with ruvector_db.connect() as conn:
        conn.execute("SET ruvector.ef_search = 120")
        conn.execute("SET ruvector.probes = 7")
        assert conn.execute("SHOW ruvector.ef_search").fetchone() == ("120",)
        assert conn.execute("SHOW ruvector.probes").fetchone() == ("7",)


@pytest.fixture(scope="module")
def table_10k(ruvector_db: Database) -> tuple[Database, np.ndarray]:
    """10k x 32 rows with a cosine ruhnsw index (m=16, ef_construction=64)."""
    rng = np.random.default_rng(7)
    data = rng.standard_normal((10_000, 32)).astype(np.float32)
    am = HNSW_AM[ruvector_db.profile]
    with ruvector_db.connect() as conn:
        conn.execute("CREATE TABLE items (id int PRIMARY KEY, e ruvector(32))")
        with conn.cursor().copy("COPY items (id, e) FROM STDIN") as copy:
            for i, row in enumerate(data):
                copy.write_row((i, vec(row)))
        conn.execute(
            f"CREATE INDEX items_cos ON items USING {am} (e ruvector_cosine_ops) "
            "WITH (m = 16, ef_construction = 64)"
        )
        conn.execute(f"CREATE INDEX items_ip ON items USING {am} (e ruvector_ip_ops)")
        conn.execute("ANALYZE items")
    return ruvector_db, data


def test_cosine_index_scan(table_10k: tuple[Database, np.ndarray]) -> None:
    db, data = table_10k
    q = vec(data[42])
    with db.connect() as conn:
        plan = "\n".join(
            r[0] for r in conn.execute(f"EXPLAIN SELECT id FROM items ORDER BY e <=> '{q}' LIMIT 5")
        )
        ids = [r[0] for r in conn.execute(f"SELECT id FROM items ORDER BY e <=> '{q}' LIMIT 5")]
        reloptions = conn.execute(
            "SELECT reloptions FROM pg_class WHERE relname = 'items_cos'"
        ).fetchone()
    assert "Index Scan using items_cos" in plan
    normed = data / np.linalg.norm(data, axis=1, keepdims=True)
    exact = np.argsort(1 - normed @ normed[42], kind="stable")[:5]
    assert ids[0] == 42
    assert len(set(ids) & set(exact.tolist())) >= 4  # approximate index, recall >= 0.8
    assert reloptions == (["m=16", "ef_construction=64"],)


def test_inner_product_index_and_seqscan_order(table_10k: tuple[Database, np.ndarray]) -> None:
    """pgvector's sign keeps index and sequential plans in agreement; the published
    2.0.5's +dot ``<#>`` makes a sequential scan return the least similar rows first
    while its HNSW index returns the most similar (spec section 3)."""
    db, data = table_10k
    q = vec(data[3])
    query = f"SELECT id FROM items ORDER BY e <#> '{q}' LIMIT 3"
    with db.connect() as conn:
        with conn.transaction():
            index_ids = [r[0] for r in conn.execute(query)]
        with conn.transaction():
            conn.execute("SET LOCAL enable_indexscan = off")
            seq_ids = [r[0] for r in conn.execute(query)]
    dots = data.astype(np.float64) @ data[3].astype(np.float64)
    most_similar = np.argsort(-dots, kind="stable")[:3].tolist()
    least_similar = np.argsort(dots, kind="stable")[:3].tolist()
    assert index_ids[0] == most_similar[0]
    if IP_SIGN[db.profile] < 0:
        assert seq_ids == most_similar
    else:
        assert seq_ids == least_similar


def test_ivfflat_lists_option(ruvector_db: Database) -> None:
    with ruvector_db.connect() as conn:
        conn.execute("CREATE TABLE ivf (id int PRIMARY KEY, e ruvector(4))")
        conn.execute(
            "INSERT INTO ivf SELECT i, format('[%s,%s,1,0]', i % 7, i % 11)::ruvector "
            "FROM generate_series(1, 500) i"
        )
        conn.execute("CREATE INDEX ivf_l2 ON ivf USING ruivfflat (e) WITH (lists = 10)")
        conn.execute("ANALYZE ivf")
        plan = " ".join(
            r[0]
            for r in conn.execute("EXPLAIN SELECT id FROM ivf ORDER BY e <-> '[1,1,1,0]' LIMIT 3")
        )
        definition = conn.execute("SELECT pg_get_indexdef('ivf_l2'::regclass)").fetchone()
    assert "ivf_l2" in plan
    assert definition is not None and "USING ruivfflat" in definition[0]
    assert "lists='10'" in definition[0]


@pytest.mark.skipif(REAL_URL is not None, reason="a property of the compatibility layer")
def test_published_profile_refuses_pgvector_database(
    make_database: Callable[..., Database],
) -> None:
    with pytest.raises(psycopg.Error, match='access method "hnsw" already exists'):
        make_database("published-2.0.5", pgvector=True)


def test_unknown_profile_is_refused(ruvector_db: Database) -> None:
    if ruvector_db.is_real:
        pytest.skip("the profile setting belongs to the compatibility layer")
    with ruvector_db.connect() as conn:
        conn.execute("DROP EXTENSION ruvector CASCADE")
        conn.execute("SET ruvector_compat.profile = 'nonsense'")
        with pytest.raises(psycopg.Error, match="unknown profile"):
            conn.execute("CREATE EXTENSION ruvector")
        conn.execute("RESET ruvector_compat.profile")
        conn.execute("CREATE EXTENSION ruvector")
        assert conn.execute("SELECT ruvector_compat_profile()").fetchone() == (ruvector_db.profile,)


# Quirks of the published build that the compatibility layer cannot express in SQL.


@pytest.mark.real_ruvector
def test_real_accepts_unknown_reloptions(ruvector_db: Database) -> None:
    with ruvector_db.connect() as conn:
        conn.execute("CREATE TEMP TABLE ro (e ruvector(3))")
        conn.execute(
            "CREATE INDEX ON ro USING ruivfflat (e) WITH (lists = 5, quantization = 'sq8')"
        )


@pytest.mark.real_ruvector
def test_real_empty_vector_and_plain_output(ruvector_db: Database) -> None:
    assert scalar(ruvector_db, "SELECT ruvector_dims('[]'::ruvector)") == 0
    assert scalar(ruvector_db, "SELECT '[0.0000001]'::ruvector::text") == "[0.0000001]"


@pytest.mark.real_ruvector
def test_real_distances_are_real(ruvector_db: Database) -> None:
    assert scalar(ruvector_db, "SELECT pg_typeof('[1]'::ruvector <-> '[2]')::text") == "real"
