"""HTML to PDF with WeasyPrint: A4, Noto Sans CJK SC (Debian's ``fonts-noto-cjk``, found through
fontconfig, embedded in the PDF), page numbers and a running header; offline — nothing is fetched but the
``data:`` URIs of the document itself (charts and maps are inline SVG)."""
from __future__ import annotations

import base64
from dataclasses import dataclass

from layers.escape import escape_html
from messages import t

FONT_STACK = '"Noto Sans CJK SC", "Source Han Sans SC", sans-serif'


@dataclass(frozen=True)
class Pdf:
    """A rendered document: its bytes and how many pages it has."""

    data: bytes
    pages: int


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (quotes, backslashes and line breaks escaped)."""
    return '"' + "".join(f"\\{ord(c):x} " if c in '"\\\n\r' or ord(c) < 32 else c for c in text) + '"'


def page_css(lang: str, header: str) -> str:
    """The page rules: A4, margins, the running ``header`` (top left) and "page n of m" (bottom right)."""
    before, _, rest = t("rp_page", lang, page="\0", pages="\1").partition("\0")
    middle, _, after = rest.partition("\1")
    counter = f"{css_string(before)} counter(page) {css_string(middle)} counter(pages) {css_string(after)}"
    return f"""@page {{ size: A4; margin: 16mm 14mm 16mm 14mm; font-family: {FONT_STACK}; font-size: 7.5pt;
  color: #666;
  @top-left {{ content: {css_string(header)}; }}
  @bottom-right {{ content: {counter}; }} }}
html {{ font-family: {FONT_STACK}; font-size: 9pt; color: #222; line-height: 1.45; }}
html[lang=en] {{ font-feature-settings: "pwid"; }}
h1 {{ font-size: 17pt; margin: 0 0 2mm; color: #1f3a93; }}
h2 {{ font-size: 12.5pt; margin: 6mm 0 2mm; color: #1f3a93; border-bottom: 0.6pt solid #1f3a93;
  break-after: avoid; }}
h3 {{ font-size: 10.5pt; margin: 4mm 0 1.5mm; break-after: avoid; }}
p {{ margin: 1mm 0 2mm; }}
.meta {{ color: #444; font-size: 8.5pt; }}
.muted {{ color: #666; font-size: 8pt; }}
table {{ border-collapse: collapse; width: 100%; margin: 1.5mm 0 3mm; font-size: 8pt; }}
th, td {{ border: 0.5pt solid #bbb; padding: 1mm 1.4mm; text-align: left; vertical-align: top; }}
th {{ background: #eef2f8; font-weight: bold; }}
td.num, th.num {{ text-align: right; white-space: nowrap; }}
tr {{ break-inside: avoid; }}
tr.total td {{ font-weight: bold; background: #f6f6f8; }}
.cards {{ display: flex; flex-wrap: wrap; gap: 2mm; margin: 2mm 0; }}
.card {{ flex: 1 1 40%; border: 0.6pt solid #ccd; border-radius: 1.5mm; padding: 2mm 3mm; break-inside: avoid; }}
.card .label {{ color: #555; font-size: 8pt; }}
.card .value {{ font-size: 14pt; font-weight: bold; color: #1f3a93; }}
.card .note {{ color: #555; font-size: 7.5pt; }}
.box {{ border-left: 1.2mm solid #d9822b; background: #fdf5ec; padding: 2mm 3mm; margin: 2mm 0; }}
figure {{ margin: 2mm 0; break-inside: avoid; }}
figure img {{ width: 100%; }}
figcaption {{ color: #555; font-size: 7.5pt; }}
.keep {{ break-inside: avoid; }}
table.fixed {{ table-layout: fixed; }}
table.fixed th {{ hyphens: auto; }}
table.fixed th:first-child {{ width: 19%; }}
table.fixed td.num, table.fixed th.num {{ white-space: normal; }}
table.figures {{ table-layout: fixed; }}
table.figures th:nth-child(1) {{ width: 17%; }}
table.figures th:nth-child(2) {{ width: 38%; }}
section.result {{ break-inside: avoid; }}
"""


def svg_data_img(svg: str, *, alt: str, css_class: str = "") -> str:
    """An ``<img>`` showing ``svg`` from a ``data:`` URI (WeasyPrint draws SVG itself)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return (f'<img class="{escape_html(css_class)}" alt="{escape_html(alt)}" '
            f'src="data:image/svg+xml;base64,{data}">')


def html_document(body: str, *, lang: str, title: str, header: str) -> str:
    """A complete HTML document with the page rules (``body`` must be escaped already)."""
    return (f'<!doctype html><html lang="{escape_html(lang)}"><head><meta charset="utf-8">'
            f'<title>{escape_html(title)}</title><style>{page_css(lang, header)}</style></head>'
            f'<body>{body}</body></html>')


def to_pdf(html: str) -> Pdf:
    """Render ``html`` to PDF (fonts embedded and subset). Only ``data:`` URIs are loaded."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).render()
    return Pdf(document.write_pdf(), len(document.pages))


def html_table(heads: list[str], rows: list[list], *, numeric: set[int] = frozenset(), total: bool = False,
               css_class: str = "") -> str:
    """A table of escaped cells; columns in ``numeric`` right-aligned; ``total``: the last row in bold."""
    def cls(i: int) -> str:
        return ' class="num"' if i in numeric else ""

    head = "".join(f"<th{cls(i)}>{escape_html(h)}</th>" for i, h in enumerate(heads))
    body = []
    for k, row in enumerate(rows):
        css = ' class="total"' if total and k == len(rows) - 1 else ""
        body.append(f"<tr{css}>" + "".join(f"<td{cls(i)}>{escape_html(v)}</td>" for i, v in enumerate(row))
                    + "</tr>")
    css = f' class="{escape_html(css_class)}"' if css_class else ""
    return f"<table{css}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
