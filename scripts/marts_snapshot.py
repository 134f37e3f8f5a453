"""Save every mart, intermediate and quarantine table of a built DuckDB warehouse to
Parquet, or compare a warehouse with a saved copy: a model change meant only to
be faster must not change a number.

    python scripts/marts_snapshot.py save    WAREHOUSE.duckdb FOLDER
    python scripts/marts_snapshot.py compare WAREHOUSE.duckdb FOLDER
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def tables(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute(
        "select table_schema, table_name from information_schema.tables"
        " where table_schema in ('marts', 'intermediate', 'quarantine')"
        " and table_type = 'BASE TABLE'"
        " order by 1, 2"
    ).fetchall()


def comparable_columns(con: duckdb.DuckDBPyConnection, name: str, file: Path) -> tuple[str, str]:
    """The columns both copies have (doubles rounded: a parallel sum's last bits
    depend on the order of its rows), and a note naming columns added or removed."""
    schema, table = name.split(".")
    rows = con.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, table],
    ).fetchall()
    saved = {row[0] for row in con.execute(f"describe select * from read_parquet('{file}')").fetchall()}
    built = {column for column, _ in rows}
    note = "".join(
        f" {sign}{column}" for sign, names in (("+", built - saved), ("-", saved - built)) for column in sorted(names)
    )
    columns = ", ".join(
        f'round("{column}", 6) as "{column}"' if kind in ("DOUBLE", "FLOAT") else f'"{column}"'
        for column, kind in rows
        if column in saved
    )
    return columns, note


def save(database: str, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(database, read_only=True) as con:
        for schema, name in tables(con):
            con.execute(f"copy {schema}.{name} to '{folder / f'{schema}.{name}.parquet'}'")
            print(f"saved {schema}.{name}")
    return 0


def compare(database: str, folder: Path) -> int:
    """Every saved table must have the same rows (as a multiset) in the columns both
    copies have; added or removed columns are listed beside the table."""
    failures = 0
    with duckdb.connect(database, read_only=True) as con:
        built = {f"{schema}.{name}" for schema, name in tables(con)}
        saved = {path.stem for path in folder.glob("*.parquet")}
        for missing in sorted(saved - built):
            print(f"MISSING {missing}")
            failures += 1
        for name in sorted(saved & built):
            file = folder / f"{name}.parquet"
            columns, note = comparable_columns(con, name, file)
            (differing,) = con.execute(
                f"select count(*) from ((select {columns} from {name} except all"
                f" select {columns} from read_parquet('{file}'))"
                f" union all (select {columns} from read_parquet('{file}')"
                f" except all select {columns} from {name}))"
            ).fetchone()
            status = "same" if differing == 0 else f"DIFFERENT ({differing} rows)"
            failures += differing > 0
            print(f"{status:<24} {name}{note}")
    print("all the same" if failures == 0 else f"{failures} tables differ or are missing")
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[0] not in {"save", "compare"}:
        print(__doc__, file=sys.stderr)
        return 2
    command, database, folder = argv
    return (save if command == "save" else compare)(database, Path(folder))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
