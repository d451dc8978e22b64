"""Search settings: the context manager and the execution option."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from sqlalchemy_ruvector import search_settings
from sqlalchemy_ruvector.capabilities import Capabilities
from sqlalchemy_ruvector.search import validate_search


def current(conn: sa.Connection | Session, name: str) -> Any:
    return conn.execute(sa.text("SELECT current_setting(:n, true)"), {"n": name}).scalar()


def test_block_sets_and_restores(caps: Capabilities, engine: sa.Engine) -> None:
    names = caps.search_settings("ef_search")
    assert names[0] == "ruvector.ef_search"
    with engine.connect() as conn:
        before = {n: current(conn, n) for n in names}
        with search_settings(conn, ef_search=123, probes=7):
            assert all(current(conn, n) == "123" for n in names)
            assert all(current(conn, n) == "7" for n in caps.search_settings("probes"))
        after = {n: current(conn, n) or None for n in names}
        assert after == {n: v or None for n, v in before.items()}


def test_compat_layer_sets_the_setting_that_takes_effect(
    caps: Capabilities, engine: sa.Engine
) -> None:
    if caps.is_compat:
        assert "hnsw.ef_search" in caps.search_settings("ef_search")
        assert "ivfflat.probes" in caps.search_settings("probes")


def test_session(engine: sa.Engine) -> None:
    with Session(engine) as session, search_settings(session, ef_search=50):
        assert current(session, "ruvector.ef_search") == "50"


def test_execution_option_is_per_statement(engine: sa.Engine) -> None:
    probe = sa.select(sa.func.current_setting("ruvector.ef_search", True))
    with engine.connect() as conn:
        inside = conn.execute(probe.execution_options(ruvector_search={"ef_search": 77})).scalar()
        outside = conn.execute(probe).scalar()
    assert inside == "77"
    assert outside in (None, "", "40")


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        ({"ef_search": 0}, ValueError, "ef_search must be between 1 and 1000"),
        ({"ef_search": 1001}, ValueError, "between 1 and 1000"),
        ({"probes": 10001}, ValueError, "probes must be between 1 and 10000"),
        ({"ef_search": "100; RESET ALL"}, TypeError, "ef_search must be an int"),
        ({"ef_search": 1.5}, TypeError, "must be an int"),
        ({"ef_search": True}, TypeError, "must be an int"),
    ],
)
def test_validation_before_sql(
    engine: sa.Engine, kwargs: dict[str, Any], error: type[Exception], words: str
) -> None:
    with (
        engine.connect() as conn,
        pytest.raises(error, match=words),
        search_settings(conn, **kwargs),
    ):
        pass
    probe = sa.select(sa.literal(1)).execution_options(ruvector_search=kwargs)
    with engine.connect() as conn, pytest.raises(error, match=words):
        conn.execute(probe)


def test_unknown_setting(engine: sa.Engine) -> None:
    with engine.connect() as conn, pytest.raises(ValueError, match="unknown search setting 'ef'"):
        conn.execute(sa.select(sa.literal(1)).execution_options(ruvector_search={"ef": 1}))


def test_autocommit_is_refused(engine: sa.Engine) -> None:
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    with (
        conn,
        pytest.raises(ValueError, match="needs a transaction"),
        search_settings(conn, ef_search=10),
    ):
        pass


def test_numpy_integers_are_settings() -> None:
    """numpy integers are accepted where ints are (issue 7, item 21), and sent as ints."""
    valid = validate_search({"ef_search": np.int64(64), "probes": np.uint16(3)})
    assert valid == {"ef_search": 64, "probes": 3}
    assert all(type(v) is int for v in valid.values())
    with pytest.raises(TypeError, match="must be an int"):
        validate_search({"ef_search": np.float32(64)})
    with pytest.raises(TypeError, match="must be an int"):
        validate_search({"ef_search": np.bool_(True)})
