"""Multi-tenancy on row-level security: the tenant per transaction, the DDL, a guard.

``tenant_context(session, tenant_id)`` sets ``ruvector.tenant_id`` for a block (a bound
value of ``set_config(..., true)``); policies created by ``TenantIsolation`` (or the
Alembic operation ``op.enable_tenant_isolation``) filter every read and check every
write against it; ``refuse_without_tenant(engine)`` turns "no tenant" into an error.
ruvector's own tenancy functions are not used: in 2.0.5 they keep in-process state
and set nothing (ruvector-sql-surface.md section 6.5).
"""

from .context import current_tenant, set_tenant, tenant_context
from .ddl import TENANT_SETTING, TenantIsolation, current_tenant_sql
from .guard import TENANT_INFO_KEY, TenantRequiredError, refuse_without_tenant

__all__ = [
    "TENANT_INFO_KEY",
    "TENANT_SETTING",
    "TenantIsolation",
    "TenantRequiredError",
    "current_tenant",
    "current_tenant_sql",
    "refuse_without_tenant",
    "set_tenant",
    "tenant_context",
]
