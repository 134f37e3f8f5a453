"""`python -m themodel load`: put CRM export files into a warehouse's raw schema.

On DuckDB, staging reads the export files directly. On other targets it reads raw
tables (macros/staging/read_export.sql, ``default__read_export``); this command
writes them: one table per source table (raw_generic.opportunities,
raw_salesforce.opportunity), every column text under its lower-cased header, plus
``_source_row`` (1-based position in the file) and ``_source_file`` (file name).

Files are read with DuckDB's own readers and the same options the DuckDB target
uses, so every target sees the same text; a CSV file in another encoding
(``--export-encoding``, the export_encoding var of dbt) is read from its UTF-8 copy
as on DuckDB (themodel/encoding.py). Rows go to PostgreSQL with COPY, and to
Spark as Parquet tables in the warehouse folder of the spark profile (a session
opened with dbt's own settings, themodel/spark.py). A reload replaces every raw
table of the source, including those whose file is gone.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from themodel.encoding import (
    ExportEncodingError,
    codec_name,
    guess_encoding,
    is_utf8,
    is_utf8_file,
    utf8_path,
)

PROJECT = Path(__file__).resolve().parents[1]
SOURCES_FILE = {
    "generic": PROJECT / "models/staging/generic/_generic__sources.yml",
    "salesforce": PROJECT / "models/staging/salesforce/_salesforce__sources.yml",
}
SALESFORCE_FILES = PROJECT / "macros/staging/salesforce_export_columns.sql"
EXTENSIONS = ("csv", "parquet")


class LoadError(Exception):
    """Input the loader cannot use; the message names the file."""


@dataclass(frozen=True)
class Export:
    table: str
    path: Path


def source_schema_and_tables(source: str) -> tuple[str, list[str]]:
    """The raw schema and table names of a dbt source, read from its sources YAML
    (the schema without the schema_suffix a candidate build adds)."""
    spec = yaml.safe_load(SOURCES_FILE[source].read_text())
    (entry,) = [s for s in spec["sources"] if s["name"] == source]
    schema = re.sub(r"\{\{.*?\}\}", "", entry["schema"])
    return schema, [table["name"] for table in entry["tables"]]


def file_names(source: str, tables: list[str]) -> dict[str, list[str]]:
    """File names (without extension) each table may come from, in order of preference.

    Generic: the table name. Salesforce: the ``files`` lists in
    macros/staging/salesforce_export_columns.sql (Data Export name first, then the
    connector's), the same order read_export.sql tries on DuckDB.
    """
    if source == "generic":
        return {table: [table] for table in tables}
    text = SALESFORCE_FILES.read_text()
    found = {
        key: re.findall(r"'([^']+)'", names)
        for key, names in re.findall(r"'(\w+)':\s*\{\s*'files':\s*\[([^\]]*)\]", text)
    }
    missing = [table for table in tables if table not in found]
    if missing:
        raise LoadError(f"{SALESFORCE_FILES}: no 'files' list for {', '.join(missing)}")
    return {table: found[table] for table in tables}


def find_exports(folder: Path, names: dict[str, list[str]]) -> tuple[list[Export], list[Path]]:
    """The file each table is loaded from (the first name found, CSV before Parquet),
    and the export files in the folder that no table reads."""
    exports = []
    for table, candidates in names.items():
        for name in candidates:
            paths = [
                folder / f"{name}.{ext}"
                for ext in EXTENSIONS
                if (folder / f"{name}.{ext}").is_file()
            ]
            if paths:
                exports.append(Export(table, paths[0]))
                break
    used = {export.path for export in exports}
    unused = sorted(
        path for ext in EXTENSIONS for path in folder.glob(f"*.{ext}") if path not in used
    )
    return exports, unused


def reader(path: Path) -> str:
    """The DuckDB table function that reads a file, as read_export.sql spells it."""
    quoted = str(path).replace("'", "''")
    if path.suffix == ".parquet":
        return f"read_parquet('{quoted}')"
    return f"read_csv('{quoted}', all_varchar = true, header = true, auto_detect = true)"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def text_file(path: Path, encoding: str, scratch: Path) -> Path:
    """The file to read as UTF-8: the export, or its UTF-8 copy under scratch."""
    if path.suffix == ".parquet":
        return path
    try:
        if is_utf8(encoding):
            if not is_utf8_file(path):
                raise LoadError(not_utf8(path))
            return path
        return utf8_path(path, encoding, scratch)
    except ExportEncodingError as error:
        message = str(error).replace("the var export_encoding", "--export-encoding")
        raise LoadError(message) from error


def not_utf8(path: Path) -> str:
    guess = guess_encoding(path)
    return (
        f"{path}: not UTF-8 text; it looks like {guess}. Load again with --export-encoding"
        f" {guess} (and build with the var export_encoding: {guess}), or save the file again"
        " as 'CSV UTF-8'."
    )


def to_text(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    target: Path,
    file_format: str = "csv",
    encoding: str = "utf-8",
) -> list[str]:
    """Write a file's rows as text columns plus _source_row and _source_file, as
    headerless CSV or as Parquet (named columns); return the lower-cased column names."""
    source = text_file(path, encoding, target.parent)
    check_rows(con, path, source)
    try:
        headers = [
            row[0] for row in con.execute(f"describe select * from {reader(source)}").fetchall()
        ]
    except duckdb.Error as error:
        raise LoadError(
            f"{path}: cannot be read as an export file ({error}). Export it again as CSV"
            " (UTF-8, a header line, values with the delimiter in double quotes) or Parquet."
        ) from error
    columns = [header.strip().lower() for header in headers]
    if not columns or any(not column for column in columns):
        position = columns.index("") + 1 if "" in columns else 1
        raise LoadError(
            f"{path}: column {position} of the header line has no name; every column needs"
            " one. Fix: name it in the header line (or delete the column), then load again."
        )
    duplicates = sorted({column for column in columns if columns.count(column) > 1})
    reserved = {"_source_row", "_source_file"} & set(columns)
    if duplicates or reserved:
        raise LoadError(
            f"{path}: column names must be unique without case and must not be "
            f"_source_row or _source_file; found {', '.join(duplicates + sorted(reserved))}."
            " Fix: rename them in the header line, then load again."
        )
    select = ", ".join(
        f"cast({quote(header)} as varchar) as {quote(column)}"
        for header, column in zip(headers, columns, strict=True)
    )
    options = "format parquet" if file_format == "parquet" else "format csv, header false"
    file_name = path.name.replace("'", "''")
    output = str(target).replace("'", "''")
    try:
        con.execute(
            f"copy (select {select}, row_number() over () as _source_row,"
            f" '{file_name}' as _source_file from {reader(source)})"
            f" to '{output}' ({options})"
        )
    except duckdb.Error as error:
        raise LoadError(
            f"{path}: cannot be read as an export file ({error}). Export it again as CSV"
            " (UTF-8, a header line, values with the delimiter in double quotes) or Parquet."
        ) from error
    return columns


def check_rows(con: duckdb.DuckDBPyConnection, path: Path, source: Path) -> None:
    """Stop at the first row DuckDB's CSV reader would refuse, as
    read_export.sql's check_export_rows does on the DuckDB target: the file is read
    as standard CSV (values in double quotes, a quote inside a value written twice)
    and the message names the file, the line, the key, the column, the value, the
    rule (field_count, unclosed_quote, line_too_long) and the fix."""
    if source.suffix == ".parquet":
        return
    with open(source, encoding="utf-8-sig", newline="") as file:
        header = file.readline().rstrip("\r\n")
    if not header:
        raise LoadError(
            f"{path}: the file is empty (not even a header line); export it again"
            " (a file with no rows still needs its header line)"
        )
    delimiter = ","
    if "," not in header and any(c in header for c in ";\t|"):
        delimiter = max(";\t|", key=header.count)
    names = next(csv.reader([header], delimiter=delimiter))
    columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(1, len(names) + 1))
    quoted = str(source).replace("'", "''")
    con.execute(
        "drop table if exists the_model_rejects; drop table if exists the_model_rejects_scan"
    )
    con.execute(
        f"select count(*) from read_csv('{quoted}', auto_detect = false, header = true,"
        f" delim = '{delimiter}', quote = '\"', escape = '\"', columns = {{{columns}}},"
        " store_rejects = true, rejects_table = 'the_model_rejects',"
        " rejects_scan = 'the_model_rejects_scan')"
    ).fetchall()
    found = con.execute(
        "select line, column_name, error_type, csv_line, error_message from the_model_rejects"
        " order by line, column_idx limit 1"
    ).fetchone()
    if found:
        raise LoadError(row_message(path, found, names, delimiter))


def cut(text: str, length: int = 40) -> str:
    """A value quoted in a message: one line, cut to `length` characters."""
    line = text.replace("\r", "").replace("\n", "\\n")
    return line[:length] + ("..." if len(line) > length else "")


def row_message(path: Path, reject: tuple, names: list[str], delimiter: str) -> str:
    """The stop message for a row the CSV reader refused (a row of its rejects table)."""
    line, column, error_type, text, error = reject
    text, error = text or "", error or ""
    values = text.split(delimiter)
    index = int(column[1:]) - 1 if column else -1
    name = names[index].strip() if 0 <= index < len(names) else None
    key = values[0].strip().strip('"') if values else ""
    where = f"{path}, line {line}" + (f" ({names[0].strip()} '{cut(key)}')" if key else "")
    found = re.search(r"Found: *([0-9]+)", error)
    count = found.group(1) if found else "another number of"
    if error_type == "TOO MANY COLUMNS":
        return (
            f"{where}: the row has {count} fields where the header has {len(names)}"
            f" (rule: field_count; the row: '{cut(text)}'). A value holding the delimiter"
            f" '{delimiter}' without quotes splits it. Fix: put such values in double quotes"
            f' ("a{delimiter} b") or export the file again, then load again.'
        )
    if error_type == "MISSING COLUMNS":
        return (
            f"{where}: the row has {count} of the header's {len(names)} fields; column '{name}'"
            f" and those after it are missing (rule: field_count; the row: '{cut(text)}')."
            " A line break inside a value without quotes splits its row in two. Fix: put such"
            " values in double quotes, or export the file again, then load again."
        )
    if error_type == "UNQUOTED VALUE":
        value = values[index] if 0 <= index < len(values) else text
        return (
            f"{where}, column '{name}': a quoted value is not closed before the next delimiter"
            f" ('{cut(value)}'; rule: unclosed_quote). Fix: write a quote inside a value as two"
            ' quotes ("") and end a quoted value with a quote, or export the file again,'
            " then load again."
        )
    if error_type == "LINE SIZE OVER MAXIMUM":
        return (
            f"{where}: a row longer than the reader's maximum line size ('{cut(text)}';"
            " rule: line_too_long); usually a quote left open swallows the lines after it."
            " Fix: close the quote (a quote inside a value is written twice), or export the"
            " file again, then load again."
        )
    return (
        f"{where}: the row cannot be read as CSV ({error_type}: {cut(error, 120)}; the row:"
        f" '{cut(text)}'). Fix: export the file again as standard CSV (UTF-8, values with the"
        " delimiter, a quote or a line break in double quotes), then load again."
    )


def connect_postgres():  # -> psycopg2 connection (imported lazily: an optional extra)
    try:
        import psycopg2
    except ImportError as error:
        raise LoadError(
            "psycopg2 is missing: install the postgres extra (pip install -e '.[postgres]')"
        ) from error
    env = os.environ.get
    settings = {
        "host": env("THE_MODEL_PG_HOST", "127.0.0.1"),
        "port": int(env("THE_MODEL_PG_PORT", "5432")),
        "user": env("THE_MODEL_PG_USER", "postgres"),
        "password": env("THE_MODEL_PG_PASSWORD", ""),
        "dbname": env("THE_MODEL_PG_DATABASE", "the_model"),
    }
    try:
        return psycopg2.connect(**settings)
    except psycopg2.Error as error:
        where = f"{settings['user']}@{settings['host']}:{settings['port']}/{settings['dbname']}"
        raise LoadError(f"cannot connect to PostgreSQL {where}: {error}".strip()) from error


TARGETS = ("postgres", "spark")


def load(
    folder: Path,
    source: str = "generic",
    target: str = "postgres",
    encoding: str = "utf-8",
    schema_suffix: str = "",
) -> dict[str, int]:
    """Replace the source's raw tables with the export files in folder; rows per table.
    schema_suffix: a candidate's raw schema (raw_generic__candidate), as dbt's var."""
    if target not in TARGETS:
        raise LoadError(f"unknown target {target!r}; the loader writes {', '.join(TARGETS)}")
    try:
        codec_name(encoding)
    except ExportEncodingError as error:
        raise LoadError(str(error)) from error
    if not folder.is_dir():
        raise LoadError(f"{folder}: no such folder of export files")
    schema, tables = source_schema_and_tables(source)
    schema += schema_suffix
    exports, unused = find_exports(folder, file_names(source, tables))
    if not exports:
        raise LoadError(
            f"{folder}: no {source} export files here (expected e.g. {tables[0]}.csv or .parquet)"
        )
    for path in unused:
        print(f"note: {path} is not a {source} export file; not loaded")
    file_format = "parquet" if target == "spark" else "csv"
    with tempfile.TemporaryDirectory() as scratch, duckdb.connect() as duck:
        staged = []
        for export in exports:
            text = Path(scratch) / f"{export.table}.{file_format}"
            columns = to_text(duck, export.path, text, file_format, encoding)
            staged.append((export, columns, text))
        if target == "spark":
            return load_spark(schema, tables, staged)
        return load_postgres(schema, tables, staged)


Staged = list[tuple[Export, list[str], Path]]


def load_postgres(schema: str, tables: list[str], staged: Staged) -> dict[str, int]:
    counts: dict[str, int] = {}
    pg = connect_postgres()
    try:
        with pg, pg.cursor() as cursor:
            cursor.execute(f"create schema if not exists {quote(schema)}")
            for table in tables:
                cursor.execute(f"drop table if exists {quote(schema)}.{quote(table)} cascade")
            for export, columns, text in staged:
                name = f"{quote(schema)}.{quote(export.table)}"
                definition = ", ".join(f"{quote(column)} text" for column in columns)
                cursor.execute(
                    f"create table {name} ({definition},"
                    " _source_row bigint not null, _source_file text not null)"
                )
                try:
                    with text.open() as rows:
                        cursor.copy_expert(f"copy {name} from stdin with (format csv)", rows)
                except Exception as error:  # psycopg2.Error; the transaction rolls back
                    raise LoadError(
                        f"{export.path}: COPY into {name} failed ({error}). A line number in"
                        " it is the file's row (1 = the first row after the header). Fix the"
                        " row or export the file again, then load again."
                    ) from error
                counts[export.table] = cursor.rowcount
                print(f"{schema}.{export.table}: {cursor.rowcount} rows from {export.path.name}")
    finally:
        pg.close()
    return counts


def load_spark(schema: str, tables: list[str], staged: Staged) -> dict[str, int]:
    """Parquet tables in the spark profile's warehouse, registered in its catalog."""
    try:
        from themodel.spark import spark_session

        spark = spark_session()
    except ImportError as error:
        raise LoadError(
            "pyspark is missing: install the spark extra (pip install -e '.[spark]')"
        ) from error
    counts: dict[str, int] = {}
    try:
        spark.sql(f"create database if not exists `{schema}`")
        existing = {t.name: t.tableType for t in spark.catalog.listTables(schema)}
        for table in tables:
            # a published warehouse of `themodel run` holds views here (themodel/run_spark.py)
            kind = "view" if existing.get(table) == "VIEW" else "table"
            spark.sql(f"drop {kind} if exists `{schema}`.`{table}`")
        for export, _, text in staged:
            name = f"`{schema}`.`{export.table}`"
            try:
                frame = spark.read.parquet(str(text))
                frame.write.format("parquet").mode("overwrite").saveAsTable(name)
            except Exception as error:  # pyspark's errors; Spark names the cause
                raise LoadError(
                    f"{export.path}: writing Spark table {name} failed ({error}). Fix: check"
                    " the spark profile's warehouse folder is writable, then load again."
                ) from error
            counts[export.table] = spark.table(name).count()
            print(f"{schema}.{export.table}: {counts[export.table]} rows from {export.path.name}")
    finally:
        spark.stop()
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m themodel load",
        description="Load CRM export files (CSV or Parquet) into the raw schema of a warehouse, "
        "every column as text. Connection: the settings of the target's output in profiles.yml "
        "(THE_MODEL_PG_* for postgres, THE_MODEL_SPARK_WAREHOUSE for spark).",
    )
    parser.add_argument("--target", choices=TARGETS, default="postgres")
    parser.add_argument("--exports", type=Path, required=True, help="folder of export files")
    parser.add_argument("--source", choices=sorted(SOURCES_FILE), default="generic")
    parser.add_argument(
        "--export-encoding",
        default="utf-8",
        help="text encoding of the CSV files, as the export_encoding var of dbt: utf-8 (default),"
        " cp1252, latin-1, euc-kr, shift_jis, utf-16 or another Python codec name",
    )
    parser.add_argument(
        "--schema-suffix",
        default="",
        help="load into raw_<source><suffix>, as dbt's schema_suffix var (a run's candidate)",
    )
    args = parser.parse_args(argv)
    try:
        load(args.exports, args.source, args.target, args.export_encoding, args.schema_suffix)
    except LoadError as error:
        print(f"load failed: {error}", file=sys.stderr)
        return 1
    return 0
