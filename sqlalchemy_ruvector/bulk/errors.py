"""Exceptions of the bulk paths: where a load stopped and how far it got."""

from __future__ import annotations

from ..errors import RuVectorError, VectorInputError

__all__ = ["BulkLoadError", "BulkValidationError"]


class BulkLoadError(RuVectorError):
    """A bulk load failed.

    ``committed_rows`` input rows are durably in the table (always 0 unless
    ``commit_every`` was given): pass ``skip_rows=committed_rows`` with the same input to
    resume. ``row`` is the input row index of the first bad row when it is known."""

    def __init__(self, message: str, *, committed_rows: int = 0, row: int | None = None) -> None:
        super().__init__(message)
        self.committed_rows = committed_rows
        self.row = row


class BulkValidationError(BulkLoadError, ValueError):
    """The input was rejected on the client, before the bad row was sent: wrong dimensions,
    NaN/Inf, NULL in a NOT NULL column, a value of the wrong type, an unknown column.
    ``column`` names the column; ``dimension`` and ``expected`` are set for a vector of
    the wrong dimension."""

    def __init__(
        self,
        message: str,
        *,
        row: int | None = None,
        column: str | None = None,
        committed_rows: int = 0,
        dimension: int | None = None,
        expected: int | None = None,
    ) -> None:
        where = f"row {row}" if row is not None else ""
        if column is not None:
            where = f"{where}, column {column!r}" if where else f"column {column!r}"
        super().__init__(
            f"{where}: {message}" if where else message, committed_rows=committed_rows, row=row
        )
        self.column = column
        self.reason = message
        self.dimension = dimension
        self.expected = expected

    @classmethod
    def from_vector_error(cls, exc: Exception, *, row: int) -> BulkValidationError:
        """A value's validation error as the bulk error of ``row`` (keeping the dimensions
        a :class:`~..errors.VectorInputError` carries)."""
        if isinstance(exc, VectorInputError):
            return cls(str(exc), row=row, dimension=exc.dimension, expected=exc.expected)
        return cls(str(exc), row=row)

    def in_column(self, column: str) -> BulkValidationError:
        """The same error naming ``column``."""
        return BulkValidationError(
            self.reason,
            row=self.row,
            column=column,
            committed_rows=self.committed_rows,
            dimension=self.dimension,
            expected=self.expected,
        )

    def at(self, offset: int, committed_rows: int) -> BulkValidationError:
        """The same error with its row made absolute (batch offset added)."""
        row = None if self.row is None else self.row + offset
        return BulkValidationError(
            self.reason,
            row=row,
            column=self.column,
            committed_rows=committed_rows,
            dimension=self.dimension,
            expected=self.expected,
        )
