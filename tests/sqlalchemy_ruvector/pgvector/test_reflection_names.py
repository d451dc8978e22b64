"""Item 7: ``import sqlalchemy_ruvector`` alone lets a plain ``postgresql+psycopg``
engine reflect and automap ruvector columns; the drop-in import maps them to its
types. Each runs in a fresh interpreter, as the registrations are per process."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import psycopg
import pytest

from tests.conftest import Database

SCRIPT = """
import sys
import sqlalchemy as sa
from sqlalchemy.ext.automap import automap_base
from sqlalchemy.orm import Session
{imports}
engine = sa.create_engine(sys.argv[1])
column = sa.inspect(engine).get_columns("reflected")[1]
print(type(column["type"]).__name__, column["type"].dim)
base = automap_base()
base.prepare(autoload_with=engine)
with Session(engine) as session:
    row = session.query(base.classes.reflected).one()
    print(type(row.embedding).__name__, list(map(float, row.embedding)))
"""


@pytest.mark.parametrize(
    ("imports", "expected_type", "expected_value"),
    [
        ("import sqlalchemy_ruvector", "RuVector", "ndarray"),
        ("import sqlalchemy_ruvector.pgvector.sqlalchemy", "VECTOR", "list"),
    ],
)
def test_plain_engine_reflects_after_import(
    ruvector_db: Database, imports: str, expected_type: str, expected_value: str
) -> None:
    with psycopg.connect(ruvector_db.psycopg_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS reflected")
        conn.execute("CREATE TABLE reflected (id int PRIMARY KEY, embedding ruvector(3))")
        conn.execute("INSERT INTO reflected VALUES (1, '[1,2,3]')")
    script = textwrap.dedent(SCRIPT).format(imports=imports)
    proc = subprocess.run(
        [sys.executable, "-c", script, ruvector_db.url], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        f"{expected_type} 3",
        f"{expected_value} [1.0, 2.0, 3.0]",
    ]
