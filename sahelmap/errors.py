"""The errors sahelmap raises: one base class, each also a builtin error type."""

from __future__ import annotations

__all__ = [
    "SahelmapError",
    "BoundaryError",
    "ChecksumError",
    "GazetteerError",
    "InputFileError",
    "AccountingError",
    "AggregateError",
    "ExportError",
    "PeriodError",
    "RenderError",
]


class SahelmapError(Exception):
    """Base class of every error sahelmap raises on purpose."""


class BoundaryError(SahelmapError, ValueError):
    """A boundary layer is missing, unreadable or lacks the columns it needs."""


class ChecksumError(BoundaryError):
    """A downloaded file does not have the SHA-256 it was pinned to."""


class GazetteerError(SahelmapError, ValueError):
    """A gazetteer file (the bundled one or a user's) is malformed."""


class InputFileError(SahelmapError, ValueError):
    """A report file cannot be read at all (as opposed to rows rejected one by one).

    The message names the file, and where it applies the row and the field.
    """

    def __init__(self, message: str, *, path: object = None, row: int | None = None,
                 field: str | None = None) -> None:
        where = ", ".join(
            part for part in (
                f"file {path}" if path is not None else "",
                f"row {row}" if row is not None else "",
                f"field {field!r}" if field else "",
            ) if part
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.path, self.row, self.field = path, row, field


class AccountingError(SahelmapError, AssertionError):
    """Input rows were lost or counted twice between reading a file and its result.

    Raised by :meth:`sahelmap.loaders.LoadResult.check`; it means a bug, please report it.
    """


class AggregateError(SahelmapError, ValueError):
    """Aggregation cannot proceed (bad option or input) or its totals do not add up."""


class ExportError(SahelmapError, ValueError):
    """A frame cannot be written: unknown format, or no geometry for a geographic format."""


class PeriodError(SahelmapError, ValueError):
    """A period (ISO week, date range) is malformed."""


class RenderError(SahelmapError, ValueError):
    """A frame cannot be drawn: wrong type, missing column, unknown option."""
