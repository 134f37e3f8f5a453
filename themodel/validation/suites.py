"""One expectation suite per mart.

Each suite is a list of (expectation class name, kwargs). GE runs them on a
DataFrame read from DuckDB, not through GE's SQL datasource, which loses rows
on DuckDB (see STYLE.md).

Rules over more than two columns (due = renewed + churned + pending) are
derived check columns: a pandas expression evaluated on the frame before GE
sees it, expected true on every row (`row_rule`).
"""

from __future__ import annotations

from dataclasses import dataclass

Expectation = tuple[str, dict]


@dataclass(frozen=True)
class FromData:
    """Allowed values known only from the built warehouse (the labels its seeds map,
    the channels its export holds), named here and resolved by the runner
    (themodel/validation/expected.py); `+` joins two of them."""

    names: tuple[str, ...]

    def __add__(self, other: FromData) -> FromData:
        return FromData(self.names + other.names)


def from_data(name: str) -> FromData:
    return FromData((name,))


SUITES: dict[str, list[Expectation]] = {}
# mart -> {check column: pandas expression over the mart's columns}
DERIVED: dict[str, dict[str, str]] = {}


def register(
    mart: str, expectations: list[Expectation], derived: dict[str, str] | None = None
) -> None:
    derived = derived or {}
    for class_name, kwargs in expectations:
        # the derived check columns are added by the runner, not by the mart
        if class_name == "ExpectTableColumnsToMatchSet":
            kwargs["column_set"] = [*kwargs["column_set"], *derived]
    SUITES[mart] = expectations
    DERIVED[mart] = derived


def row_rule(name: str, expression: str) -> tuple[dict[str, str], Expectation]:
    """A rule over several columns that holds on every row, as a pandas expression
    (`entered_count == advanced_count + lost_count + still_open_count`).

    Returns the derived column for register(derived=...) and its expectation."""
    column = f"check__{name}"
    return {column: expression}, (
        "ExpectColumnValuesToBeInSet",
        {"column": column, "value_set": [True]},
    )


def row_rules(
    *rules: tuple[dict[str, str], Expectation],
) -> tuple[dict[str, str], list[Expectation]]:
    """row_rule results gathered into (derived columns, expectations)."""
    derived: dict[str, str] = {}
    for columns, _ in rules:
        derived.update(columns)
    return derived, [expectation for _, expectation in rules]


def a_at_least_b(a: str, b: str) -> Expectation:
    """A cross-column rule: a >= b on every row where both are known."""
    return (
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {
            "column_A": a,
            "column_B": b,
            "or_equal": True,
            "ignore_row_if": "either_value_is_missing",
        },
    )


def in_set(column: str, values: list | FromData) -> Expectation:
    return ("ExpectColumnValuesToBeInSet", {"column": column, "value_set": values})


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
    """The mart's columns; every mart also carries run_id, the build it came from
    (macros/utils/run_id.sql)."""
    column_set = [*columns, "run_id"]
    return [("ExpectTableColumnsToMatchSet", {"column_set": column_set, "exact_match": True})]
