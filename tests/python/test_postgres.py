"""The same marts on PostgreSQL as on DuckDB: load the demo exports into a running
PostgreSQL (`python -m themodel load`), build there, build the same exports on a
fresh DuckDB file, and compare every mart row by row.

Needs a server: `make test-postgres` starts a throwaway one (scripts/postgres.sh),
sets THE_MODEL_PG_TEST=1 and THE_MODEL_PG_PORT, runs this file and stops it. The
test builds in databases of its own on that server (the_model_test_generic and
the_model_test_salesforce, dropped and created again on each run). The
salesforce format builds with a business calendar other than the defaults
(CALENDAR_VARS: days cut in Asia/Seoul, fiscal quarters from February), so the
zone and fiscal-quarter SQL of each target is compared too.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import json
import math
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from test_build_generic import PROJECT, dbt

from themodel.generator.cli import generate
from themodel.load import LoadError, connect_postgres, load

pytestmark = pytest.mark.skipif(
    os.environ.get("THE_MODEL_PG_TEST") != "1",
    reason="PostgreSQL comparison not run: set THE_MODEL_PG_TEST=1 with a server at "
    "THE_MODEL_PG_* (make test-postgres starts one and stops it)",
)

REL_TOL = 1e-9
# Floating-point sums of different order leave noise around zero (1e-17 against 0).
ABS_TOL = 1e-12
# the salesforce comparison's business calendar (the generic one keeps the defaults)
CALENDAR_VARS = {"business_time_zone": "Asia/Seoul", "fiscal_year_start_month": "2"}


def calendar_vars(source: str) -> dict[str, str]:
    return CALENDAR_VARS if source == "salesforce" else {}


def mart_grains() -> dict[str, list[str]]:
    """Each mart's grain: the columns of its first unique_combination test."""
    grains = {}
    for path in sorted((PROJECT / "models/marts").glob("*/_*__models.yml")):
        for model in yaml.safe_load(path.read_text())["models"]:
            for test in model.get("data_tests", []):
                if isinstance(test, dict) and "unique_combination" in test:
                    grains[model["name"]] = test["unique_combination"]["arguments"]["columns"]
                    break
    return grains


@contextlib.contextmanager
def fresh_database(name: str) -> Iterator[None]:
    """Drop and create a database of the test's own on the server THE_MODEL_PG_* names,
    and point THE_MODEL_PG_* (the loader, dbt's profile) at it while inside."""
    con = connect_postgres()
    try:
        con.autocommit = True
        with con.cursor() as cursor:
            cursor.execute(f'drop database if exists "{name}" with (force)')
            cursor.execute(f'create database "{name}"')
    finally:
        con.close()
    saved = os.environ.get("THE_MODEL_PG_DATABASE")
    os.environ["THE_MODEL_PG_DATABASE"] = name
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("THE_MODEL_PG_DATABASE", None)
        else:
            os.environ["THE_MODEL_PG_DATABASE"] = saved


@dataclass
class Warehouses:
    pg: Any  # psycopg2 connection to the_model_test_<source>
    duck: duckdb.DuckDBPyConnection
    source: str
    exports: Path
    work: Path


@pytest.fixture(scope="module", params=["generic", "salesforce"])
def warehouses(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Warehouses]:
    """The demo company in one export format, built on PostgreSQL and on DuckDB.

    Each format gets a fresh database of its own (the_model_test_<format>): the
    snapshot keeps versions across builds by design, so formats must not share one.
    """
    source = request.param
    work = tmp_path_factory.mktemp(f"postgres_{source}")
    exports = work / "exports"
    generate(1, 42, exports, export_format=source)
    database = work / "warehouse.duckdb"
    with fresh_database(f"the_model_test_{source}"), ThreadPoolExecutor(max_workers=1) as pool:
        # the DuckDB build in a thread while PostgreSQL loads and builds (a subprocess
        # of its own; the two dbt builds together keep both cores busy)
        # (data tests: on DuckDB in make build-test; on PostgreSQL in every run of
        # test_run_publish_postgres, whose SQL is the same for both formats)
        duck_build = pool.submit(
            dbt,
            ["build", "--target", "duckdb", "--exclude-resource-type", "test"],
            database,
            exports,
            work / "duck",
            crm_source=source,
            **calendar_vars(source),
        )
        counts = load(exports, source)
        assert counts["opportunities" if source == "generic" else "opportunity"] > 0
        # unit tests run once on PostgreSQL (generic): the same SQL in both formats
        result = dbt(
            ["build", "--target", "postgres", "--exclude-resource-type", "test"],
            work / "x.duckdb",
            exports,
            work / "pg",
            unit_tests=source == "generic",
            crm_source=source,
            **calendar_vars(source),
        )
        assert result.returncode == 0, result.stdout[-5000:]
        result = duck_build.result()
        assert result.returncode == 0, result.stdout[-5000:]
        pg = connect_postgres()
        pg.autocommit = True  # reads only; no transaction left open between tests
        try:
            with duckdb.connect(str(database), read_only=True) as duck:
                yield Warehouses(pg, duck, source, exports, work)
        finally:
            pg.close()


def pg_rows(pg, sql: str) -> tuple[list[str], list[tuple]]:
    with pg.cursor() as cursor:
        cursor.execute(sql)
        return [column.name for column in cursor.description], cursor.fetchall()


def duck_rows(duck: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple]]:
    cursor = duck.execute(sql)
    return [column[0] for column in cursor.description], cursor.fetchall()


def same_value(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float | decimal.Decimal) and isinstance(
        b, int | float | decimal.Decimal
    ):
        return math.isclose(float(a), float(b), rel_tol=REL_TOL, abs_tol=ABS_TOL)
    if isinstance(a, datetime.datetime) or isinstance(b, datetime.datetime):
        return type(a) is type(b) and a == b
    return type(a) is type(b) and a == b


def sort_key(row: tuple, positions: list[int]) -> tuple:
    return tuple((row[i] is None, str(row[i]) if row[i] is not None else "") for i in positions)


def mart_differences(
    mart: str, target: str, columns: list[str], data: list[tuple], duck_data: list[tuple]
) -> list[str]:
    """Each value of a mart that differs between a target and DuckDB, rows matched
    on the mart's grain (both row lists have the same columns and length)."""
    keys = [columns.index(column) for column in mart_grains()[mart]]
    data = sorted(data, key=lambda row: sort_key(row, keys))
    duck_data = sorted(duck_data, key=lambda row: sort_key(row, keys))
    differences = []
    for row, duck_row in zip(data, duck_data, strict=True):
        grain = {columns[i]: row[i] for i in keys}
        for column, a, b in zip(columns, row, duck_row, strict=True):
            # run_id names the build, one per target
            if column != "run_id" and not same_value(a, b):
                differences.append(f"{grain} {column}: {target} {a!r} duckdb {b!r}")
    return differences


def test_every_mart_has_a_grain_and_both_targets_built_the_same_marts(warehouses):
    pg, duck = warehouses.pg, warehouses.duck
    _, pg_tables = pg_rows(
        pg, "select table_name from information_schema.tables where table_schema = 'marts'"
    )
    _, duck_tables = duck_rows(
        duck, "select table_name from information_schema.tables where table_schema = 'marts'"
    )
    assert sorted(pg_tables) == sorted(duck_tables)
    assert sorted(name for (name,) in pg_tables) == sorted(mart_grains())


@pytest.mark.parametrize("mart", sorted(mart_grains()))
def test_mart_is_the_same_on_postgres_and_duckdb(warehouses, mart: str):
    pg, duck = warehouses.pg, warehouses.duck
    pg_columns, pg_data = pg_rows(pg, f"select * from marts.{mart}")
    duck_columns, duck_data = duck_rows(duck, f"select * from marts.{mart}")
    assert pg_columns == duck_columns
    assert len(pg_data) == len(duck_data)
    assert len(pg_data) > 0, f"{mart} is empty on both targets"
    differences = mart_differences(mart, "postgres", pg_columns, pg_data, duck_data)
    assert not differences, f"{len(differences)} differences in {mart}:\n" + "\n".join(
        differences[:20]
    )


def source_freshness(
    work: Path, exports: Path, source: str, target: str, **env: str
) -> dict[str, tuple[str, str]]:
    """`dbt source freshness` on a target: each source table's status and max_loaded_at."""
    folder = work / f"freshness_{target}"
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        result = dbt(
            ["source", "freshness", "--target", target],
            work / "freshness.duckdb",
            exports,
            folder,
            crm_source=source,
        )
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    assert result.returncode == 0, result.stdout[-3000:]
    results = json.loads((folder / "target/sources.json").read_text())["results"]
    return {r["unique_id"]: (r["status"], r["max_loaded_at"]) for r in results}


def freshness(warehouses: Warehouses, target: str) -> dict[str, tuple[str, str]]:
    return source_freshness(warehouses.work, warehouses.exports, warehouses.source, target)


def test_source_freshness_on_postgres_reads_the_loaded_tables_as_duckdb_reads_files(warehouses):
    """Issue 4: freshness on every target. The demo is from 2025, so the three
    tables with a loaded_at_field warn, with the same latest change on both."""
    on_postgres = freshness(warehouses, "postgres")
    assert len(on_postgres) == 3, on_postgres
    assert {status for status, _ in on_postgres.values()} == {"warn"}
    assert on_postgres == freshness(warehouses, "duckdb")


def pipeline_rows() -> list[tuple]:
    # a connection of its own, closed at once: an open transaction's lock on the
    # table would make the next run's rename wait forever
    pg = connect_postgres()
    try:
        _, rows = pg_rows(
            pg,
            "select * from intermediate.int_pipeline_daily order by opportunity_id, pipeline_date",
        )
    finally:
        pg.close()
    return rows


def test_the_postgres_warehouse_records_its_company_and_refuses_another_folder(warehouses):
    """One warehouse per company on PostgreSQL too (docs/one_warehouse_per_company.md):
    the build recorded its export folder, format and fingerprint (from the raw tables),
    and a build naming another export folder stops before writing."""
    _, recorded = pg_rows(
        warehouses.pg,
        "select export_folder, crm_source, company_fingerprint"
        " from the_model_meta.warehouse_identity",
    )
    assert len(recorded) == 1
    folder, source, fingerprint = recorded[0]
    assert (folder, source) == (str(warehouses.exports.absolute()), warehouses.source)
    assert fingerprint.startswith("accounts ")
    other = warehouses.work / "another_company"
    result = dbt(
        ["build", "--target", "postgres"],
        warehouses.work / "x.duckdb",
        other,
        warehouses.work / "pg_refused",
        crm_source=warehouses.source,
    )
    assert result.returncode != 0
    text = " ".join(result.stdout.split())
    assert "holds another company's build" in text
    assert "(export folder differs)" in text
    assert f"this build: export folder {other.absolute()}" in text
    assert "THE_MODEL_PG_DATABASE" in text and "replace_warehouse: true" in text


def test_incremental_daily_pipeline_equals_a_full_refresh_on_postgres(tmp_path: Path):
    """The DuckDB test of the same name (test_build_generic.py) on PostgreSQL, where
    delete+insert is the adapter's own: build as of noon on a day when an open deal
    closes in the afternoon, step two days later, then to the latest data; the
    incremental result must equal a full refresh."""
    exports = tmp_path / "exports"
    generate(1, 7, exports)
    with fresh_database("the_model_test_incremental"):
        load(exports, "generic")
        for as_of in ("2025-08-14 12:00:00", "2025-08-16 12:00:00", "2025-12-21 23:59:00"):
            # seeds and models only: the data tests of these models run in the
            # builds above; this test is about the incremental model's rows
            earlier = dbt(
                ["build", "--target", "postgres", "--select", "+int_pipeline_daily"]
                + ["--exclude-resource-type", "test"],
                tmp_path / "x.duckdb",
                exports,
                tmp_path,
                as_of_date=as_of,
            )
            assert earlier.returncode == 0, earlier.stdout[-3000:]
        rows_before = len(pipeline_rows())
        caught_up = dbt(
            ["run", "--target", "postgres", "--select", "+int_pipeline_daily"],
            tmp_path / "x.duckdb",
            exports,
            tmp_path,
        )
        assert caught_up.returncode == 0, caught_up.stdout[-3000:]
        after_incremental = pipeline_rows()
        assert len(after_incremental) > rows_before > 1000
        full = dbt(
            ["run", "--target", "postgres", "--select", "int_pipeline_daily", "--full-refresh"],
            tmp_path / "x.duckdb",
            exports,
            tmp_path,
        )
        assert full.returncode == 0, full.stdout[-3000:]
        assert after_incremental == pipeline_rows()


TIMESTAMP_TEXTS = [
    "2024-01-19T06:46:00Z",
    "2024-01-19T06:46:00.123456Z",
    "2024-01-19 06:46:00.5",
    "2024-01-19 06:46",
    "2024-1-9",
    "2024-01-19T06:46:00+09:00",
    "2024-01-19T06:46:00-0530",
    "2024-01-19T06:46:00.250+09:00",
    "2024-01-19 06:46:00+09",
    "2023-02-29T10:00:00+09:00",
    "2024-02-29 23:30:00-02:00",
    "11/09/25 03:04 PM",
    "11/09/25 12:04 AM",
    "1/9/25 3:04 pm",
    "11/09/2025 03:04 PM",
    "11/09/25 15:04",
    "11/09/69",
    "11/09/70",
    "02/29/2024",
    "02/29/2023",
    "02/30/25 03:04 PM",
    "00/10/25",
    "12/31/99 12:00 AM",
    "2025/11/09 15:04:05",
    "2024/1/9 1:02",
    "2025/02/30",
    "2024-13-01",
    "2024-01-19T25:00:00Z",
    "2024-01-19T06:60:00Z",
    "2024-01-19T06:46:00.1234567Z",
    " 2024-01-19 ",
    "99999-01-01",
    "garbage",
    "",
]


def test_postgres_timestamp_parser_reads_text_as_duckdb_does(warehouses):
    """postgres__parse_timestamp against duckdb__parse_timestamp as written in parsing.sql."""
    pg = warehouses.pg
    macro = (PROJECT / "macros/staging/parsing.sql").read_text()
    body = re.search(
        r"{% macro duckdb__parse_timestamp\(column\) -%}(.*?){%- endmacro %}", macro, re.S
    )
    assert body is not None
    # the macro's Jinja comments are not SQL
    expression = re.sub(r"{#.*?#}", "", body.group(1), flags=re.S).replace("{{ column }}", "value")
    # compared as microseconds since 1970: Python's datetime has no year 0 ('00/10/25'
    # is 1 BC on both), and the exact integer leaves no rounding to hide behind
    with duckdb.connect() as duck:
        expected = [
            duck.execute(
                f"select epoch_us({expression}) from (select ? as value)", [text]
            ).fetchone()[0]
            for text in TIMESTAMP_TEXTS
        ]
    with pg.cursor() as cursor:
        found = []
        for text in TIMESTAMP_TEXTS:
            cursor.execute(
                "select cast(extract(epoch from public.the_model_parse_timestamp(%s))"
                " * 1000000 as bigint)",
                [text],
            )
            found.append(cursor.fetchone()[0])
    assert list(zip(TIMESTAMP_TEXTS, found, strict=True)) == list(
        zip(TIMESTAMP_TEXTS, expected, strict=True)
    )
    assert sum(value is None for value in expected) >= 8  # the bad texts are in the list


def test_load_names_the_file_it_cannot_read(tmp_path: Path):
    (tmp_path / "opportunities.parquet").write_text("not parquet")
    with pytest.raises(LoadError, match=r"opportunities\.parquet"):
        load(tmp_path, "generic")


def raw_tables(schema: str) -> dict[str, list[tuple]]:
    """Every raw table of a schema on the current test database, rows sorted."""
    pg = connect_postgres()
    try:
        with pg.cursor() as cursor:
            cursor.execute(
                "select table_name from information_schema.tables where table_schema = %s",
                (schema,),
            )
            tables = {}
            for (name,) in cursor.fetchall():
                cursor.execute(f'select * from "{schema}"."{name}"')
                tables[name] = sorted(cursor.fetchall(), key=repr)
            return tables
    finally:
        pg.close()


@pytest.mark.parametrize("encoding", ["cp1252", "euc-kr", "shift_jis", "utf-16"])
def test_load_reads_the_export_encoding_into_the_raw_text_of_the_utf8_original(
    tmp_path: Path, encoding: str
):
    from test_export_encoding import SAMPLE, edits_for, write_export

    if not SAMPLE.is_dir():
        pytest.skip(f"real export samples not found: {SAMPLE} is missing")
    loaded = {}
    for name, file_encoding in (("utf8", "utf-8"), ("encoded", encoding)):
        write_export(tmp_path / name, file_encoding, edits_for(encoding))
        with fresh_database("the_model_test_encoding"):
            load(tmp_path / name, "salesforce", encoding=file_encoding)
            loaded[name] = raw_tables("raw_salesforce")
    assert loaded["encoded"] == loaded["utf8"]
    assert "김민준" in repr(loaded["encoded"]["lead"])


# numbers, currencies and day/month dates in each var('number_format') and
# var('date_order'): the parsers of parsing.sql are compiled for each target
PARSE_TEXTS = [
    "1,234.56",
    "USD 38,300",
    "12,000 €",
    "₩1,200,000",
    "- £12",
    "$5,000",
    "KRW5000",
    "-1,200",
    "11930000,00",
    "1,23,456",
    "1.234,56",
    "1 234,56",
    "1\u00a0234\u00a0567,5",
    "12.50",
    "12,345,678,901,234,567",
    "9999999999999998.999",
    "9999999999999999.00",
    "1234567890123456789",
    " 250 ",
    "+7",
    "2.500",
    "0,00076",
    "about 5M",
    "USD 5 EUR",
    "",
    "09.11.2025",
    "9-11-2025",
    "25/11/09",
    "2025.11.09 10:30",
    "11/09/25 03:04 PM",
    "2024-01-19",
    "2024-01-19T06:46:00+09:00",
]
PARSE_VARS = [
    {},
    {"number_format": "1.234,56", "date_order": "DMY"},
    {"number_format": "1 234,56", "date_order": "YMD"},
]
PARSE_INLINE = (
    "with input as (select cast('__TEXT__' as varchar) as value) select"
    " {{ money_text('value') }} as money_text, {{ parse_money('value') }} as money,"
    " {{ money_currency('value') }} as currency, {{ integer_text('value') }} as integer_text,"
    " {{ parse_integer('value') }} as whole, {{ rate_text('value') }} as rate,"
    " {{ date_order_text('value') }} as date_text from input"
)


def parsed_texts(target: str, variables: dict, work: Path) -> list[tuple]:
    """PARSE_INLINE compiled for a target and run there on each of PARSE_TEXTS."""
    result = dbt(
        ["--quiet", "compile", "--inline", PARSE_INLINE, "--target", target],
        work / "x.duckdb",
        work,
        work,
        **variables,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    sql = result.stdout.strip()
    queries = [sql.replace("__TEXT__", text.replace("'", "''")) for text in PARSE_TEXTS]
    if target == "duckdb":
        with duckdb.connect() as duck:
            return [tuple(str(v) for v in duck.execute(q).fetchone()) for q in queries]
    pg = connect_postgres()
    try:
        with pg.cursor() as cursor:
            rows = []
            for query in queries:
                cursor.execute(query.replace("%", "%%"))
                rows.append(tuple(str(v) for v in cursor.fetchone()))
            return rows
    finally:
        pg.close()


@pytest.mark.parametrize("variables", PARSE_VARS, ids=lambda v: v.get("number_format", "default"))
def test_postgres_number_and_date_order_parsers_read_text_as_duckdb_does(tmp_path, variables):
    expected = parsed_texts("duckdb", variables, tmp_path)
    found = parsed_texts("postgres", variables, tmp_path)
    assert list(zip(PARSE_TEXTS, found, strict=True)) == list(
        zip(PARSE_TEXTS, expected, strict=True)
    )
    # the texts cover each outcome: parsed, not parsed, out of range
    assert any(row[1] == "None" and row[0] != "None" for row in expected)
