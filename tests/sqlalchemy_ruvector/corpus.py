"""A real text corpus with deterministic embeddings, for hybrid-search tests.

Documents are the docstrings of the Python standard library (first paragraph, so
they are short and varied); embeddings are a bag of hashed tokens (crc32-seeded
random directions, summed and normalised), so texts that share words are near each
other and the vectors are the same on every run and machine.
"""

from __future__ import annotations

import importlib
import inspect
import re
import zlib
from functools import cache, lru_cache

import numpy as np

MODULES = (
    "builtins",
    "os",
    "os.path",
    "sys",
    "re",
    "json",
    "collections",
    "itertools",
    "functools",
    "pathlib",
    "datetime",
    "decimal",
    "fractions",
    "statistics",
    "random",
    "math",
    "string",
    "textwrap",
    "difflib",
    "csv",
    "sqlite3",
    "socket",
    "ssl",
    "http.client",
    "urllib.parse",
    "email.message",
    "xml.etree.ElementTree",
    "asyncio",
    "threading",
    "multiprocessing",
    "subprocess",
    "shutil",
    "tempfile",
    "zipfile",
    "tarfile",
    "logging",
    "unittest",
    "argparse",
    "typing",
    "dataclasses",
    "enum",
    "inspect",
    "ast",
    "dis",
    "heapq",
    "bisect",
    "array",
    "struct",
    "codecs",
    "io",
    "pickle",
    "copy",
    "pprint",
    "operator",
    "contextlib",
    "abc",
    "hashlib",
    "hmac",
    "secrets",
    "base64",
    "binascii",
    "zlib",
    "gzip",
    "bz2",
    "lzma",
    "calendar",
    "time",
    "locale",
    "gettext",
    "platform",
    "errno",
    "signal",
    "select",
    "selectors",
    "queue",
    "sched",
    "weakref",
    "types",
    "traceback",
    "warnings",
    "gc",
    "tokenize",
    "keyword",
    "shlex",
    "glob",
    "fnmatch",
    "filecmp",
    "configparser",
    "uuid",
    "ipaddress",
    "mimetypes",
    "html",
    "html.parser",
    "wave",
    "colorsys",
    "numbers",
    "cmath",
)
TOKEN = re.compile(r"[a-z][a-z0-9_]{2,}")


def _docstrings() -> list[tuple[str, str]]:
    seen: set[str] = set()
    found: list[tuple[str, str]] = []

    def add(name: str, obj: object) -> None:
        doc = inspect.getdoc(obj)
        if not doc:
            return
        text = doc.split("\n\n", 1)[0].strip()
        if len(text) < 20 or text in seen:
            return
        seen.add(text)
        found.append((name, text))

    for modname in MODULES:
        try:
            module = importlib.import_module(modname)
        except ImportError:  # pragma: no cover - platform-specific modules
            continue
        add(modname, module)
        for attr in sorted(dir(module)):
            if attr.startswith("_"):
                continue
            obj = getattr(module, attr, None)
            add(f"{modname}.{attr}", obj)
            if inspect.isclass(obj):
                for meth in sorted(vars(obj)):
                    if not meth.startswith("_"):
                        add(f"{modname}.{attr}.{meth}", getattr(obj, meth, None))
    return found


@cache
def documents() -> tuple[tuple[str, str], ...]:
    """(qualified name, first docstring paragraph), in a stable order."""
    return tuple(_docstrings())


@lru_cache(maxsize=4096)
def _direction(token: str, dim: int) -> np.ndarray:
    rng = np.random.default_rng(zlib.crc32(token.encode()))
    return rng.standard_normal(dim).astype(np.float64)


def embed(text: str, dim: int = 32) -> np.ndarray:
    """Deterministic unit vector for ``text`` (float32)."""
    total = np.zeros(dim)
    for token in TOKEN.findall(text.lower()):
        total += _direction(token, dim)
    norm = float(np.linalg.norm(total))
    if norm == 0.0:
        total = _direction("<empty>", dim)
        norm = float(np.linalg.norm(total))
    return (total / norm).astype(np.float32)
