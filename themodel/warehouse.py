"""Read-only access to the built DuckDB warehouse for the Python tooling."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

DEFAULT_DATABASE = "warehouse/the_model.duckdb"
# schema marts also holds the record of publications `python -m themodel run` keeps
# (themodel/run.py): a table, not a mart
PUBLICATION_LOG = "publication_log"


def database_path(explicit: str | None = None) -> Path:
    """The DuckDB file to read: the argument, THE_MODEL_DUCKDB_PATH, or the default."""
    return Path(explicit or os.environ.get("THE_MODEL_DUCKDB_PATH") or DEFAULT_DATABASE)


def connect_read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only; a clear error when it has not been built."""
    path = Path(path)
    if not path.exists():
        raise SystemExit(f"{path}: no warehouse here yet; run `make demo` (or dbt build) first")
    return duckdb.connect(str(path), read_only=True)


def tables_in_schema(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables"
        " where table_schema = ? order by table_name",
        [schema],
    ).fetchall()
    return [name for (name,) in rows]


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The marts: the tables of schema marts but the publication log."""
    return [name for name in tables_in_schema(con, "marts") if name != PUBLICATION_LOG]
