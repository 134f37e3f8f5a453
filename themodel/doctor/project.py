"""What the project already knows about exports, read from the project itself: the
files and columns staging reads (the Jinja macros of macros/staging), the vars of
dbt_project.yml, the seeds; and the few facts of the staging models that no macro
lists (tests/python/test_doctor.py checks them against the models and macros)."""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import yaml

PROJECT = Path(__file__).resolve().parents[2]
STAGING_MACROS = PROJECT / "macros/staging"
EXTENSIONS = ("csv", "parquet")
csv.field_size_limit(1 << 30)

# Staging entity of each Salesforce object (models/staging/salesforce/raw/*.sql).
SALESFORCE_ENTITY = {
    "user": "users",
    "user_role": "user_roles",
    "account": "accounts",
    "campaign": "campaigns",
    "lead": "leads",
    "lead_history": "lead_status_events",
    "task": "activities",
    "event": "activities",
    "opportunity": "opportunities",
    "opportunity_history": "opportunity_changes",
    "opportunity_field_history": "opportunity_changes",
    "opportunity_versions": "opportunity_changes",
    "contract": "contracts",
    "dated_conversion_rate": "exchange_rates",
    "currency_type": "exchange_rates",
    "forecasting_quota": "quotas",
}

# The date that places each file's rows in time, and whether staging quarantines a
# row without it (rule missing_timestamp, macros/staging/base_entities.sql).
MAIN_DATE: dict[str, tuple[str | None, bool]] = {
    "users": ("hired_at", True),
    "user_roles": ("valid_from", True),
    "accounts": ("created_at", False),
    "campaigns": ("start_date", False),
    "exchange_rates": ("rate_date", False),
    "leads": ("created_at", True),
    "lead_status_events": ("changed_at", True),
    "activities": ("occurred_at", True),
    "opportunities": ("created_at", True),
    "opportunity_changes": ("changed_at", True),
    "contracts": ("start_date", True),
    "quotas": ("quarter_start_date", True),
    "user": ("created_date", True),
    "user_role": (None, False),
    "currency_type": (None, False),
    "account": ("created_date", False),
    "campaign": ("start_date", False),
    "lead": ("created_date", True),
    "lead_history": ("created_date", True),
    "task": ("created_date", True),
    "event": ("activity_date_time", True),
    "opportunity": ("created_date", True),
    "opportunity_history": ("created_date", True),
    "opportunity_field_history": ("created_date", True),
    "opportunity_versions": ("_fivetran_start", True),
    "contract": ("start_date", True),
    "dated_conversion_rate": ("start_date", False),
    "forecasting_quota": ("start_date", True),
}

# The events whose latest one is "now" when as_of_date is unset
# (models/intermediate/*/int_as_of_date.sql): per file, the column holding it.
AS_OF_EVENTS = {
    "leads": "created_at",
    "lead_status_events": "changed_at",
    "opportunities": "modified_at",
    "opportunity_changes": "changed_at",
    "activities": "occurred_at",
    "lead": "created_date",
    "lead_history": "created_date",
    "opportunity": "last_modified_date",
    "opportunity_history": "created_date",
    "opportunity_field_history": "created_date",
    "opportunity_versions": "_fivetran_start",
    "task": "created_date",
    "event": "activity_date_time",
}

# The Salesforce column behind a canonical column a mart requirement names
# (seeds/mart_requirements.csv; models/staging/salesforce/raw/*.sql translate them).
SALESFORCE_COLUMN = {
    ("users", "user_id"): ("user", "id"),
    ("users", "full_name"): ("user", "name"),
    ("users", "hired_at"): ("user", "created_date"),
    ("user_roles", "role"): ("user_role", "name"),
    ("accounts", "employee_count"): ("account", "number_of_employees"),
    ("accounts", "segment"): ("account", "segment_c"),
    ("campaigns", "cost"): ("campaign", "actual_cost"),
    ("leads", "created_at"): ("lead", "created_date"),
    ("leads", "status"): ("lead", "status"),
    ("leads", "owner_id"): ("lead", "owner_id"),
    ("leads", "converted_at"): ("lead", "converted_date"),
    ("opportunities", "created_at"): ("opportunity", "created_date"),
    ("opportunities", "close_date"): ("opportunity", "close_date"),
    ("opportunities", "owner_id"): ("opportunity", "owner_id"),
    ("opportunities", "created_by_id"): ("opportunity", "created_by_id"),
    ("opportunities", "amount"): ("opportunity", "amount"),
    ("opportunities", "competitor"): ("opportunity", "main_competitor_c"),
    ("opportunities", "lost_reason"): ("opportunity", "loss_reason_c"),
    ("opportunities", "opportunity_type"): ("opportunity", "type"),
    ("activities", "occurred_at"): ("task", "created_date"),
    ("contracts", "end_date"): ("contract", "end_date"),
    ("quotas", "quota_amount"): ("forecasting_quota", "quota_amount"),
}

# File names of a HubSpot connector (Fivetran's hubspot schema): recognised, not supported.
HUBSPOT_FILES = ("deal", "deal_pipeline_stage", "company", "owner", "engagement", "contact")

TRUE_TEXTS = {"true", "1", "yes", "y", "t"}


def macro_value(path: Path, name: str) -> object:
    """The value a Jinja macro of the project returns with ``{{ return(...) }}``."""
    holder: dict[str, object] = {}

    def give(value: object) -> str:
        holder["value"] = value
        return ""

    environment = jinja2.Environment(extensions=["jinja2.ext.do"])
    environment.from_string(path.read_text(encoding="utf-8") + "{{ " + name + "() }}").render(
        **{"return": give}
    )
    return holder["value"]


@dataclass(frozen=True)
class Spec:
    """One export file as staging reads it."""

    name: str  # generic entity or Salesforce object
    entity: str  # staging entity
    files: tuple[str, ...]
    columns: tuple[str, ...]
    required: tuple[str, ...]
    file_required: bool


def project_vars() -> dict:
    return yaml.safe_load((PROJECT / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]


def export_specs(source: str) -> list[Spec]:
    """The files and columns staging reads for a source format, from its macro."""
    if source == "generic":
        raw = macro_value(STAGING_MACROS / "generic_export_columns.sql", "generic_export_columns")
        required_files = set(project_vars()["required_export_files"])
        return [
            Spec(
                name,
                name,
                (name,),
                tuple(s["columns"]),
                tuple(s["required"]),
                name in required_files,
            )
            for name, s in raw.items()
        ]
    raw = macro_value(STAGING_MACROS / "salesforce_export_columns.sql", "salesforce_export_columns")
    return [
        Spec(
            name,
            SALESFORCE_ENTITY[name],
            tuple(s["files"]),
            tuple(s["columns"]),
            tuple(s["required"]),
            bool(s.get("file_required", False)),
        )
        for name, s in raw.items()
    ]


def header_key(name: str) -> str:
    """How staging matches a header: StageName, stage_name and ' Stage Name ' are one."""
    return name.strip().lower().replace("_", "").replace(" ", "")


@functools.lru_cache(maxsize=1 << 16)  # a few dozen labels, repeated on every row
def clean_label(text: str | None) -> str | None:
    """How staging compares a label with a seed (macros/staging/parsing.sql clean_label)."""
    if text is None:
        return None
    return re.sub(r"\s+", " ", text).strip().lower() or None


def read_seed(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as file:
        reader = csv.DictReader(file)
        return list(reader.fieldnames or []), list(reader)


@dataclass(frozen=True)
class LabelSource:
    kind: str  # stage | status | role | activity type | currency
    seed: str  # seed file name
    entity_type: str | None  # stage_mapping's entity_type
    columns: tuple[tuple[str, str], ...]  # (file, column)
    history_field: str | None = None  # only rows whose `field` is this one


def label_sources(source: str) -> list[LabelSource]:
    """Where each mapped label of a format comes from (staging's raw and base models)."""
    if source == "generic":
        return [
            LabelSource("stage", "stage_mapping.csv", "opportunity", (("opportunities", "stage"),)),
            LabelSource(
                "stage",
                "stage_mapping.csv",
                "opportunity",
                (("opportunity_changes", "old_value"), ("opportunity_changes", "new_value")),
                "stage",
            ),
            LabelSource("status", "stage_mapping.csv", "lead", (("leads", "status"),)),
            LabelSource(
                "status",
                "stage_mapping.csv",
                "lead",
                (("lead_status_events", "from_status"), ("lead_status_events", "to_status")),
            ),
            LabelSource("role", "role_mapping.csv", None, (("user_roles", "role_label"),)),
            LabelSource(
                "activity type",
                "activity_type_mapping.csv",
                None,
                (("activities", "activity_type"),),
            ),
            LabelSource(
                "currency",
                "exchange_rates.csv",
                None,
                (
                    ("opportunities", "currency"),
                    ("campaigns", "currency"),
                    ("contracts", "currency"),
                    ("quotas", "currency"),
                ),
            ),
        ]
    return [
        LabelSource(
            "stage",
            "stage_mapping.csv",
            "opportunity",
            (
                ("opportunity", "stage_name"),
                ("opportunity_history", "stage_name"),
                ("opportunity_versions", "stage_name"),
            ),
        ),
        LabelSource(
            "stage",
            "stage_mapping.csv",
            "opportunity",
            (
                ("opportunity_field_history", "old_value"),
                ("opportunity_field_history", "new_value"),
            ),
            "stagename",
        ),
        LabelSource("status", "stage_mapping.csv", "lead", (("lead", "status"),)),
        LabelSource(
            "status",
            "stage_mapping.csv",
            "lead",
            (("lead_history", "old_value"), ("lead_history", "new_value")),
            "status",
        ),
        LabelSource("role", "role_mapping.csv", None, (("user_role", "name"),)),
        LabelSource(
            "activity type",
            "activity_type_mapping.csv",
            None,
            (("task", "type"), ("event", "type")),
        ),
        LabelSource(
            "currency",
            "exchange_rates.csv",
            None,
            (
                ("opportunity", "currency_iso_code"),
                ("campaign", "currency_iso_code"),
                ("contract", "currency_iso_code"),
                ("forecasting_quota", "currency_iso_code"),
            ),
        ),
    ]


def kept_columns() -> frozenset[str]:
    """The header keys whose values the doctor reads row by row (others: only whether
    some row has a value); a wide export is not held in memory whole."""
    columns = {column for column, _ in MAIN_DATE.values() if column}
    columns |= set(AS_OF_EVENTS.values())
    for source in ("generic", "salesforce"):
        for label in label_sources(source):
            columns |= {column for _, column in label.columns}
    columns |= {
        "field",  # a history row's field
        "task_subtype",  # a task's type label, with `type`
        "id",
        "name",
        "user_role_id",  # a user's role
        "iso_code",
        "is_corporate",
        "currency",
        "base_currency",
        "is_deleted",
        "_fivetran_deleted",
        "opportunity_id",  # a history row's deal, for the deal's pipeline
        "pipeline_id",  # a deal's pipeline (generic)
        "record_type_id",  # a deal's pipeline (Salesforce)
    }
    return frozenset(header_key(column) for column in columns)
