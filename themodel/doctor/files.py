"""Reading one export file as staging would: its encoding (themodel/encoding.py), its
delimiter, its rows by header, and timestamps in the forms staging parses."""

from __future__ import annotations

import codecs
import csv
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from themodel.doctor.project import EXTENSIONS, header_key
from themodel.encoding import guess_encoding, is_utf8_file

csv.field_size_limit(1 << 30)


class Row:
    """One row of a file: its values by header_key (a tuple per row keeps memory low)."""

    __slots__ = ("index", "values")

    def __init__(self, index: dict[str, int], values: tuple[str | None, ...]) -> None:
        self.index, self.values = index, values

    def get(self, key: str) -> str | None:
        position = self.index.get(key)
        return (
            self.values[position] if position is not None and position < len(self.values) else None
        )


@dataclass
class ExportFile:
    """A file as read: its header, which columns hold a value, and per row the values
    of the columns the doctor looks at (`keep`; None: every column)."""

    path: Path
    keep: frozenset[str] | None = None
    encoding: str = "utf-8"  # what the text was read as
    delimiter: str = ","
    header: list[str] = field(default_factory=list)
    filled: set[str] = field(default_factory=set)  # header keys with a value in some row
    rows: list[Row] = field(default_factory=list)
    error: str | None = None
    _positions: list[int] = field(default_factory=list)
    _index: dict[str, int] = field(default_factory=dict)
    _unfilled: dict[str, int] = field(default_factory=dict)

    def set_header(self, header: list[str]) -> None:
        self.header = header
        for position, name in enumerate(header):
            key = header_key(name)
            self._unfilled.setdefault(key, position)
            if (self.keep is None or key in self.keep) and key not in self._index:
                self._index[key] = len(self._positions)
                self._positions.append(position)

    def add(self, line: list[str] | tuple) -> None:
        """One row, its fields as text (None or '' for an empty one)."""
        width = len(line)
        self.rows.append(
            Row(
                self._index,
                tuple(clean_value(line[p]) if p < width else None for p in self._positions),
            )
        )
        for key, position in list(self._unfilled.items()):
            if position < width and clean_value(line[position]) is not None:
                self.filled.add(key)
                del self._unfilled[key]


def clean_value(value: object) -> str | None:
    """A field's text, or None when it is empty (as staging reads an empty field)."""
    if value is None:
        return None
    text = str(value)
    return text if text.strip() else None


def delimiter_of(header: str) -> str:
    """A comma, or else the most frequent of semicolon, tab and pipe (check_export_text)."""
    if "," in header:
        return ","
    counts = {candidate: header.count(candidate) for candidate in (";", "\t", "|")}
    best = max(counts, key=lambda c: counts[c])
    return best if counts[best] > 0 else ","


def read_csv_file(path: Path, keep: frozenset[str] | None = None) -> ExportFile:
    """Rows of a CSV file, streamed: the text decoded in its detected encoding."""
    found = ExportFile(path, keep)
    try:
        if path.stat().st_size == 0:
            found.error = f"{path.name} is empty (0 bytes, not even a header row): export it again."
            return found
        found.encoding = "utf-8" if is_utf8_file(path) else guess_encoding(path)
        codec = "utf-8-sig" if found.encoding == "utf-8" else codecs.lookup(found.encoding).name
        with path.open(encoding=codec, newline="") as text:
            first = text.readline()
            found.delimiter = delimiter_of(first.rstrip("\r\n"))
            reader = csv.reader(itertools.chain([first], text), delimiter=found.delimiter)
            found.set_header(next(reader))
            for line in reader:
                if any(value.strip() for value in line):
                    found.add(line)
    except UnicodeDecodeError as error:
        found.error = f"{path.name} cannot be read as {found.encoding} text ({error.reason})."
    except csv.Error as error:
        found.error = f"{path.name}, line {reader.line_num}: not readable as CSV ({error})."
    except OSError as error:
        found.error = f"{path.name} cannot be read ({error.strerror or error})."
    return found


def read_parquet_file(path: Path, keep: frozenset[str] | None = None) -> ExportFile:
    import duckdb  # an in-memory connection: no database file is opened

    found = ExportFile(path, keep, encoding="parquet")
    try:
        with duckdb.connect() as con:
            cursor = con.execute("select * from read_parquet(?)", [str(path)])
            found.set_header([column[0] for column in cursor.description])
            while batch := cursor.fetchmany(10_000):
                for values in batch:
                    found.add(values)
    except duckdb.Error as error:
        found.error = f"{path.name} is not a readable Parquet file ({str(error).splitlines()[0]})."
    return found


def read_export_file(path: Path, keep: frozenset[str] | None = None) -> ExportFile:
    if path.suffix.lower() == ".parquet":
        return read_parquet_file(path, keep)
    return read_csv_file(path, keep)


def find_file(folder: Path, names: Iterable[str]) -> Path | None:
    """The first of names that exists, CSV before Parquet (read_export.sql export_file)."""
    for name in names:
        for extension in EXTENSIONS:
            if (folder / f"{name}.{extension}").is_file():
                return folder / f"{name}.{extension}"
    return None


ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
DAY_MONTH = re.compile(
    r"^(\d{1,4})([/.-])(\d{1,2})\2(\d{1,4})"
    r"(?: (\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?)?$"
)


def parse_moment(text: str | None, date_order: str = "MDY") -> datetime | None:
    """A timestamp as staging reads it (macros/staging/parsing.sql parse_timestamp),
    in UTC; None when staging would not read it either."""
    if text is None:
        return None
    text = text.strip()
    match = ISO.match(text)
    if match:
        year, month, day, hour, minute, second, zone = match.groups()
        try:
            moment = datetime(
                int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
            )
        except ValueError:
            return None
        if zone and zone != "Z":
            sign = -1 if zone[0] == "-" else 1
            digits = zone[1:].replace(":", "")
            moment -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return moment
    match = DAY_MONTH.match(text)
    if not match:
        return None
    first, separator, second_part, third, hour, minute, second, half = match.groups()
    if len(first) == 4:
        # a four-digit year first is read with '/' in every order, with '.' under YMD
        if separator != "/" and not (separator == "." and date_order == "YMD"):
            return None
        year, month, day = first, second_part, third
    elif date_order == "DMY":
        day, month, year = first, second_part, third
    elif date_order == "YMD":
        year, month, day = first, second_part, third
    else:
        month, day, year = first, second_part, third
    if len(year) not in (2, 4):
        return None
    full_year = int(year) + (2000 if int(year) < 69 else 1900) if len(year) == 2 else int(year)
    clock = int(hour or 0)
    if half:
        if not 1 <= clock <= 12:
            return None
        clock = clock % 12 + (12 if half.lower() == "pm" else 0)
    try:
        return datetime(full_year, int(month), int(day), clock, int(minute or 0), int(second or 0))
    except ValueError:
        return None
