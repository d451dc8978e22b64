"""What the connected server's ruvector can do, probed once per engine.

ruvector's published build differs from its documentation (access-method names, the
sign of ``<#>``, ``<+>``, the binary layout, which types exist). Every SQL renderer
and adapter asks one immutable :class:`Capabilities` instead of assuming; the probe
is a fixed, parameter-free catalog query plus one expression query when the
extension is present.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from .binary_layout import BinaryLayout
from .vector_types import extension_types, probed_type_names

__all__ = [
    "DOCUMENTED",
    "Capabilities",
    "TypeOids",
    "capabilities_of",
    "effective",
    "probe",
    "type_oids",
]

Run = Callable[[str], Sequence[Sequence[Any]]]


@dataclass(frozen=True)
class TypeOids:
    """OIDs of a vector type and its array type in the connected database."""

    oid: int
    array_oid: int


@dataclass(frozen=True)
class Capabilities:
    """Facts about one database's vector extensions. ``probed`` is False for the
    documented-surface defaults used before (or without) a connection."""

    probed: bool = False
    extension_version: str | None = None  # pg_extension.extversion of ruvector
    server_version: str | None = None  # ruvector_version()
    compat_profile: str | None = None  # set only on the project's compatibility layer
    hnsw_am: str = "ruhnsw"
    ivfflat_am: str = "ruivfflat"
    ip_operator_sign: int = -1  # -1: <#> is -dot (pgvector, documented); +1: +dot (2.0.5)
    has_l1_operator: bool = True
    binary_layout: BinaryLayout = BinaryLayout.PGVECTOR
    accepts_unknown_reloptions: bool = False
    types: Mapping[str, TypeOids] = field(default_factory=dict)
    functions: frozenset[str] = frozenset()
    settings: frozenset[str] = frozenset()  # ruvector.* / hnsw.* / ivfflat.* known to the server
    pgvector_version: str | None = None

    @property
    def has_extension(self) -> bool:
        return self.extension_version is not None

    @property
    def is_compat(self) -> bool:
        return self.compat_profile is not None

    def has_type(self, name: str) -> bool:
        """Whether the SQL type ``name`` exists; unprobed capabilities assume it does."""
        return not self.probed or name in self.types

    def search_settings(self, name: str) -> tuple[str, ...]:
        """Server settings that implement the search parameter ``name``.

        ``ruvector.<name>`` is always set (the documented knob). Where the server's
        HNSW/IVFFlat is pgvector's (the compatibility layer), pgvector's own setting
        is what takes effect, so it is set too; ``ruvector.hnsw_ef_search`` (2.0.6+)
        likewise when the server registers it."""
        extra = {
            "ef_search": ("ruvector.hnsw_ef_search", "hnsw.ef_search"),
            "probes": ("ruvector.ivfflat_probes", "ivfflat.probes"),
        }[name]
        names = [f"ruvector.{name}"]
        names += [
            s for s in extra if s in self.settings and (self.is_compat or s.startswith("ruvector."))
        ]
        return tuple(names)


#: Defaults when nothing is known (also an engine's value before its first probe):
#: the surface ruvector documents.
DOCUMENTED: Final = Capabilities()


def capabilities_of(dialect: object) -> Capabilities | None:
    """The capabilities our dialect or plugin keeps on ``dialect``; None on any other
    engine (plain psycopg, offline compiles)."""
    caps: Capabilities | None = getattr(dialect, "ruvector_capabilities", None)
    return caps


def effective(dialect: object) -> Capabilities:
    """What SQL renderers should assume: the probed server when it has the extension,
    else the documented surface."""
    caps = capabilities_of(dialect)
    return caps if caps is not None and caps.has_extension else DOCUMENTED


#: The extensions' vector types (vector_types.VECTOR_TYPES), as SQL string literals.
_TYPE_NAMES: Final = ", ".join("'" + n.replace("'", "''") + "'" for n in probed_type_names())

#: The vector types visible in the connected database, as {name: [oid, array oid]}.
_TYPES_JSON: Final = f"""(SELECT coalesce(json_object_agg(t.typname,
                                   json_build_array(t.oid::int8, t.typarray::int8)), '{{}}')
     FROM pg_type t
    WHERE t.typname IN ({_TYPE_NAMES})
      AND pg_type_is_visible(t.oid))"""

_CATALOG_QUERY: Final = f"""
SELECT
  (SELECT extversion FROM pg_extension WHERE extname = 'ruvector'),
  (SELECT extversion FROM pg_extension WHERE extname = 'vector'),
  (SELECT a.amname FROM pg_am a JOIN pg_proc p ON p.oid = a.amhandler
    WHERE p.proname = 'hnsw_handler' ORDER BY a.oid LIMIT 1),
  (SELECT amname FROM pg_am WHERE amname = 'ruivfflat'),
  {_TYPES_JSON},
  (SELECT coalesce(array_agg(DISTINCT p.proname::text), '{{}}') FROM pg_proc p
     JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
     JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'ruvector'),
  (SELECT EXISTS (SELECT FROM pg_operator o JOIN pg_type t ON t.oid = o.oprleft
                   WHERE o.oprname = '<+>' AND t.typname = 'ruvector'))
"""

#: One cheap query a new connection runs to check the probe's OIDs still hold.
_TYPES_QUERY: Final = f"SELECT {_TYPES_JSON}"

_EXPRESSION_QUERY: Final = """
SELECT ruvector_version(),
       '[1,2]'::ruvector <#> '[3,4]'::ruvector,
       length(ruvector_send('[1]'::ruvector))
"""


_SETTINGS_QUERY: Final = """
SELECT name FROM pg_settings
 WHERE name LIKE 'ruvector.%' OR name LIKE 'hnsw.%' OR name LIKE 'ivfflat.%'
"""


def _compat_profile(server_version: str) -> str | None:
    """The compatibility layer says so in its version: '... compat ..., profile P, ...'."""
    if "compat" not in server_version:
        return None
    for part in server_version.replace("(", ",").replace(")", ",").split(","):
        part = part.strip()
        if part.startswith("profile "):
            return part.removeprefix("profile ").strip()
    return "unknown"


def _types(types_json: Any) -> dict[str, TypeOids]:
    types_map = types_json if isinstance(types_json, Mapping) else _json(types_json)
    return {name: TypeOids(int(v[0]), int(v[1])) for name, v in types_map.items()}


def type_oids(run: Run) -> dict[str, TypeOids]:
    """The vector types' OIDs now, in one query (they change when an extension is
    dropped and created again)."""
    return _types(run(_TYPES_QUERY)[0][0])


def probe(run: Run) -> Capabilities:
    """Probe the server through ``run`` (executes SQL, returns rows) in at most three queries."""
    row = run(_CATALOG_QUERY)[0]
    extversion, pgvector_version, hnsw_am, ivfflat_am, types_json, functions, l1 = row
    types = _types(types_json)
    common: dict[str, Any] = {
        "probed": True,
        "types": types,
        "functions": frozenset(functions or ()),
        "pgvector_version": pgvector_version,
    }
    if extversion is None or not set(extension_types("ruvector")) <= set(types):
        return Capabilities(**common)
    server_version, ip_value, send_length = run(_EXPRESSION_QUERY)[0]
    # Settings registered by the libraries, now loaded by the expression query.
    common["settings"] = frozenset(r[0] for r in run(_SETTINGS_QUERY))
    profile = _compat_profile(server_version)
    return Capabilities(
        extension_version=extversion,
        server_version=server_version,
        compat_profile=profile,
        hnsw_am=hnsw_am or "ruhnsw",
        ivfflat_am=ivfflat_am or "ruivfflat",
        ip_operator_sign=-1 if float(ip_value) < 0 else 1,
        has_l1_operator=bool(l1),
        binary_layout=BinaryLayout.RUVECTOR if int(send_length) == 2 + 4 else BinaryLayout.PGVECTOR,
        # The real 2.0.x ignores reloptions it does not know; pgvector's AMs reject them.
        accepts_unknown_reloptions=profile is None,
        **common,
    )


class _RowsNeeded(Exception):
    """Raised by :func:`probe_async`'s replaying ``run`` for a query not yet sent."""

    def __init__(self, query: str) -> None:
        super().__init__(query)
        self.query = query


async def probe_async(run: Callable[[str], Awaitable[Sequence[Sequence[Any]]]]) -> Capabilities:
    """:func:`probe` through an async ``run``: the same decisions, not a second copy of
    them. :func:`probe` is replayed over the rows fetched so far; each query is sent
    once, so at most three round trips, as in the sync probe."""
    rows: dict[str, Sequence[Sequence[Any]]] = {}

    def replay(query: str) -> Sequence[Sequence[Any]]:
        if query not in rows:
            raise _RowsNeeded(query)
        return rows[query]

    while True:
        try:
            return probe(replay)
        except _RowsNeeded as needed:
            rows[needed.query] = await run(needed.query)


def _json(value: Any) -> Mapping[str, Any]:
    import json

    if isinstance(value, (bytes, str)):
        loaded: Mapping[str, Any] = json.loads(value)
        return loaded
    return {}
