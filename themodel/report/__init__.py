"""`python -m themodel report`: one self-contained HTML page of the funnel and KPIs.

Reads only the ``marts`` schema of the DuckDB warehouse. Charts are inline SVG; the
page loads nothing from the network and runs no script.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date
from html import escape
from pathlib import Path

import duckdb

from themodel.report import sections
from themodel.report.labels import Labels, korean_labels
from themodel.warehouse import connect_read_only, database_path

DEFAULT_OUT = Path("warehouse/report")
# each section, its anchor and title, and the marts it draws: a section none of whose
# marts can be computed from the export says why in its place
SECTIONS: list[tuple[Callable[[sections.Context], str], str, str, list[str]]] = [
    (sections.funnel, "funnel", "Funnel by stage", ["funnel_stage_conversion"]),
    (sections.bottlenecks, "bottleneck", "Bottleneck by segment", ["funnel_bottlenecks"]),
    (
        sections.role_kpis,
        "roles",
        "KPI trends per role",
        [
            "marketing_kpis_monthly",
            "inside_sales_kpis_monthly",
            "field_sales_kpis_monthly",
            "customer_success_kpis_monthly",
        ],
    ),
    (
        sections.diagnostics,
        "diagnostics",
        "New-business diagnostics",
        ["new_business_diagnostics"],
    ),
    (
        sections.forecast,
        "forecast",
        "Forecast inputs",
        ["forecast_inputs_quarterly", "forecast_pipeline"],
    ),
    (sections.waterfall, "waterfall", "Pipeline waterfall", ["pipeline_waterfall"]),
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
p.missing { width: 100%; color: #744210; background: #fefcbf; padding: 6px 10px; }
"""


def has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    (found,) = con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'marts' and table_name = ?",
        [name],
    ).fetchone()
    return bool(found)


def missing_marts(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Mart -> why this export cannot give it (marts.mart_availability); {} for a
    warehouse built before that mart existed."""
    if not has_table(con, "mart_availability"):
        return {}
    found = con.execute(
        "select mart, coalesce(reason, 'unavailable') from marts.mart_availability"
        " where not is_available"
    ).fetchall()
    return dict(found)


def default_as_of(con: duckdb.DuckDBPyConnection) -> date:
    """The warehouse's own as-of date (the date its open pipeline was taken)."""
    for table in ("mart_availability", "sales_capacity_valve"):
        if has_table(con, table):
            (value,) = con.execute(f"select max(as_of_date) from marts.{table}").fetchone()
            if value is not None:
                return value
    raise SystemExit(
        "the warehouse has no marts.mart_availability with an as-of date: build the warehouse"
        " first (`make demo`, or dbt build on your export), or pass --as-of YYYY-MM-DD"
    )


def unavailable(anchor: str, title: str, reasons: dict[str, str]) -> str:
    """A section that cannot be drawn from this export, with the reason of each mart."""
    why = "; ".join(f"{escape(mart)}: {escape(reason)}" for mart, reason in reasons.items())
    return sections.section(
        anchor,
        title,
        "Not drawn: this export lacks what it needs.",
        f'<p class="missing">Not available from this export. {why}.</p>',
    )


def render(con: duckdb.DuckDBPyConnection, as_of: date, segment: str) -> str:
    missing = missing_marts(con)
    ctx = sections.Context(con, as_of, segment, Labels(korean_labels()), missing)
    body = "".join(
        unavailable(anchor, title, {mart: missing[mart] for mart in marts})
        if all(mart in missing for mart in marts)
        else part(ctx)
        for part, anchor, title, marts in SECTIONS
    )
    (currency,) = con.execute(
        "select coalesce(max(reporting_currency), 'the reporting currency')"
        " from marts.forecast_inputs_quarterly"
    ).fetchone()
    title = f"The Model: funnel and KPIs as of {as_of}, segment {segment}"
    unavailable_count = (
        f" Not computable from this export: {escape(', '.join(sorted(missing)))}"
        " (each section says why)."
        if missing
        else ""
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(title)}</h1><p>Read from the marts of the warehouse; amounts in "
        f"millions of {escape(currency)} (M). Labels: English / 한국어.{unavailable_count}</p>"
        f"{body}</body></html>"
    )


def segments(con: duckdb.DuckDBPyConnection) -> list[str]:
    # the segments the marts cut by (a small export may have no bottleneck rows yet)
    found = con.execute(
        "select segment from marts.funnel_bottlenecks"
        " union select segment from marts.funnel_stage_conversion order by 1"
    )
    return [sections.ALL, *(name for (name,) in found.fetchall())]


def write_report(
    database: str | Path | None, out: Path, as_of: date | None = None, segment: str = sections.ALL
) -> Path:
    """Render the report of a built warehouse into ``out``; returns the HTML file."""
    with connect_read_only(database_path(str(database) if database else None)) as con:
        known = segments(con)
        if segment not in known:
            raise SystemExit(f"--segment {segment!r}: not in the marts' segments {known}")
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
