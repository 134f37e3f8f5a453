"""What the suites expect of this warehouse, from its seeds and its data.

A suite names the company's own labels (`suites.FromData`): the channels its export
holds and the stages its seeds/stage_mapping.csv maps, read here from the built
warehouse. A mart that marts.mart_availability lists as unavailable is expected
empty; the row-count minimum of a suite holds only for available marts.
"""

from __future__ import annotations

import duckdb

from themodel.validation.suites import Expectation, FromData

# the sales stages of the funnel: the seed's opportunity stages owned by inside or
# field sales that are no outcome; the lead stages: ordered lead statuses, not lost
QUERIES = {
    "channels": """
        select channel from staging.stg_crm__leads where channel is not null
        union select channel from staging.stg_crm__campaigns where channel is not null
        union select 'unknown'
    """,
    "sales_stages": """
        select distinct canonical_stage from staging.stage_mapping
        where entity_type = 'opportunity' and owning_role in ('inside_sales', 'field_sales')
            and not coalesce(is_won, false) and not coalesce(is_lost, false)
    """,
    # team rows always; people rows once some deal has an owner
    "field_sales_row_levels": """
        select true
        union select false from staging.stg_crm__opportunities where owner_id is not null
    """,
    "lead_stages": """
        select distinct canonical_stage from staging.stage_mapping
        where entity_type = 'lead' and stage_order is not null and not coalesce(is_lost, false)
    """,
}
ROW_COUNT = "ExpectTableRowCountToBeBetween"
DISTINCT_VALUES = "ExpectColumnDistinctValuesToEqualSet"


def allowed_values(con: duckdb.DuckDBPyConnection, name: str) -> list:
    """The values a FromData name stands for in this warehouse."""
    try:
        found = con.execute(QUERIES[name]).fetchall()
    except duckdb.CatalogException as error:
        raise SystemExit(
            f"validation needs the seeds and staged data of the build ({error}); "
            "validate the warehouse dbt built, not a copy of its marts"
        ) from error
    return sorted(value for (value,) in found)


def availability(con: duckdb.DuckDBPyConnection) -> dict[str, bool]:
    """Mart -> can it be computed from this export (marts.mart_availability); {} when the
    warehouse predates that mart."""
    (exists,) = con.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'marts' and table_name = 'mart_availability'"
    ).fetchone()
    if not exists:
        return {}
    return dict(con.execute("select mart, is_available from marts.mart_availability").fetchall())


def adapt(
    expectations: list[Expectation],
    con: duckdb.DuckDBPyConnection,
    is_available: bool | None,
) -> list[Expectation]:
    """The suite as this warehouse must meet it: FromData resolved to the company's own
    values; an unavailable mart expected to have no rows at all."""
    adapted: list[Expectation] = []
    for class_name, kwargs in expectations:
        resolved = {
            key: allowed_values_of(con, value) if isinstance(value, FromData) else value
            for key, value in kwargs.items()
        }
        if is_available is False and class_name == DISTINCT_VALUES:
            continue  # an empty mart has no values to compare
        if class_name == ROW_COUNT and is_available is False:
            resolved = {"min_value": 0, "max_value": 0}
        adapted.append((class_name, resolved))
    if is_available is False and all(name != ROW_COUNT for name, _ in adapted):
        adapted.append((ROW_COUNT, {"min_value": 0, "max_value": 0}))
    return adapted


def allowed_values_of(con: duckdb.DuckDBPyConnection, value: FromData) -> list:
    return sorted({item for name in value.names for item in allowed_values(con, name)})
