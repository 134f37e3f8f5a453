"""`python -m themodel report`: one self-contained HTML page of the funnel and KPIs.

Reads only the ``marts`` schema of the DuckDB warehouse. Charts are inline SVG; the
page loads nothing from the network and runs no script.
"""

from __future__ import annotations

import argparse
from datetime import date
from html import escape
from pathlib import Path

import duckdb

from themodel.report import sections
from themodel.report.labels import Labels, korean_labels
from themodel.warehouse import connect_read_only, database_path

DEFAULT_OUT = Path("warehouse/report")
SECTIONS = [
    sections.funnel,
    sections.bottlenecks,
    sections.role_kpis,
    sections.diagnostics,
    sections.forecast,
    sections.waterfall,
]
STYLE = """
body { font-family: 'Noto Sans KR', 'NanumGothic', 'Malgun Gothic', sans-serif;
  margin: 24px auto; max-width: 1320px; color: #1a202c; background: #fff; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { border-bottom: 2px solid #2b6cb0;
  padding-bottom: 4px; margin-top: 36px; } h3 { width: 100%; margin: 12px 0 0; }
section { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: flex-start; }
section > h2, section > p { width: 100%; } p { color: #4a5568; margin: 4px 0; }
.figure { overflow-x: auto; } figure { margin: 8px 0; }
figcaption { font-weight: 600; font-size: 13px; margin-bottom: 2px; }
svg.chart text { font-size: 11px; fill: #2d3748; } svg.chart .axis { fill: #718096; }
svg.chart .legend { font-size: 11px; } svg.chart .grid { stroke: #e2e8f0; }
svg.chart .band { fill: #c6f6d5; opacity: 0.7; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border: 1px solid #e2e8f0; padding: 3px 8px; text-align: right; }
th { background: #edf2f7; max-width: 140px; } td:first-child { text-align: left; }
"""


def default_as_of(con: duckdb.DuckDBPyConnection) -> date:
    """The warehouse's own as-of date (the date its open pipeline was taken)."""
    (value,) = con.execute("select max(as_of_date) from marts.sales_capacity_valve").fetchone()
    if value is None:
        raise SystemExit("marts.sales_capacity_valve is empty: build the warehouse first")
    return value


def render(con: duckdb.DuckDBPyConnection, as_of: date, segment: str) -> str:
    ctx = sections.Context(con, as_of, segment, Labels(korean_labels()))
    body = "".join(part(ctx) for part in SECTIONS)
    (currency,) = con.execute(
        "select coalesce(max(reporting_currency), 'the reporting currency')"
        " from marts.forecast_inputs_quarterly"
    ).fetchone()
    title = f"The Model: funnel and KPIs as of {as_of}, segment {segment}"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>Read from the marts of the warehouse; amounts in "
        f"millions of {escape(currency)} (M). Labels: English / 한국어.</p>"
        f"{body}</body></html>"
    )


def segments(con: duckdb.DuckDBPyConnection) -> list[str]:
    found = con.execute("select distinct segment from marts.funnel_bottlenecks order by 1")
    return [sections.ALL, *(name for (name,) in found.fetchall())]


def write_report(
    database: str | Path | None, out: Path, as_of: date | None = None, segment: str = sections.ALL
) -> Path:
    """Render the report of a built warehouse into ``out``; returns the HTML file."""
    with connect_read_only(database_path(str(database) if database else None)) as con:
        known = segments(con)
        if segment not in known:
            raise SystemExit(f"--segment {segment!r}: not in marts.funnel_bottlenecks {known}")
        as_of = as_of or default_as_of(con)
        html = render(con, as_of, segment)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"report_{as_of}_{segment}.html"
    path.write_text(html, encoding="utf-8")
    return path


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m themodel report", description=__doc__)
    parser.add_argument("--database", help="DuckDB file (default: THE_MODEL_DUCKDB_PATH)")
    parser.add_argument("--as-of", type=date.fromisoformat, help="YYYY-MM-DD (default: build's)")
    parser.add_argument("--segment", default=sections.ALL, help="all (default), smb, ...")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for the HTML file")
    args = parser.parse_args(argv)

    path = write_report(args.database, args.out, args.as_of, args.segment)
    print(f"report: {path.resolve()}")
    return 0
