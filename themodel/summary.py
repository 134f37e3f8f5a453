"""`python -m themodel summary`: rows per mart, the top bottleneck per segment, what
went to quarantine, and the commands to run next."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from themodel.warehouse import (
    DEFAULT_DATABASE,
    connect_read_only,
    database_path,
    mart_tables,
    tables_in_schema,
)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m themodel summary", description=__doc__)
    parser.add_argument("--database", help="DuckDB file (default: THE_MODEL_DUCKDB_PATH)")
    args = parser.parse_args(argv)

    path = database_path(args.database)
    with connect_read_only(path) as con:
        marts = mart_tables(con)
        print(f"\nThe Model analytics: {path}")
        identity = warehouse_identity(con)
        if identity:
            print(f"  built from {identity['export_folder']} (crm_source {identity['crm_source']})")
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
            export_folder = Path(identity["export_folder"]) if identity else None
            print_accounting(con, planted_rows(export_folder))
        if "fct_activities" in tables_in_schema(con, "facts"):
            print_activity_types(con)
        as_of = build_as_of(con)
    print_next_steps(path, as_of)
    return 0


def warehouse_identity(con) -> dict | None:
    """The export folder and crm_source the warehouse recorded on its first build
    (macros/utils/warehouse_identity.sql)."""
    if "warehouse_identity" not in tables_in_schema(con, "the_model_meta"):
        return None
    row = con.execute(
        "select export_folder, crm_source from the_model_meta.warehouse_identity"
    ).fetchone()
    return {"export_folder": row[0], "crm_source": row[1]} if row else None


def planted_rows(export_folder: Path | None) -> dict[tuple[str, str], int]:
    """(entity, rule) -> rows the demo generator planted on purpose, from truth.json in
    the export folder (themodel/generator/mess.py); empty for any other export."""
    truth = export_folder / "truth.json" if export_folder else None
    if truth is None or not truth.is_file():
        return {}
    try:
        planted = json.loads(truth.read_text(encoding="utf-8")).get("planted_quarantine") or []
    except (OSError, ValueError):
        return {}
    return {(row["entity"], row["rule"]): int(row["row_count"]) for row in planted}


def build_as_of(con) -> str | None:
    if "int_as_of_date" not in tables_in_schema(con, "intermediate"):
        return None
    (as_of,) = con.execute(
        "select cast(max(as_of_at) as date) from intermediate.int_as_of_date"
    ).fetchone()
    return str(as_of) if as_of else None


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


def print_accounting(con, planted: dict[tuple[str, str], int]) -> None:
    """Quarantined rows per entity and rule. The demo's planted bad rows are information
    (they are there on purpose); any other quarantined row is for a person to look at."""
    rows = con.execute(
        "select entity, raw_rows, staged_rows, quarantined_rows"
        " from quarantine.row_accounting where quarantined_rows > 0 order by entity"
    ).fetchall()
    if not rows:
        return
    rules: dict[str, list[tuple[str, int]]] = {}
    for entity, rule, count in con.execute(
        "select entity, rule, count(*) from quarantine.quarantined_rows"
        " group by entity, rule order by entity, count(*) desc, rule"
    ).fetchall():
        rules.setdefault(entity, []).append((rule, count))
    print("\n  rows in quarantine (each row, its rule and raw text: quarantine.quarantined_rows)")
    for entity, raw, staged, quarantined in rows:
        by_rule = ", ".join(f"{rule} {count:,}" for rule, count in rules.get(entity, []))
        print(f"  {entity:<24} {quarantined:>6} of {raw:,} raw rows ({staged:,} staged): {by_rule}")
    found = {(entity, rule): count for entity, pairs in rules.items() for rule, count in pairs}
    total = sum(found.values())
    if planted and found == planted:
        print(
            f"  information: all {total:,} are bad rows the demo generator planted on purpose"
            " (truth.json in the export folder), to show the quarantine at work; nothing to fix."
        )
        return
    unplanted = {key: count - planted.get(key, 0) for key, count in found.items()}
    unplanted = {key: count for key, count in unplanted.items() if count}
    if planted:
        missing = {key: count for key, count in planted.items() if found.get(key, 0) < count}
        print(
            f"  not as planted (truth.json): {len(unplanted)} entity/rule pairs differ"
            f" {sorted(unplanted)}; planted rows let through: {sorted(missing)}"
        )
    print(
        "  fix them in the export or the mapping seeds and build again (docs/bad_input.md);"
        " the build stops when an entity's share passes quarantine_max_share."
    )


def print_next_steps(path: Path, as_of: str | None) -> None:
    """The commands to run next and what each writes."""
    report_file = f"warehouse/report/report_{as_of or '<as-of>'}_all.html"
    demo = Path(path) == Path(DEFAULT_DATABASE)
    database = "" if demo else f" --database {path}"
    if demo:
        steps = [
            ("make report", "the HTML funnel and KPI report", report_file),
            (
                "make docs",
                "the documentation site of models and marts",
                "warehouse/docs/index.html",
            ),
            ("make validate", "Great Expectations on every mart", "Data Docs in warehouse/gx/"),
        ]
    else:
        steps = [
            (
                f".venv/bin/python -m themodel report{database} --out warehouse/report",
                "the HTML funnel and KPI report",
                report_file,
            ),
            (
                f"THE_MODEL_DUCKDB_PATH={path} make validate",
                "Great Expectations on every mart",
                "Data Docs in warehouse/gx/",
            ),
        ]
    steps.append(
        (
            "make doctor EXPORTS=/path/to/your/exports",
            "check your own CRM export before building it (reads the files only)",
            "prints what it found and what blocks a build; MAPPINGS=folder writes the seed"
            " rows for its unmapped labels there",
        )
    )
    print("\n  next steps")
    for command, what, writes in steps:
        print(f"  {command}\n      {what} -> {writes}")


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
