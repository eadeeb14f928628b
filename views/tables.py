"""Static HTML blocks for the pages (tables, headline cards): every text escaped (data text
never becomes markup). Faster to show than interactive widgets, and printable. Pure: no
streamlit here."""
from __future__ import annotations

import re

import pandas as pd

from layers.escape import escape_html
from messages import Pair, t

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$&=\"'])")

TABLE_CSS = ("<style>.sm-table th{text-align:left;background:#f6f6f8;position:sticky;top:0}"
             ".sm-table td,.sm-table th{border-bottom:1px solid #e6e6ea;padding:4px 6px;vertical-align:top}"
             ".sm-table td.num,.sm-table th.num{text-align:right;white-space:nowrap}"
             ".carrier-detail .sm-table td:first-child{white-space:nowrap;font-weight:600}"
             ".sm-list td:nth-child(3){color:#666;font-size:12px}</style>")


def md_escape(value) -> str:
    """``value`` as literal text inside Markdown: every character Markdown, Streamlit's colour and
    emoji directives or LaTeX could act on is backslash-escaped; line breaks become spaces."""
    text = " ".join(str(value).split("\n")).replace("\r", " ")
    return _MARKDOWN.sub(r"\\\1", text)


def md(key: str, lang: str, **values) -> str:
    """The catalogue text ``key`` with ``values`` (data: names, reasons, file names) escaped for
    Markdown, for st.markdown / caption / info / warning / error."""
    def safe(v):
        if isinstance(v, Pair):
            return Pair(md_escape(v.zh), md_escape(v.en))
        return md_escape(v) if isinstance(v, str) else v
    return t(key, lang, **{k: safe(v) for k, v in values.items()})


def caption_html(text) -> str:
    """A caption-styled line of escaped text (data text, never Markdown)."""
    return f'<p style="color:rgba(49,51,63,.6);font-size:14px;margin:0 0 .5rem">{escape_html(text)}</p>'


def html_table(headers: list[str], rows: list[list], *, max_height: int | None = None, css_class: str = "",
               numeric: set[int] | frozenset[int] = frozenset()) -> str:
    """An HTML table; ``numeric`` column positions are right-aligned."""
    def cell(tag: str, i: int, value) -> str:
        cls = ' class="num"' if i in numeric else ""
        return f"<{tag}{cls}>{escape_html(value)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows)
    style = f' style="max-height:{max_height}px;overflow:auto"' if max_height else ""
    classes = f"sm-table {css_class}".strip()
    return (f'<div class="{classes}"{style}><table style="width:100%;border-collapse:collapse;font-size:13px">'
            f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>{TABLE_CSS}")


def frame_table(frame: pd.DataFrame, **options) -> str:
    """:func:`html_table` of a DataFrame (columns as headers; NaN and None shown as empty)."""
    rows = [["" if v is None or (isinstance(v, float) and v != v) else v for v in row]
            for row in frame.itertuples(index=False)]
    numeric = {i for i, c in enumerate(frame.columns) if pd.api.types.is_numeric_dtype(frame[c])}
    return html_table([str(c) for c in frame.columns], rows, numeric=options.pop("numeric", numeric), **options)


KPI_CSS = ("<style>.sm-kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:12px}"
           ".sm-kpi{border:1px solid #e6e6ea;border-radius:8px;padding:10px 12px}"
           ".sm-kpi .l{font-size:14px;color:#31333f}.sm-kpi .v{font-size:30px;font-weight:600;line-height:1.3}"
           ".sm-kpi .n{font-size:12px;color:#666}</style>")


def kpi_cards(cards: list[tuple[str, str, str]]) -> str:
    """Headline figures as cards: (label, value, note)."""
    body = "".join(f'<div class="sm-kpi"><div class="l">{escape_html(label)}</div>'
                   f'<div class="v">{escape_html(value)}</div><div class="n">{escape_html(note)}</div></div>'
                   for label, value, note in cards)
    return f'<div class="sm-kpis">{body}</div>{KPI_CSS}'
