"""What callers must know about ruvector's functions, and why one may be missing.

The notes are condensed from the SQL-surface spec (sections 1, 6.x, 8), keyed by family
or by name, never written per function: they end up in each class's docstring. The
missing-function reasons explain a :class:`~sqlalchemy.exc.CompileError` raised before
any SQL is sent.
"""

from __future__ import annotations

from typing import Final

from ..capabilities import Capabilities
from ._catalog import FunctionSpec

__all__ = ["UPGRADE_GAP_FAMILIES", "UPGRADE_GAP_NAMES", "missing_reason", "notes"]

_BACKEND_MEMORY: Final = (
    "State lives in per-backend memory: it vanishes on reconnect and differs across "
    "pooled connections."
)
_RETURNS_SQL: Final = "Returns SQL text; it does not execute it."
_AGENT_TABLE: Final = "Returns TABLE(...) in 2.0.5 (SETOF jsonb in 0.2.6)."

FAMILY_NOTES: Final[dict[str, str]] = {
    "hybrid": _BACKEND_MEMORY,
    "tenancy": _BACKEND_MEMORY,
    "routing": _BACKEND_MEMORY,
    "learning": _BACKEND_MEMORY,
    "healing": _BACKEND_MEMORY,
    "sona": _BACKEND_MEMORY,
    "graph": (
        "On first use creates ordinary tables _ruvector_graphs, _ruvector_nodes and "
        "_ruvector_edges in the current schema (Alembic autogenerate sees them)."
    ),
    "sparql": (
        "On first use creates ordinary tables _ruvector_rdf_stores and _ruvector_triples "
        "in the current schema (Alembic autogenerate sees them)."
    ),
    "gnn": "Takes and returns JSON; the 0.2.6 signatures (real[][]) are gone.",
}

NAME_NOTES: Final[dict[str, str]] = {
    "ruvector_version": (
        "Returns the crate version, not the extension version (pg_extension.extversion)."
    ),
    "ruvector_inner_product": "Returns +dot: the opposite sign to pgvector's <#> (-dot).",
    "inner_product_arr": "Returns +dot.",
    "neg_inner_product_arr": "Returns -dot.",
    "ruvector_normalize": "A zero vector is returned unchanged.",
    "ruvector_hybrid_search": (
        "Returns synthetic demonstration results in 2.0.5 (ids 1..min(k, 10), made-up "
        "scores): it never reads the table."
    ),
    "ruvector_hybrid_update_stats": "Computes nothing in 2.0.5; it reports 'would compute'.",
    "ruvector_hybrid_score": "alpha * (1 - clamp(d / 2, 0, 1)) + (1 - alpha) * keyword_score.",
    "ruvector_tenant_set": (
        "Sets nothing: it checks the tenant against this backend's registry and returns a "
        "message; run SET [LOCAL] ruvector.tenant_id yourself."
    ),
    "ruvector_enable_tenant_rls": _RETURNS_SQL,
    "ruvector_generate_rls_sql": _RETURNS_SQL,
    "ruvector_generate_tenant_column_sql": _RETURNS_SQL,
    "ruvector_generate_roles_sql": _RETURNS_SQL,
    "ruvector_list_agents": _AGENT_TABLE,
    "ruvector_find_agents_by_capability": _AGENT_TABLE,
    "ruvector_hnsw_debug": (
        "In the 2.0.5-era sources; its presence in the published build is unconfirmed."
    ),
}

#: The 47 functions a database installed as 2.0.0 and upgraded to 0.3.0 lacks (spec 6.1).
UPGRADE_GAP_FAMILIES: Final = frozenset({"tenancy", "hybrid", "healing", "gnn"})
UPGRADE_GAP_NAMES: Final = frozenset({"ruvector_hnsw_debug"})


def _signature_notes(spec: FunctionSpec) -> list[str]:
    out: list[str] = []
    types = {a.sql_type for a in spec.arguments} | {spec.returns}
    if types & {"real[]", "real[][]"}:
        out.append(
            "Works on real[], not ruvector: the server casts neither way; array arguments "
            "are validated as float32 (NaN/Inf refused) before any SQL is sent."
        )
    if spec.family == "core" and spec.returns == "real":
        out.append("Returns real on ruvector (double precision on the compatibility layer).")
    if spec.table_columns:
        out.append("Set-returning: use .table() (typed columns) or .table_valued().")
    elif spec.set_returning:
        out.append("Set-returning: use .column_valued() or .table_valued().")
    if spec.optional:
        out.append(
            f"Optional: the {spec.family} family is installed only when ruvector was built "
            "with that feature."
        )
    return out


def notes(spec: FunctionSpec) -> list[str]:
    """The notes for ``spec``: by name, by family, then from its signature."""
    found = [NAME_NOTES.get(spec.name), FAMILY_NOTES.get(spec.family)]
    return [n for n in found if n] + _signature_notes(spec)


def missing_reason(spec: FunctionSpec, caps: Capabilities) -> str:
    """Why ``spec`` is absent from the server ``caps`` describes (for a CompileError)."""
    head = f"{spec.name}() ({spec.family} family) is not installed on this server"
    if not caps.has_extension:
        return (
            f"{head}: the ruvector extension is not installed in this database "
            "(CREATE EXTENSION ruvector, then refresh_capabilities())"
        )
    why: list[str] = []
    if spec.optional:
        why.append(
            "it is an optional feature, skipped at CREATE EXTENSION when ruvector was built "
            "without it"
        )
    if caps.is_compat:
        why.append(
            f"the ruvector compatibility layer (profile {caps.compat_profile}) emulates only "
            "the core vector and info functions, not this one"
        )
    elif spec.family in UPGRADE_GAP_FAMILIES or spec.name in UPGRADE_GAP_NAMES:
        why.append("a database installed as 2.0.0 and upgraded to 0.3.0 lacks it")
    if not why:
        why.append(f"ruvector {caps.extension_version} ({caps.server_version}) does not have it")
    return f"{head}: {'; '.join(why)}"
