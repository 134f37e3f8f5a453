"""Write the tables as CSV (byte-stable) or Parquet (all text columns)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

# Column order of each generic file; docs/generic_format.md describes them.
COLUMNS = {
    "users": [
        "user_id",
        "full_name",
        "email",
        "manager_id",
        "hired_at",
        "terminated_at",
        "modified_at",
    ],
    "user_roles": ["user_id", "role_label", "team", "valid_from", "valid_to"],
    "accounts": [
        "account_id",
        "account_name",
        "industry",
        "employee_count",
        "segment",
        "country",
        "created_at",
        "modified_at",
    ],
    "campaigns": [
        "campaign_id",
        "campaign_name",
        "channel",
        "cost",
        "currency",
        "start_date",
        "end_date",
        "owner_id",
    ],
    "leads": [
        "lead_id",
        "created_at",
        "account_id",
        "channel",
        "campaign_id",
        "owner_id",
        "status",
        "converted_at",
        "converted_opportunity_id",
        "disqualified_reason",
        "has_budget",
        "has_authority",
        "has_need",
        "has_timeline",
        "fit_score",
        "contact_name",
        "email",
        "phone",
        "modified_at",
    ],
    "lead_status_events": ["event_id", "lead_id", "changed_at", "from_status", "to_status"],
    "activities": [
        "activity_id",
        "occurred_at",
        "activity_type",
        "owner_id",
        "lead_id",
        "opportunity_id",
        "account_id",
        "duration_seconds",
        "outcome",
    ],
    "opportunities": [
        "opportunity_id",
        "account_id",
        "lead_id",
        "opportunity_type",
        "created_at",
        "created_by_id",
        "owner_id",
        "stage",
        "amount",
        "currency",
        "close_date",
        "is_closed",
        "is_won",
        "lost_reason",
        "competitor",
        "forecast_category",
        "handoff_note",
        "has_budget",
        "has_authority",
        "has_need",
        "has_timeline",
        "modified_at",
    ],
    "opportunity_changes": [
        "change_id",
        "opportunity_id",
        "changed_at",
        "field",
        "old_value",
        "new_value",
        "changed_by_id",
    ],
    "contracts": [
        "contract_id",
        "account_id",
        "opportunity_id",
        "start_date",
        "end_date",
        "annual_value",
        "currency",
        "csm_id",
        "renewal_opportunity_id",
        "status",
    ],
    "quotas": ["user_id", "quarter_start_date", "quota_amount", "currency"],
    "exchange_rates": ["rate_date", "currency", "base_currency", "rate"],
}


def write_tables(
    tables: dict[str, list[dict]], out: Path, file_type: str, absent: tuple[str, ...] = ()
) -> None:
    """Every file of COLUMNS (empty ones with their header), except the `absent` ones."""
    out.mkdir(parents=True, exist_ok=True)
    for name, columns in COLUMNS.items():
        if name in absent:
            continue
        rows = tables.get(name, [])
        if file_type == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in columns})
            pq.write_table(table, out / f"{name}.parquet")
            continue
        with open(out / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows([row[c] for c in columns] for row in rows)


def write_json(data: dict, path: Path) -> None:
    path.write_text(
        json.dumps(data, indent=1, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
