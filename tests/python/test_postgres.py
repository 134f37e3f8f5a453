"""The same marts on PostgreSQL as on DuckDB: load the demo exports into a running
PostgreSQL (`python -m themodel load`), build there, build the same exports on a
fresh DuckDB file, and compare every mart row by row.

Needs a server: `make test-postgres` starts a throwaway one (scripts/postgres.sh),
sets THE_MODEL_PG_TEST=1 and THE_MODEL_PG_PORT, runs this file and stops it. The
build replaces the raw, staging, intermediate and mart tables of that database; the
snapshot keeps versions across builds by design, so use a database that has not
built other exports (a fresh server has not).
"""

from __future__ import annotations

import datetime
import decimal
import math
import os
import re
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


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("postgres")
    exports = work / "exports"
    generate(1, 42, exports)
    counts = load(exports, "generic")
    assert counts["opportunities"] > 0
    pg_work, duck_work = work / "pg", work / "duck"
    result = dbt(
        ["build", "--target", "postgres", "--full-refresh"], work / "x.duckdb", exports, pg_work
    )
    assert result.returncode == 0, result.stdout[-5000:]
    database = work / "warehouse.duckdb"
    result = dbt(["build", "--target", "duckdb"], database, exports, duck_work)
    assert result.returncode == 0, result.stdout[-5000:]
    pg = connect_postgres()
    try:
        with duckdb.connect(str(database), read_only=True) as duck:
            yield pg, duck
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


def test_every_mart_has_a_grain_and_both_targets_built_the_same_marts(warehouses):
    pg, duck = warehouses
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
    pg, duck = warehouses
    pg_columns, pg_data = pg_rows(pg, f"select * from marts.{mart}")
    duck_columns, duck_data = duck_rows(duck, f"select * from marts.{mart}")
    assert pg_columns == duck_columns
    assert len(pg_data) == len(duck_data)
    assert len(pg_data) > 0, f"{mart} is empty on both targets"
    keys = [pg_columns.index(column) for column in mart_grains()[mart]]
    pg_data.sort(key=lambda row: sort_key(row, keys))
    duck_data.sort(key=lambda row: sort_key(row, keys))
    differences = []
    for pg_row, duck_row in zip(pg_data, duck_data, strict=True):
        grain = {pg_columns[i]: pg_row[i] for i in keys}
        for column, a, b in zip(pg_columns, pg_row, duck_row, strict=True):
            if not same_value(a, b):
                differences.append(f"{grain} {column}: postgres {a!r} duckdb {b!r}")
    assert not differences, f"{len(differences)} differences in {mart}:\n" + "\n".join(
        differences[:20]
    )


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
    pg, _ = warehouses
    macro = (PROJECT / "macros/staging/parsing.sql").read_text()
    body = re.search(
        r"{% macro duckdb__parse_timestamp\(column\) -%}(.*?){%- endmacro %}", macro, re.S
    )
    assert body is not None
    expression = body.group(1).replace("{{ column }}", "value")
    with duckdb.connect() as duck:
        expected = [
            duck.execute(f"select {expression} from (select ? as value)", [text]).fetchone()[0]
            for text in TIMESTAMP_TEXTS
        ]
    with pg.cursor() as cursor:
        found = []
        for text in TIMESTAMP_TEXTS:
            cursor.execute("select public.the_model_parse_timestamp(%s)", [text])
            found.append(cursor.fetchone()[0])
    assert list(zip(TIMESTAMP_TEXTS, found, strict=True)) == list(
        zip(TIMESTAMP_TEXTS, expected, strict=True)
    )
    assert sum(value is None for value in expected) >= 8  # the bad texts are in the list


def test_load_names_the_file_it_cannot_read(tmp_path: Path):
    (tmp_path / "opportunities.parquet").write_text("not parquet")
    with pytest.raises(LoadError, match=r"opportunities\.parquet"):
        load(tmp_path, "generic")
