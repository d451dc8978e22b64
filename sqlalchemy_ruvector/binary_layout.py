"""``BinaryLayout``: how a dense float32 vector is laid out in the binary wire format.

Its own module because both the server's :mod:`.capabilities` (which layout the
connected server speaks) and the :mod:`.codecs` (which read and write it) need it,
and capabilities should not depend on the codecs.
"""

from __future__ import annotations

import enum

__all__ = ["BinaryLayout"]


class BinaryLayout(enum.Enum):
    """Binary send/recv layout of a dense float32 vector type."""

    #: pgvector ``vector`` (and ruvector's on-disk datum): ``>H dim, >H unused=0, dim x >f4``.
    PGVECTOR = "pgvector"
    #: published ruvector-postgres 2.0.5 ``ruvector_send/recv``: ``>H dim, dim x >f4``.
    RUVECTOR = "ruvector"

    @property
    def header_size(self) -> int:
        return 4 if self is BinaryLayout.PGVECTOR else 2

    def expected_size(self, dim: int) -> int:
        return self.header_size + 4 * dim
