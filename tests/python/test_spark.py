"""The same marts on Spark as on DuckDB: load the demo exports into a local Spark
warehouse (`python -m themodel load --target spark`), build there with dbt-spark's
session method, build the same exports on a fresh DuckDB file, and compare every mart
row by row.

Slow (Spark starts three times: loader, dbt, this test's reader), so it runs only with
THE_MODEL_SPARK_TEST=1: `make test-spark` sets it (and `make test` runs it). Every
Spark process gets its own warehouse folder under pytest's tmp_path
(THE_MODEL_SPARK_WAREHOUSE); the embedded catalog takes one process at a time, so
loader, dbt and reader run one after the other.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from test_build_generic import PROJECT, dbt
from test_postgres import TIMESTAMP_TEXTS, mart_grains, same_value, sort_key

from themodel.generator.cli import generate

pytestmark = pytest.mark.skipif(
    os.environ.get("THE_MODEL_SPARK_TEST") != "1",
    reason="Spark comparison not run (slow): set THE_MODEL_SPARK_TEST=1 (make test-spark does)",
)


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module):
    work = tmp_path_factory.mktemp("spark")
    # Spark hands timestamps to Python in the process's local time zone; the session's is UTC.
    monkeypatch_module.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch_module.setenv("THE_MODEL_SPARK_WAREHOUSE", str(work / "spark"))
    exports = work / "exports"
    generate(1, 42, exports)
    loaded = subprocess.run(
        [sys.executable, "-m", "themodel", "load", "--target", "spark", "--exports", str(exports)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert loaded.returncode == 0, loaded.stderr[-5000:]
    assert re.search(r"raw_generic\.opportunities: [1-9]\d* rows", loaded.stdout), loaded.stdout
    result = dbt(["build", "--target", "spark"], work / "x.duckdb", exports, work / "sparkdbt")
    assert result.returncode == 0, result.stdout[-5000:]
    database = work / "warehouse.duckdb"
    result = dbt(["build", "--target", "duckdb"], database, exports, work / "duck")
    assert result.returncode == 0, result.stdout[-5000:]

    from themodel.spark import spark_session

    spark = spark_session()
    try:
        with duckdb.connect(str(database), read_only=True) as duck:
            yield spark, duck
    finally:
        spark.stop()
    time.tzset()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


def spark_rows(spark, sql: str) -> tuple[list[str], list[tuple]]:
    frame = spark.sql(sql)
    return frame.columns, [tuple(row) for row in frame.collect()]


def duck_rows(duck: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[str], list[tuple]]:
    cursor = duck.execute(sql)
    return [column[0] for column in cursor.description], cursor.fetchall()


def test_every_mart_has_a_grain_and_both_targets_built_the_same_marts(warehouses):
    spark, duck = warehouses
    spark_tables = sorted(row.tableName for row in spark.sql("show tables in marts").collect())
    _, duck_tables = duck_rows(
        duck, "select table_name from information_schema.tables where table_schema = 'marts'"
    )
    assert spark_tables == sorted(name for (name,) in duck_tables)
    assert spark_tables == sorted(mart_grains())


@pytest.mark.parametrize("mart", sorted(mart_grains()))
def test_mart_is_the_same_on_spark_and_duckdb(warehouses, mart: str):
    spark, duck = warehouses
    spark_columns, spark_data = spark_rows(spark, f"select * from marts.{mart}")
    duck_columns, duck_data = duck_rows(duck, f"select * from marts.{mart}")
    assert spark_columns == duck_columns
    assert len(spark_data) == len(duck_data)
    assert len(spark_data) > 0, f"{mart} is empty on both targets"
    keys = [spark_columns.index(column) for column in mart_grains()[mart]]
    spark_data.sort(key=lambda row: sort_key(row, keys))
    duck_data.sort(key=lambda row: sort_key(row, keys))
    differences = []
    for spark_row, duck_row in zip(spark_data, duck_data, strict=True):
        grain = {spark_columns[i]: spark_row[i] for i in keys}
        for column, a, b in zip(spark_columns, spark_row, duck_row, strict=True):
            if not same_value(a, b):
                differences.append(f"{grain} {column}: spark {a!r} duckdb {b!r}")
    assert not differences, f"{len(differences)} differences in {mart}:\n" + "\n".join(
        differences[:20]
    )


def compiled(sql: str, tmp_path: Path) -> str:
    """SQL with macro calls compiled by dbt (on the duckdb target: no Spark needed to render)."""
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "dbt"),
            "--quiet",
            "compile",
            "--target",
            "duckdb",
            "--inline",
            sql,
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
        ],
        cwd=PROJECT,
        env=dict(
            os.environ,
            DBT_PROFILES_DIR=str(PROJECT),
            THE_MODEL_DUCKDB_PATH=str(tmp_path / "compile.duckdb"),
            DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        ),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    return result.stdout.strip()


MONEY_TEXTS = [
    "₩1,200,000",
    "$12,000.50",
    "USD 12,000",
    " 12000.5 ",
    "-$5",
    "$-5",
    "12000.555",
    "1,2,3",
    "12.",
    "EUR",
    "12 000",
    "99999999999999999",
    "1e5",
    "",
    "garbage",
]


@pytest.mark.parametrize(
    ("call", "texts"),
    [
        # timestamps as microseconds since 1970 (year 0 is a valid result: 00/10/25)
        ("epoch_us({{ parse_timestamp('value') }})", TIMESTAMP_TEXTS),
        ("{{ parse_money('value') }}", MONEY_TEXTS),
    ],
)
def test_spark_parsers_read_text_as_duckdb_does(warehouses, tmp_path: Path, call, texts):
    """The Spark parsers (macros/spark/spark.sql) against DuckDB's, text by text."""
    spark, _ = warehouses
    duck_sql = compiled(f"select {call} as parsed from (select $1 as value)", tmp_path)
    # the spark__ versions, rendered without a Spark target: dispatch by hand
    spark_call = call.replace("parse_", "the_model.spark__parse_")
    spark_call = spark_call.replace("epoch_us", "unix_micros")
    spark_sql = compiled(f"select position, {spark_call} as parsed from texts", tmp_path)
    with duckdb.connect() as duck:
        expected = [duck.execute(duck_sql, [text]).fetchone()[0] for text in texts]
    frame = spark.createDataFrame(list(enumerate(texts)), "position int, value string")
    frame.createOrReplaceTempView("texts")
    rows = sorted(spark.sql(spark_sql).collect(), key=lambda row: row.position)
    found = [row.parsed for row in rows]
    assert list(zip(texts, found, strict=True)) == list(zip(texts, expected, strict=True))
    assert any(value is None for value in expected), "the bad texts are in the list"
    assert any(value is not None for value in expected), "the good texts are in the list"
