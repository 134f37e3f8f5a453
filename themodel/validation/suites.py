"""One expectation suite per mart.

Each suite is a list of (expectation class name, kwargs). GE runs them on a
DataFrame read from DuckDB, not through GE's SQL datasource, which loses rows
on DuckDB (see STYLE.md).
"""

from __future__ import annotations

Expectation = tuple[str, dict]

SUITES: dict[str, list[Expectation]] = {}


def register(mart: str, expectations: list[Expectation]) -> None:
    SUITES[mart] = expectations


def keys(*columns: str) -> list[Expectation]:
    """The grain: not null and unique together."""
    checks: list[Expectation] = [
        ("ExpectColumnValuesToNotBeNull", {"column": column}) for column in columns
    ]
    if len(columns) == 1:
        checks.append(("ExpectColumnValuesToBeUnique", {"column": columns[0]}))
    else:
        checks.append(("ExpectCompoundColumnsToBeUnique", {"column_list": list(columns)}))
    return checks


def rates(*columns: str) -> list[Expectation]:
    """Rates live in [0, 1] (nulls allowed: no denominator)."""
    return [
        ("ExpectColumnValuesToBeBetween", {"column": column, "min_value": 0, "max_value": 1})
        for column in columns
    ]


def non_negative(*columns: str) -> list[Expectation]:
    return [
        ("ExpectColumnValuesToBeBetween", {"column": column, "min_value": 0}) for column in columns
    ]


def rows_between(low: int, high: int | None = None) -> list[Expectation]:
    return [("ExpectTableRowCountToBeBetween", {"min_value": low, "max_value": high})]


def columns_exactly(*columns: str) -> list[Expectation]:
    return [("ExpectTableColumnsToMatchSet", {"column_set": list(columns), "exact_match": True})]
