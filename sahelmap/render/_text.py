"""Text made safe for HTML and for ``<script>`` blocks; number formatting for labels."""

from __future__ import annotations

import html
import json
import math
from typing import Any

from sahelmap.vocab import VALUE_LABELS

__all__ = ["esc", "clip", "script_json", "fmt_number", "value_label"]



def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT, pd.NA
    except (TypeError, ValueError):
        return False


def esc(value: Any) -> str:
    """Return ``value`` as HTML-escaped text; ``""`` for missing values.

    Examples
    --------
    >>> esc("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    >>> esc(None), esc(float("nan"))
    ('', '')
    """
    if _missing(value):
        return ""
    return html.escape(str(value).strip(), quote=True)


def clip(value: Any, limit: int) -> Any:
    """Shorten long text to ``limit`` characters with an ellipsis (before escaping)."""
    if isinstance(value, str) and len(value) > limit:
        return value[: limit - 1].rstrip() + "\u2026"
    return value


def script_json(obj: Any) -> str:
    r"""Serialise ``obj`` as compact JSON that is safe inside an HTML ``<script>`` block.

    ``<`` and ``>`` become ``\u003c``/``\u003e`` so no string can close the script
    element or open a comment, whatever it contains.

    Examples
    --------
    >>> script_json({"a": "</script>"})
    '{"a":"\\u003c/script\\u003e"}'
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (text.replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def fmt_number(value: float) -> str:
    """Format a figure for a label: thousands separators, few decimals.

    Examples
    --------
    >>> fmt_number(12345.0), fmt_number(0.25), fmt_number(12.345), fmt_number(1234.5678)
    ('12,345', '0.25', '12.3', '1,235')
    """
    if _missing(value):
        return ""
    value = float(value)
    if math.isfinite(value) and value == round(value):
        return f"{int(round(value)):,}"
    size = abs(value)
    if size < 0.1:
        return f"{value:.3g}"
    digits = 2 if size < 10 else 1 if size < 1000 else 0
    text = f"{value:,.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def value_label(column: str) -> str:
    """Return the reader's name of a value column (``"idps"`` -> ``"IDPs"``)."""
    return VALUE_LABELS.get(column, str(column).replace("_", " ").strip().capitalize())
