"""Bulk vectors in and out through binary COPY, with numpy and Arrow at both ends.

``copy_into`` streams a pyarrow Table/RecordBatchReader, a dict of numpy arrays, a pandas
DataFrame or row tuples into a table with ``COPY ... FROM STDIN (FORMAT BINARY)``; whole
batches are validated and encoded with numpy in the binary layouts the capability probe
found. ``fetch_numpy`` / ``fetch_arrow`` / ``fetch_batches`` read any query through
``COPY (query) TO STDOUT (FORMAT BINARY)`` and decode whole chunks with numpy.
"""

from .copy_in import copy_into
from .copy_out import NumpyResult, fetch_arrow, fetch_batches, fetch_numpy
from .errors import BulkLoadError, BulkValidationError

__all__ = [
    "BulkLoadError",
    "BulkValidationError",
    "NumpyResult",
    "copy_into",
    "fetch_arrow",
    "fetch_batches",
    "fetch_numpy",
]
