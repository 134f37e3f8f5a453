"""Write the demo company as a Salesforce Data Export (one CSV per object).

The same company as the generic files, in Salesforce's conventions: CamelCase
headers, 18-character ids (with the case-checksum suffix), the null id
000000000000000AAA in empty lookups, TRUE/FALSE, picklist labels, ISO
timestamps with milliseconds, field history with a `created` row, and one
OpportunityHistory row whenever stage, amount, close date or probability
changes. The demo org has a few custom fields (`__c`) and custom picklist
values, listed in docs/salesforce_format.md. Written from the clean tables:
the generic format is where the export mess is planted.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

NULL_ID = "000000000000000AAA"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
CHECKSUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
PREFIXES = {
    "user": "005",
    "role": "00E",
    "account": "001",
    "campaign": "701",
    "lead": "00Q",
    "opportunity": "006",
    "task": "00T",
    "event": "00U",
    "contract": "800",
    "opportunity_history": "008",
    "field_history": "017",
    "rate": "04w",
    "currency": "01L",
    "quota": "0J9",
}
STAGES = {  # generic label -> picklist label (Commit and the renewal stages are custom values)
    "Handed Off": "Prospecting",
    "Accepted": "Qualification",
    "Discovery": "Needs Analysis",
    "Proposal": "Proposal/Price Quote",
    "Negotiation": "Negotiation/Review",
    "Commit": "Commit",
    "Closed Won": "Closed Won",
    "Closed Lost": "Closed Lost",
    "Renewal Due": "Renewal Due",
    "Renewed": "Renewed",
    "Churned": "Churned",
}
# The real_crm profile's org has its own (Spanish) picklist values: written as they are.
SPANISH_STAGES = {
    "Prospección": 10,
    "Calificación": 20,
    "Propuesta": 60,
    "Negociación": 80,
    "Compromiso": 90,
    "Cerrada ganada": 100,
    "Cerrada perdida": 0,
}
STAGES.update({label: label for label in SPANISH_STAGES})
PROBABILITY = {
    "Prospecting": 10,
    "Qualification": 20,
    "Needs Analysis": 30,
    "Proposal/Price Quote": 60,
    "Negotiation/Review": 80,
    "Commit": 90,
    "Closed Won": 100,
    "Closed Lost": 0,
    "Renewal Due": 70,
    "Renewed": 100,
    "Churned": 0,
    **SPANISH_STAGES,
}
LEAD_STATUSES = {
    "New": "Open - Not Contacted",
    "MQL": "Marketing Qualified",
    "Working": "Working - Contacted",
    "Nurture": "Nurturing",
    "Recycled": "Recycled",
    "Qualified": "Sales Qualified",
    "Converted": "Closed - Converted",
    "Disqualified": "Closed - Not Converted",
}
ROLES = {  # generic role label -> UserRole.Name
    "Marketing": "Marketing",
    "SDR": "Inside Sales",
    "AE": "Account Executive",
    "CSM": "Customer Success Manager",
    "Manager": "Sales Manager",
}
OPPORTUNITY_TYPES = {
    "new_business": "New Customer",
    "expansion": "Existing Customer - Upgrade",
    "renewal": "Renewal",
    "": "",  # a deal whose type nobody filled in (the real_crm profile)
}
FORECAST_CATEGORIES = {
    "pipeline": "Pipeline",
    "best_case": "Best Case",
    "commit": "Commit",
    "closed": "Closed",
    "omitted": "Omitted",
}
BANT = ("budget", "authority", "need", "timeline")
FIELD_NAMES = {  # generic field -> OpportunityFieldHistory.Field
    "stage": "StageName",
    "amount": "Amount",
    "close_date": "CloseDate",
    "owner_id": "Owner",
    "forecast_category": "ForecastCategoryName",
}


def id15_to_18(id15: str) -> str:
    """Salesforce's case-safe suffix: a letter per five characters, from where the capitals are."""
    suffix = ""
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        flags = sum(1 << position for position, char in enumerate(chunk) if "A" <= char <= "Z")
        suffix += CHECKSUM[flags]
    return id15 + suffix


class Ids:
    """Deterministic 18-character ids, numbered per object in order of first use."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, str], str] = {}
        self.counts: dict[str, int] = defaultdict(int)

    def new(self, kind: str) -> str:
        self.counts[kind] += 1
        number, digits = self.counts[kind], ""
        while number:
            number, rest = divmod(number, 62)
            digits = BASE62[rest] + digits
        return id15_to_18(PREFIXES[kind] + "Dm" + digits.rjust(10, "0"))

    def of(self, kind: str, key: str) -> str:
        if not key:
            return NULL_ID
        if (kind, key) not in self.known:
            self.known[(kind, key)] = self.new(kind)
        return self.known[(kind, key)]


def sf_time(value: str) -> str:
    """'2024-01-05T10:23:00Z' -> '2024-01-05T10:23:00.000Z' (Data Export's form)."""
    return value[:-1] + ".000Z" if value else ""


def sf_bool(value: bool | str) -> str:
    return "TRUE" if value in (True, "true") else "FALSE"


def title(label: str) -> str:
    return label.replace("_", " ").title() if label else ""


def write_salesforce(company, out: Path, without_history: bool = False) -> dict[str, int]:
    """Write every object file; return {file: rows}. `without_history` (the real_crm
    profile): an object with no rows, such as the field histories, is not written."""
    tables, ids = company.tables, Ids()
    files: dict[str, tuple[list[str], list[list[str]]]] = {}

    role_ids = {label: ids.of("role", label) for label in ROLES}
    files["UserRole"] = (
        ["Id", "Name", "DeveloperName", "ParentRoleId", "LastModifiedDate"],
        [
            [role_ids[label], name, name.replace(" ", "_"), NULL_ID, "2023-01-01T00:00:00.000Z"]
            for label, name in ROLES.items()
        ],
    )
    current_role = {}
    for row in tables["user_roles"]:  # rows are in stint order: the last one is current
        current_role[row["user_id"]] = row
    users = []
    for row in tables["users"]:
        first, _, last = row["full_name"].partition(" ")
        role = current_role[row["user_id"]]
        users.append(
            [
                ids.of("user", row["user_id"]),
                row["email"],
                first,
                last,
                row["full_name"],
                row["email"],
                sf_bool(not row["terminated_at"]),
                role_ids[role["role_label"]],
                ids.of("user", row["manager_id"]),
                role["team"],
                sf_time(row["hired_at"]),
                sf_time(row["terminated_at"] or row["hired_at"]),
            ]
        )
    files["User"] = (
        [
            "Id",
            "Username",
            "FirstName",
            "LastName",
            "Name",
            "Email",
            "IsActive",
            "UserRoleId",
            "ManagerId",
            "Department",
            "CreatedDate",
            "LastModifiedDate",
        ],
        users,
    )

    files["Account"] = (
        [
            "Id",
            "IsDeleted",
            "Name",
            "Type",
            "Industry",
            "NumberOfEmployees",
            "BillingCountry",
            "Segment__c",
            "CreatedDate",
            "LastModifiedDate",
        ],
        [
            [
                ids.of("account", row["account_id"]),
                "FALSE",
                row["account_name"],
                "Prospect",
                title(row["industry"]),
                row["employee_count"],
                row["country"],
                title(row["segment"]),
                sf_time(row["created_at"]),
                sf_time(row["modified_at"]),
            ]
            for row in tables["accounts"]
        ],
    )

    files["Campaign"] = (
        [
            "Id",
            "IsDeleted",
            "Name",
            "Type",
            "OwnerId",
            "ActualCost",
            "CurrencyIsoCode",
            "StartDate",
            "EndDate",
            "CreatedDate",
            "LastModifiedDate",
        ],
        [
            [
                ids.of("campaign", row["campaign_id"]),
                "FALSE",
                row["campaign_name"],
                title(row["channel"]),
                ids.of("user", row["owner_id"]),
                row["cost"],
                row["currency"],
                row["start_date"],
                row["end_date"],
                sf_time(row["start_date"] + "T00:00:00Z"),
                sf_time(row["start_date"] + "T00:00:00Z"),
            ]
            for row in tables["campaigns"]
        ],
    )

    account_names = {row["account_id"]: row["account_name"] for row in tables["accounts"]}
    leads = []
    for row in tables["leads"]:
        first, _, last = row["contact_name"].partition(" ")
        leads.append(
            [
                ids.of("lead", row["lead_id"]),
                "FALSE",
                first,
                last,
                row["contact_name"],
                account_names[row["account_id"]],
                row["email"],
                row["phone"],
                title(row["channel"]),
                LEAD_STATUSES[row["status"]],
                ids.of("user", row["owner_id"]),
                sf_bool(bool(row["converted_at"])),
                row["converted_at"][:10],
                ids.of("account", row["account_id"]) if row["converted_at"] else NULL_ID,
                ids.of("opportunity", row["converted_opportunity_id"]),
                ids.of("account", row["account_id"]),
                ids.of("campaign", row["campaign_id"]),
                row["disqualified_reason"],
                *(row[f"has_{flag}"].upper() for flag in BANT),
                row["fit_score"],
                sf_time(row["created_at"]),
                sf_time(row["modified_at"]),
            ]
        )
    files["Lead"] = (
        [
            "Id",
            "IsDeleted",
            "FirstName",
            "LastName",
            "Name",
            "Company",
            "Email",
            "Phone",
            "LeadSource",
            "Status",
            "OwnerId",
            "IsConverted",
            "ConvertedDate",
            "ConvertedAccountId",
            "ConvertedOpportunityId",
            "Account__c",
            "Campaign__c",
            "Disqualified_Reason__c",
            "Budget_Confirmed__c",
            "Authority_Confirmed__c",
            "Need_Confirmed__c",
            "Timeline_Confirmed__c",
            "Fit_Score__c",
            "CreatedDate",
            "LastModifiedDate",
        ],
        leads,
    )

    lead_owner = {row["lead_id"]: row["owner_id"] for row in tables["leads"]}
    lead_history = []
    for row in tables["lead_status_events"]:
        created = not row["from_status"]
        lead_history.append(
            [
                ids.new("field_history"),
                "FALSE",
                ids.of("lead", row["lead_id"]),
                ids.of("user", lead_owner[row["lead_id"]]),
                sf_time(row["changed_at"]),
                "created" if created else "Status",
                "" if created else LEAD_STATUSES[row["from_status"]],
                "" if created else LEAD_STATUSES[row["to_status"]],
            ]
        )
    files["LeadHistory"] = (
        ["Id", "IsDeleted", "LeadId", "CreatedById", "CreatedDate"]
        + ["Field", "OldValue", "NewValue"],
        lead_history,
    )

    tasks, events = [], []
    for row in tables["activities"]:
        who, what = ids.of("lead", row["lead_id"]), ids.of("opportunity", row["opportunity_id"])
        common = [who, what, ids.of("account", row["account_id"]), ids.of("user", row["owner_id"])]
        if row["activity_type"] == "meeting":
            events.append(
                [
                    ids.new("event"),
                    "FALSE",
                    *common,
                    "Meeting",
                    "Meeting",
                    sf_time(row["occurred_at"]),
                    str(round(int(row["duration_seconds"]) / 60)),
                    sf_time(row["occurred_at"]),
                    sf_time(row["occurred_at"]),
                ]
            )
        else:
            kind = title(row["activity_type"])
            tasks.append(
                [
                    ids.new("task"),
                    "FALSE",
                    *common,
                    kind,
                    kind,
                    "Completed",
                    row["occurred_at"][:10],
                    row["duration_seconds"] if kind == "Call" else "",
                    title(row["outcome"]),
                    sf_time(row["occurred_at"]),
                    sf_time(row["occurred_at"]),
                ]
            )
    files["Task"] = (
        [
            "Id",
            "IsDeleted",
            "WhoId",
            "WhatId",
            "AccountId",
            "OwnerId",
            "Subject",
            "TaskSubtype",
            "Status",
            "ActivityDate",
            "CallDurationInSeconds",
            "CallDisposition",
            "CreatedDate",
            "LastModifiedDate",
        ],
        tasks,
    )
    files["Event"] = (
        [
            "Id",
            "IsDeleted",
            "WhoId",
            "WhatId",
            "AccountId",
            "OwnerId",
            "Subject",
            "EventSubtype",
            "ActivityDateTime",
            "DurationInMinutes",
            "CreatedDate",
            "LastModifiedDate",
        ],
        events,
    )

    lead_campaign = {row["lead_id"]: row["campaign_id"] for row in tables["leads"]}
    lead_channel = {row["lead_id"]: row["channel"] for row in tables["leads"]}
    opportunities = []
    changes_by_opportunity: dict[str, list[dict]] = defaultdict(list)
    for change in tables["opportunity_changes"]:
        changes_by_opportunity[change["opportunity_id"]].append(change)
    history, field_history = [], []
    for row in tables["opportunities"]:
        opportunity_id = ids.of("opportunity", row["opportunity_id"])
        stage = STAGES[row["stage"]]
        opportunities.append(
            [
                opportunity_id,
                "FALSE",
                ids.of("account", row["account_id"]),
                f"{account_names[row['account_id']]} - {title(row['opportunity_type'])}",
                OPPORTUNITY_TYPES[row["opportunity_type"]],
                stage,
                row["amount"],
                row["currency"],
                str(PROBABILITY[stage]),
                row["close_date"],
                title(lead_channel.get(row["lead_id"], "")),
                sf_bool(row["is_closed"]),
                sf_bool(row["is_won"]),
                FORECAST_CATEGORIES[row["forecast_category"]],
                ids.of("campaign", lead_campaign.get(row["lead_id"], "")),
                ids.of("user", row["owner_id"]),
                ids.of("user", row["created_by_id"]),
                title(row["lost_reason"]),
                row["competitor"],
                row["handoff_note"],
                *(row[f"has_{flag}"].upper() for flag in BANT),
                sf_time(row["created_at"]),
                sf_time(row["modified_at"]),
            ]
        )
        write_opportunity_history(
            row, changes_by_opportunity[row["opportunity_id"]], ids, history, field_history
        )
    files["Opportunity"] = (
        [
            "Id",
            "IsDeleted",
            "AccountId",
            "Name",
            "Type",
            "StageName",
            "Amount",
            "CurrencyIsoCode",
            "Probability",
            "CloseDate",
            "LeadSource",
            "IsClosed",
            "IsWon",
            "ForecastCategoryName",
            "CampaignId",
            "OwnerId",
            "CreatedById",
            "Loss_Reason__c",
            "Main_Competitor__c",
            "Handoff_Note__c",
            "Budget_Confirmed__c",
            "Authority_Confirmed__c",
            "Need_Confirmed__c",
            "Timeline_Confirmed__c",
            "CreatedDate",
            "LastModifiedDate",
        ],
        opportunities,
    )
    files["OpportunityHistory"] = (
        [
            "Id",
            "IsDeleted",
            "OpportunityId",
            "CreatedById",
            "CreatedDate",
            "StageName",
            "Amount",
            "ExpectedRevenue",
            "CloseDate",
            "Probability",
            "ForecastCategory",
            "SystemModstamp",
        ],
        history,
    )
    files["OpportunityFieldHistory"] = (
        [
            "Id",
            "IsDeleted",
            "OpportunityId",
            "CreatedById",
            "CreatedDate",
            "Field",
            "OldValue",
            "NewValue",
        ],
        field_history,
    )

    files["Contract"] = (
        [
            "Id",
            "IsDeleted",
            "AccountId",
            "ContractTerm",
            "StartDate",
            "EndDate",
            "Status",
            "OwnerId",
            "CurrencyIsoCode",
            "Annual_Value__c",
            "Opportunity__c",
            "Renewal_Opportunity__c",
            "Renewal_Status__c",
            "CreatedDate",
            "LastModifiedDate",
        ],
        [
            [
                ids.of("contract", row["contract_id"]),
                "FALSE",
                ids.of("account", row["account_id"]),
                "12",
                row["start_date"],
                row["end_date"],
                "Activated",
                ids.of("user", row["csm_id"]),
                row["currency"],
                row["annual_value"],
                ids.of("opportunity", row["opportunity_id"]),
                ids.of("opportunity", row["renewal_opportunity_id"]),
                title(row["status"]),
                sf_time(row["start_date"] + "T00:00:00Z"),
                sf_time(row["start_date"] + "T00:00:00Z"),
            ]
            for row in tables["contracts"]
        ],
    )

    # Corporate currency KRW; ConversionRate is units of IsoCode per one KRW. As in
    # a real org, each currency's first period starts 0001-01-01 and its last
    # runs to 9999-12-31; CurrencyType holds the latest rate of each currency.
    rates = []
    latest: dict[str, str] = {}
    rows = sorted(tables["exchange_rates"], key=lambda row: (row["currency"], row["rate_date"]))
    for index, row in enumerate(rows):
        day = datetime.strptime(row["rate_date"], "%Y-%m-%d")
        first = index == 0 or rows[index - 1]["currency"] != row["currency"]
        last = index == len(rows) - 1 or rows[index + 1]["currency"] != row["currency"]
        conversion = f"{1 / float(row['rate']):.12g}"
        latest[row["currency"]] = conversion
        rates.append(
            [
                ids.new("rate"),
                row["currency"],
                conversion,
                "0001-01-01" if first else row["rate_date"],
                "9999-12-31" if last else (day + timedelta(days=1)).strftime("%Y-%m-%d"),
            ]
        )
    files["DatedConversionRate"] = (
        ["Id", "IsoCode", "ConversionRate", "StartDate", "NextStartDate"],
        rates,
    )
    files["CurrencyType"] = (
        ["Id", "IsoCode", "ConversionRate", "DecimalPlaces", "IsActive", "IsCorporate"],
        [[ids.new("currency"), "KRW", "1", "0", "TRUE", "TRUE"]]
        + [
            [ids.new("currency"), currency, conversion, "2", "TRUE", "FALSE"]
            for currency, conversion in sorted(latest.items())
        ],
    )
    files["ForecastingQuota"] = (
        ["Id", "QuotaOwnerId", "StartDate", "QuotaAmount", "CurrencyIsoCode"],
        [
            [
                ids.new("quota"),
                ids.of("user", row["user_id"]),
                row["quarter_start_date"],
                row["quota_amount"],
                row["currency"],
            ]
            for row in tables["quotas"]
        ],
    )

    if without_history:
        files = {name: content for name, content in files.items() if content[1]}
    out.mkdir(parents=True, exist_ok=True)
    for name, (header, rows) in files.items():
        with open(out / f"{name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            writer.writerows(rows)
    return {f"{name}.csv": len(rows) for name, (_, rows) in sorted(files.items())}


def write_opportunity_history(row, changes, ids, history, field_history) -> None:
    """Field history (a `created` row, then one per change) and OpportunityHistory
    (one row per moment stage, amount, close date or probability changed)."""
    opportunity_id = ids.of("opportunity", row["opportunity_id"])
    first_old = {}
    for change in changes:
        first_old.setdefault(change["field"], change["old_value"])
    state = {  # the values at creation: a field's first old value, or today's value
        "stage": "",
        "amount": first_old.get("amount", row["amount"]),
        "close_date": first_old.get("close_date", row["close_date"]),
        "forecast_category": first_old.get("forecast_category") or row["forecast_category"],
    }
    by_moment: dict[str, list[dict]] = defaultdict(list)
    for change in changes:
        by_moment[change["changed_at"]].append(change)
    for moment in sorted(by_moment):
        snapshot_changed = False
        for change in by_moment[moment]:
            field, new = change["field"], change["new_value"]
            if field == "stage" and not change["old_value"]:
                kind, old_text, new_text = "created", "", ""
            else:
                kind = FIELD_NAMES[field]
                old_text, new_text = (
                    sf_value(field, change["old_value"], ids),
                    sf_value(field, new, ids),
                )
            field_history.append(
                [
                    ids.new("field_history"),
                    "FALSE",
                    opportunity_id,
                    ids.of("user", change["changed_by_id"]),
                    sf_time(moment),
                    kind,
                    old_text,
                    new_text,
                ]
            )
            if field in state:
                snapshot_changed |= field != "forecast_category" and state[field] != new
                state[field] = new
        if snapshot_changed:
            stage = STAGES[state["stage"]]
            amount = float(state["amount"])
            history.append(
                [
                    ids.new("opportunity_history"),
                    "FALSE",
                    opportunity_id,
                    ids.of("user", by_moment[moment][0]["changed_by_id"]),
                    sf_time(moment),
                    stage,
                    f"{amount:.2f}",
                    f"{amount * PROBABILITY[stage] / 100:.2f}",
                    state["close_date"],
                    str(PROBABILITY[stage]),
                    FORECAST_CATEGORIES[state["forecast_category"] or "pipeline"],
                    sf_time(moment),
                ]
            )


def sf_value(field: str, value: str, ids: Ids) -> str:
    if field == "stage":
        return STAGES[value] if value else ""
    if field == "owner_id":
        return ids.of("user", value)
    if field == "forecast_category":
        return FORECAST_CATEGORIES[value] if value else ""
    return value
