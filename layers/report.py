"""A printable one-page HTML shortlist report (every value escaped)."""
from __future__ import annotations

from datetime import date

import pandas as pd

from layers.escape import escape_html


def shortlist_report(title: str, need_lines: list[str], table: pd.DataFrame, notes: list[str], *,
                     lang: str = "zh") -> str:
    """Self-contained HTML (no external resources), A4-friendly, for printing or saving; ``lang`` is
    the language of the texts passed in."""
    head = "".join(f"<th>{escape_html(c)}</th>" for c in table.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape_html(v)}</td>" for v in row) + "</tr>"
                   for row in table.itertuples(index=False))
    needs = "".join(f"<li>{escape_html(line)}</li>" for line in need_lines)
    extra = "".join(f"<li>{escape_html(n)}</li>" for n in notes)
    return f"""<!doctype html><html lang="{escape_html(lang)}"><head><meta charset="utf-8"><title>{escape_html(title)}</title>
<style>@page{{size:A4;margin:14mm}}body{{font-family:"Noto Sans CJK SC",sans-serif;font-size:11px;color:#222}}
h1{{font-size:18px;margin:0 0 4px}}table{{border-collapse:collapse;width:100%;margin-top:8px}}
th,td{{border:1px solid #ccc;padding:3px 5px;text-align:left;vertical-align:top}}th{{background:#f3f3f3}}
.muted{{color:#666}}</style></head><body><h1>{escape_html(title)}</h1>
<div class="muted">{date.today().isoformat()}</div><ul>{needs}</ul>
<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table><ul class="muted">{extra}</ul></body></html>"""
