"""The function catalog: ``catalog.tsv`` parsed into immutable rows.

The TSV is the single source of truth for ruvector's SQL functions (one row per
``CREATE FUNCTION`` of the published 2.0.5 install script). The SQLAlchemy classes,
their docstrings and the type stubs are all derived from these rows, so a change of
signature is one edited line, never a hand-edited class.
"""

from __future__ import annotations

import keyword
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from typing import Final

__all__ = ["CATALOG_FILE", "Argument", "FunctionSpec", "load_catalog", "split_top_level"]

CATALOG_FILE: Final = "catalog.tsv"

#: Pseudo-types only the server calls with; a signature using one is not client-callable.
_INTERNAL_TYPES: Final = frozenset({"cstring", "cstring[]", "internal", "index_am_handler"})
#: Families whose functions only the server calls (type input/output).
_INTERNAL_FAMILIES: Final = frozenset({"type_io"})
#: Multi-word SQL type names, so "rank double precision" splits as (rank, double precision).
_MULTIWORD_TYPES: Final = ("double precision",)
_HEADER: Final = ("name", "arguments", "returns", "volatility", "family", "installed")


def split_top_level(text: str) -> list[str]:
    """Split on commas outside parentheses and quotes; items are stripped."""
    items: list[str] = []
    depth, quoted, start = 0, False, 0
    for i, ch in enumerate(text):
        if ch == "'":
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
        elif not quoted and ch == ")":
            depth -= 1
        elif not quoted and depth == 0 and ch == ",":
            items.append(text[start:i].strip())
            start = i + 1
    tail = text[start:].strip()
    if tail:
        items.append(tail)
    return items


def _name_and_type(decl: str) -> tuple[str, str]:
    """``"a real[]"`` -> ("a", "real[]"); ``"internal"`` -> ("", "internal")."""
    if decl in _MULTIWORD_TYPES or " " not in decl:
        return "", decl
    name, sql_type = decl.split(" ", 1)
    return name, sql_type.strip()


@dataclass(frozen=True)
class Argument:
    """One declared SQL argument: its name ('' when unnamed), type and DEFAULT text."""

    name: str
    sql_type: str
    default: str | None = None

    @classmethod
    def parse(cls, decl: str) -> Argument:
        head, sep, default = decl.partition(" DEFAULT ")
        name, sql_type = _name_and_type(head.strip())
        return cls(name, sql_type, default.strip() if sep else None)

    @property
    def python_name(self) -> str:
        """The keyword a Python caller uses (a Python keyword gets a trailing ``_``)."""
        return f"{self.name}_" if keyword.iskeyword(self.name) else self.name

    @property
    def sql(self) -> str:
        """The declaration as SQL writes it."""
        decl = f"{self.name} {self.sql_type}" if self.name else self.sql_type
        return decl if self.default is None else f"{decl} DEFAULT {self.default}"


@dataclass(frozen=True)
class FunctionSpec:
    """One catalog row: a SQL function as the published 2.0.5 install script declares it."""

    name: str
    arguments: tuple[Argument, ...]
    returns: str
    volatility: str
    family: str
    installed: str  # "always", or "optional" (skipped when the build lacks the feature)

    @classmethod
    def parse(cls, line: str) -> FunctionSpec:
        fields = line.rstrip("\n").split("\t")
        if len(fields) != len(_HEADER):
            raise ValueError(f"{CATALOG_FILE}: expected {len(_HEADER)} fields: {line!r}")
        name, arguments, returns, volatility, family, installed = fields
        if installed not in ("always", "optional"):
            raise ValueError(f"{CATALOG_FILE}: {name}: installed must be always|optional")
        args = tuple(Argument.parse(a) for a in split_top_level(arguments))
        return cls(name, args, returns.strip(), volatility, family, installed)

    @property
    def optional(self) -> bool:
        return self.installed == "optional"

    @property
    def client_callable(self) -> bool:
        """False for type I/O and access-method handlers, which only the server calls."""
        types = {a.sql_type for a in self.arguments} | {self.returns}
        return self.family not in _INTERNAL_FAMILIES and not types & _INTERNAL_TYPES

    @property
    def set_returning(self) -> bool:
        return self.returns.startswith(("SETOF ", "TABLE("))

    @cached_property
    def table_columns(self) -> tuple[Argument, ...]:
        """Columns of a ``RETURNS TABLE(...)`` function (empty otherwise)."""
        if not self.returns.startswith("TABLE("):
            return ()
        return tuple(Argument.parse(c) for c in split_top_level(self.returns[6:-1]))

    @property
    def scalar_returns(self) -> str:
        """The element type a call yields per row (``SETOF jsonb`` -> ``jsonb``)."""
        return self.returns.removeprefix("SETOF ")

    @property
    def required(self) -> int:
        """How many leading arguments have no DEFAULT (SQL allows defaults only at the end)."""
        return sum(1 for a in self.arguments if a.default is None)

    @property
    def signature(self) -> str:
        args = ", ".join(a.sql for a in self.arguments)
        return f"{self.name}({args}) RETURNS {self.returns}"


def load_catalog(text: str | None = None) -> tuple[FunctionSpec, ...]:
    """Rows of ``text`` (default: the packaged ``catalog.tsv``); ``#`` lines are comments."""
    if text is None:
        text = resources.files(__package__).joinpath(CATALOG_FILE).read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if not lines or tuple(lines[0].split("\t")) != _HEADER:
        raise ValueError(f"{CATALOG_FILE}: header must be {' '.join(_HEADER)}")
    specs = tuple(FunctionSpec.parse(ln) for ln in lines[1:])
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise ValueError(f"{CATALOG_FILE}: {spec.name} listed twice (overloads unsupported)")
        seen.add(spec.name)
    return specs
