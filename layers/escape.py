"""Escaping of data text on its way into HTML (popups, tooltips, labels, tables)."""
from __future__ import annotations

import html

_EXTRA = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"})


def escape_html(value) -> str:
    """Escape any value for use as HTML text or attribute.

    Beyond ``html.escape`` (``& < > " '``) it also escapes the characters that are
    special inside JavaScript template literals (backtick, ``$``, ``\\``, braces), since
    folium places some HTML inside such literals. None and NaN become ''.
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value), quote=True).translate(_EXTRA)
