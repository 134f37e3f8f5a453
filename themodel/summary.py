"""`python -m themodel summary`: rows per mart and the top bottleneck per segment."""

from __future__ import annotations

import argparse

from themodel.warehouse import connect_read_only, database_path, tables_in_schema


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m themodel summary", description=__doc__)
    parser.add_argument("--database", help="DuckDB file (default: THE_MODEL_DUCKDB_PATH)")
    args = parser.parse_args(argv)

    path = database_path(args.database)
    with connect_read_only(path) as con:
        marts = tables_in_schema(con, "marts")
        print(f"\nThe Model analytics: {path}")
        if not marts:
            print("  schema marts is empty")
            return 1
        print(f"\n  {'mart':<40} {'rows':>10}")
        for name in marts:
            (count,) = con.execute(f'select count(*) from marts."{name}"').fetchone()
            print(f"  {name:<40} {count:>10,}")
        if "funnel_bottlenecks" in marts:
            print_bottlenecks(con)
        quarantine = tables_in_schema(con, "quarantine")
        if "row_accounting" in quarantine:
            print_accounting(con)
        if "fct_activities" in tables_in_schema(con, "facts"):
            print_activity_types(con)
    return 0


def print_bottlenecks(con) -> None:
    rows = con.execute(
        """
        select segment, stage, month, pipeline_id
        from marts.funnel_bottlenecks
        where bottleneck_rank = 1
          and month = (select max(month) from marts.funnel_bottlenecks)
        order by segment, pipeline_id
        """
    ).fetchall()
    several = len({row[3] for row in rows}) > 1
    print("\n  current top bottleneck per segment" + (" and pipeline" if several else ""))
    for segment, stage, month, pipeline in rows:
        line = f"{segment} · {pipeline}" if several else segment
        print(f"  {line:<14} {stage:<24} ({month})")


def print_accounting(con) -> None:
    rows = con.execute(
        "select entity, raw_rows, staged_rows, quarantined_rows"
        " from quarantine.row_accounting where quarantined_rows > 0 order by entity"
    ).fetchall()
    if rows:
        print("\n  rows in quarantine (see quarantine.quarantined_rows)")
        for entity, raw, staged, quarantined in rows:
            print(f"  {entity:<24} {quarantined:>6} of {raw:,} raw rows ({staged:,} staged)")


def print_activity_types(con) -> None:
    """Activities per type, and how many the export gave no type (they carry
    var('default_activity_type')): the activity KPIs count calls, emails and meetings."""
    rows = con.execute(
        "select activity_type, count(*), sum(case when is_type_defaulted then 1 else 0 end)"
        " from facts.fct_activities group by activity_type order by activity_type"
    ).fetchall()
    if not rows:
        return
    print("\n  activities per type (KPIs count call, email, meeting)")
    for activity_type, count, defaulted in rows:
        note = (
            f" ({defaulted:,} exported without a type: default_activity_type)" if defaulted else ""
        )
        print(f"  {activity_type:<24} {count:>6,}{note}")
