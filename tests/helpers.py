"""Small helpers shared by every test suite: the statements an engine sends, a plan."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa


@contextmanager
def statements_sent(engine: sa.Engine) -> Iterator[list[str]]:
    """Collect the SQL statements ``engine`` sends to the server inside the block."""
    sent: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def plan(conn: sa.Connection, stmt: sa.Select[Any]) -> str:
    """EXPLAIN text of a statement, compiled with its parameters inlined."""
    sql = stmt.compile(conn, compile_kwargs={"literal_binds": True})
    return "\n".join(conn.exec_driver_sql(f"EXPLAIN {sql}").scalars())
