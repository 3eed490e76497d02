"""The errors and warnings sahelmap raises: one base class each, each error also a builtin.

Every error raised on purpose is a :class:`SahelmapError`. Its ``exit_code`` is what the
command line exits with: 2 for bad input or usage (the user can fix it), 1 for a failure.
Warnings are :class:`SahelmapWarning` (or a subclass), so a caller can filter them all::

    warnings.simplefilter("error", sahelmap.SahelmapWarning)
"""

from __future__ import annotations

import sys
import warnings

__all__ = [
    "warn",
    "SahelmapError",
    "OptionError",
    "SahelmapWarning",
    "DataWarning",
    "BoundaryError",
    "ChecksumError",
    "PcodeVersionError",
    "GazetteerError",
    "InputFileError",
    "AccountingError",
    "AggregateError",
    "ExportError",
    "OutputLockedError",
    "PeriodError",
    "RenderError",
]


class SahelmapError(Exception):
    """Base class of every error sahelmap raises on purpose."""

    #: Exit code of the command line: 2 for bad input or usage, 1 for a failure.
    exit_code = 2


class OptionError(SahelmapError, ValueError):
    """An option has a value sahelmap cannot use (the message names the option)."""


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

    Raised by :meth:`sahelmap.LoadResult.check`; it means a bug, please report it.
    """

    exit_code = 1


class AggregateError(SahelmapError, ValueError):
    """Aggregation cannot proceed (bad option or input) or its totals do not add up."""


class PcodeVersionError(BoundaryError):
    """The version of a set of P-codes cannot be told, and it matters for what they mean.

    The message names the ``pcode_version`` option that settles it.
    """


class ExportError(SahelmapError, ValueError):
    """A frame cannot be written (unknown format, no geometry, or an unwritable path)."""


class OutputLockedError(ExportError):
    """Another sahelmap run is writing into the same output folder."""


class PeriodError(SahelmapError, ValueError):
    """A period (ISO week, date range) is malformed."""


class EmptyMapError(SahelmapError, ValueError):
    """The map asked for would show zero everywhere although reports were accepted."""


class RenderError(SahelmapError, ValueError):
    """A frame cannot be drawn: wrong type, missing column, unknown option."""


class SahelmapWarning(UserWarning):
    """Base class of the warnings sahelmap gives: something was recovered, say how to fix it."""


class DataWarning(SahelmapWarning):
    """The input was read, but part of it was assumed or left out (the message says which)."""


def warn(message: str, category: type[Warning] = DataWarning) -> None:
    """Warn, pointing at the caller's line: the first frame outside the sahelmap package.

    Parameters
    ----------
    message : str
        What was recovered or assumed, and how to fix it.
    category : type of Warning
        A :class:`SahelmapWarning` subclass.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_globals.get("__name__", "").split(".")[0] == "sahelmap":
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
