"""No source file in the shipped packages grows past ~400 lines: one concept per module.

Generated files (``functions/__init__.pyi``, written from ``catalog.tsv``) are not
sources and are not counted.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 400


def _sources() -> list[Path]:
    files = [ROOT / "alembic_ext_plugin.py"]
    for package in ("sqlalchemy_ruvector", "alembic_ext", "accel"):
        files += (ROOT / package).rglob("*.py")
    src = ROOT / "accel" / "src"
    files += [*src.glob("*.c"), *src.glob("*.h")]
    return sorted(files)


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def test_sources_found() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in _sources()}
    assert {"sqlalchemy_ruvector/values.py", "alembic_ext/ops.py", "accel/pq.py"} <= names
    assert any(n.startswith("accel/src/") and n.endswith(".c") for n in names)


def test_no_source_file_over_the_limit() -> None:
    over = {
        path.relative_to(ROOT).as_posix(): n for path in _sources() if (n := _lines(path)) > LIMIT
    }
    assert over == {}, f"files over {LIMIT} lines (split them by concept): {over}"
