"""pytest-alembic's built-in tests on the example project (examples/migrate_from_pgvector):
single head, upgrade, model definitions match the DDL, up/down consistency."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pytest_alembic.tests import (  # noqa: F401  (collected here)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

from tests.conftest import REAL_URL, Database

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "migrate_from_pgvector"


@pytest.fixture
def alembic_config() -> dict[str, Any]:
    return {"file": str(EXAMPLE / "alembic.ini"), "script_location": str(EXAMPLE / "migrations")}


@pytest.fixture
def alembic_engine(
    make_source_db: Callable[..., Database], monkeypatch: pytest.MonkeyPatch
) -> Iterator[sa.Engine]:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    db = make_source_db("real" if REAL_URL else "documented", ())
    engine = sa.create_engine(db.url.replace("+psycopg", "+ruvector", 1))
    yield engine
    engine.dispose()
