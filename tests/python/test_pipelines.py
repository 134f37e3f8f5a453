"""Several sales processes (pipelines): the Salesforce demo export with a
RecordTypeId column splitting the new-business deals into two record types, one
of which (the partner process) has stage names of its own with an order of its
own, mapped by pipeline-keyed rows in a copy of seeds/stage_mapping.csv.
Renewals and expansions have no record type: the default pipeline.

The funnel mart must count each pipeline's deals in that pipeline's stages, equal
to the facts per pipeline and to the export itself.
"""

from __future__ import annotations

import csv
import shutil
from collections import Counter, defaultdict
from pathlib import Path

import duckdb
import pytest
from test_build_generic import PROJECT, dbt

from themodel.generator.cli import generate

# 18-character record type ids, as a Data Export writes them
# record type ids as Salesforce writes them: 15 characters and their case-safe checksum
DIRECT = "0125g000000DirAAAS"
PARTNER = "0125g000000PrtAAAS"

# The partner process: its own labels for the demo's stages, in its own order.
# Negotiation/Review keeps its label but is a stage of its own there (the
# pipeline's row wins over the all-pipelines row of the same label).
PARTNER_LABELS = {
    "Prospecting": "Partner Registered",
    "Qualification": "Partner Qualified",
    "Needs Analysis": "Solution Design",
    "Proposal/Price Quote": "Partner Quote",
    "Negotiation/Review": "Negotiation/Review",
    "Commit": "Partner Commit",
}
# label -> (stage id, order, owning role, milestone)
PARTNER_ROWS = {
    "Partner Registered": ("partner_registered", 40, "inside_sales", "opportunity_created"),
    "Partner Qualified": ("partner_qualified", 45, "field_sales", "accepted"),
    "Solution Design": ("solution_design", 55, "field_sales", ""),
    "Partner Quote": ("partner_quote", 65, "field_sales", ""),
    "Negotiation/Review": ("partner_negotiation", 85, "field_sales", ""),
    "Partner Commit": ("partner_commit", 90, "field_sales", ""),
}
PARTNER_FUNNEL = [
    "partner_registered",
    "partner_qualified",
    "solution_design",
    "partner_quote",
    "partner_negotiation",
    "partner_commit",
]
DIRECT_FUNNEL = [
    "opportunity_created",
    "accepted",
    "discovery",
    "proposal",
    "negotiation",
    "commit",
]


def rewrite(path: Path, change) -> None:
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        fields = list(reader.fieldnames)
        rows = list(reader)
    fields = change(fields, rows) or fields
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def record_types(exports: Path) -> dict[str, str]:
    """Every other new-business deal is a partner deal; renewals and expansions have none."""
    types = {}
    with (exports / "Opportunity.csv").open(encoding="utf-8", newline="") as file:
        new_business = [row["Id"] for row in csv.DictReader(file) if row["Type"] == "New Customer"]
    for number, opportunity_id in enumerate(new_business):
        types[opportunity_id] = PARTNER if number % 2 else DIRECT
    return types


def add_record_types(exports: Path, types: dict[str, str]) -> None:
    def partner_label(opportunity_id: str, label: str) -> str:
        return PARTNER_LABELS.get(label, label) if types.get(opportunity_id) == PARTNER else label

    def opportunities(fields, rows):
        for row in rows:
            row["RecordTypeId"] = types.get(row["Id"], "")
            row["StageName"] = partner_label(row["Id"], row["StageName"])
        return [*fields, "RecordTypeId"]

    def history(fields, rows):
        for row in rows:
            row["StageName"] = partner_label(row["OpportunityId"], row["StageName"])

    def field_history(fields, rows):
        for row in rows:
            if row["Field"] == "StageName":
                row["OldValue"] = partner_label(row["OpportunityId"], row["OldValue"])
                row["NewValue"] = partner_label(row["OpportunityId"], row["NewValue"])

    rewrite(exports / "Opportunity.csv", opportunities)
    rewrite(exports / "OpportunityHistory.csv", history)
    rewrite(exports / "OpportunityFieldHistory.csv", field_history)


def add_partner_rows(project: Path) -> None:
    def partner(fields, rows):
        fields = fields if "pipeline_id" in fields else [*fields, "pipeline_id"]
        for label, (stage, order, role, milestone) in PARTNER_ROWS.items():
            rows.append(
                {
                    **dict.fromkeys(fields, ""),
                    "source_system": "salesforce",
                    "entity_type": "opportunity",
                    "source_label": label,
                    "canonical_stage": stage,
                    "stage_order": str(order),
                    "owning_role": role,
                    "is_won": "0",
                    "is_lost": "0",
                    "milestone": milestone,
                    "pipeline_id": PARTNER,
                }
            )
        return fields

    rewrite(project / "seeds" / "stage_mapping.csv", partner)


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("pipelines")
    project = work / "project"
    shutil.copytree(
        PROJECT,
        project,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "warehouse", "target", "logs", "dbt_packages"
        ),
    )
    add_partner_rows(project)
    exports = work / "exports"
    generate(1, 42, exports, export_format="salesforce")
    types = record_types(exports)
    add_record_types(exports, types)
    with (exports / "Opportunity.csv").open(encoding="utf-8", newline="") as file:
        export = {row["Id"]: row for row in csv.DictReader(file)}
    database = work / "warehouse.duckdb"
    built = dbt(["build"], database, exports, work, project=project, crm_source="salesforce")
    assert built.returncode == 0, built.stdout[-5000:]
    with duckdb.connect(str(database), read_only=True) as con:
        # the id as the warehouse shows it (the same form as every other Salesforce id)
        (shown,) = con.execute(
            "select opportunity_id from facts.fct_opportunities order by opportunity_id limit 1"
        ).fetchone()
        assert any(key.startswith(shown) for key in export)
        yield con, export, types, len(shown)


def shown_id(salesforce_id: str, width: int) -> str:
    return salesforce_id[:width]


def test_every_deal_is_in_its_record_type_or_the_default_pipeline(two_processes):
    con, export, types, width = two_processes
    facts = dict(
        con.execute("select opportunity_id, pipeline_id from facts.fct_opportunities").fetchall()
    )
    expected = {
        shown_id(key, width): shown_id(types[key], width) if key in types else "default"
        for key in export
    }
    assert facts == expected
    assert Counter(facts.values()) == Counter(expected.values())
    assert set(facts.values()) == {shown_id(DIRECT, width), shown_id(PARTNER, width), "default"}


def test_funnel_stages_are_each_pipelines_own_in_its_order(two_processes):
    con, _, _, width = two_processes
    funnels = defaultdict(list)
    for pipeline, stage in con.execute(
        "select pipeline_id, stage from marts.funnel_stage_conversion"
        " group by pipeline_id, stage order by pipeline_id, min(stage_order)"
    ).fetchall():
        funnels[pipeline].append(stage)
    assert dict(funnels) == {
        shown_id(DIRECT, width): DIRECT_FUNNEL,
        shown_id(PARTNER, width): PARTNER_FUNNEL,
    }
    # no deal visits another process's working stages (nor is counted as skipping them)
    visited = defaultdict(set)
    for pipeline, stage in con.execute(
        "select distinct pipeline_id, stage from facts.fct_stage_visits"
        " where entity_type = 'opportunity'"
    ).fetchall():
        visited[pipeline].add(stage)
    outcomes = {"closed_won", "closed_lost"}
    assert visited[shown_id(PARTNER, width)] == set(PARTNER_FUNNEL) | outcomes
    assert visited[shown_id(DIRECT, width)] == set(DIRECT_FUNNEL) | outcomes


def test_deals_land_in_their_pipelines_stage(two_processes):
    """Each deal's current stage is its export label mapped by its own pipeline's rows."""
    con, export, types, width = two_processes
    direct = {
        "Prospecting": "opportunity_created",
        "Qualification": "accepted",
        "Needs Analysis": "discovery",
        "Proposal/Price Quote": "proposal",
        "Negotiation/Review": "negotiation",
        "Commit": "commit",
        "Closed Won": "closed_won",
        "Closed Lost": "closed_lost",
    }
    partner = {label: row[0] for label, row in PARTNER_ROWS.items()}
    partner.update({"Closed Won": "closed_won", "Closed Lost": "closed_lost"})
    facts = dict(
        con.execute("select opportunity_id, current_stage from facts.fct_opportunities").fetchall()
    )
    checked = Counter()
    for key, pipeline in types.items():
        mapping = partner if pipeline == PARTNER else direct
        assert facts[shown_id(key, width)] == mapping[export[key]["StageName"]], key
        checked[pipeline] += 1
    assert checked[PARTNER] > 400 and checked[DIRECT] > 400
    # the same label, another stage per pipeline
    negotiating = Counter(
        con.execute(
            "select pipeline_id, stage from facts.fct_stage_visits"
            " where entity_type = 'opportunity' and stage in ('negotiation', 'partner_negotiation')"
            " and not is_skipped"
        ).fetchall()
    )
    assert negotiating[(shown_id(PARTNER, width), "partner_negotiation")] > 0
    assert negotiating[(shown_id(DIRECT, width), "negotiation")] > 0
    assert negotiating[(shown_id(PARTNER, width), "negotiation")] == 0
    assert negotiating[(shown_id(DIRECT, width), "partner_negotiation")] == 0


def test_funnel_counts_per_pipeline_equal_the_facts_and_the_export(two_processes):
    con, export, types, width = two_processes
    entered = dict(
        con.execute(
            "select pipeline_id, sum(entered_count) from marts.funnel_stage_conversion"
            " where stage in ('opportunity_created', 'partner_registered') group by 1"
        ).fetchall()
    )
    facts = dict(
        con.execute(
            "select pipeline_id, count(*) from facts.fct_opportunities"
            " where opportunity_type = 'new_business' group by 1"
        ).fetchall()
    )
    in_export = Counter(shown_id(types[key], width) for key in export if key in types)
    assert entered == facts == dict(in_export)
    # every stage: the mart's deals equal the deals with a visit there in the facts
    mart = {
        (pipeline, stage): count
        for pipeline, stage, count in con.execute(
            "select pipeline_id, stage, sum(entered_count)"
            " from marts.funnel_stage_conversion group by 1, 2"
        ).fetchall()
    }
    visits = {
        (pipeline, stage): count
        for pipeline, stage, count in con.execute(
            "select visits.pipeline_id, visits.stage, count(distinct visits.entity_id)"
            " from facts.fct_stage_visits as visits"
            " inner join facts.fct_opportunities as deals"
            " on visits.entity_id = deals.opportunity_id"
            " where visits.entity_type = 'opportunity' and visits.is_sales_stage"
            " and deals.opportunity_type = 'new_business' group by 1, 2"
        ).fetchall()
    }
    assert mart == visits
    # won deals per pipeline, as the export says
    won = dict(
        con.execute(
            "select pipeline_id, count(*) from facts.fct_opportunities"
            " where is_won and opportunity_type = 'new_business' group by 1"
        ).fetchall()
    )
    won_in_export = Counter(
        shown_id(types[key], width)
        for key, row in export.items()
        if key in types and row["IsWon"].upper() == "TRUE"
    )
    assert won == dict(won_in_export)
    # the bottlenecks rank each pipeline's own stages
    ranked = {
        (pipeline, stage)
        for pipeline, stage in con.execute(
            "select distinct pipeline_id, stage from marts.funnel_bottlenecks"
            " where pipeline_id != 'default'"
        ).fetchall()
    }
    assert {stage for pipeline, stage in ranked if pipeline == shown_id(PARTNER, width)} <= set(
        PARTNER_FUNNEL
    )
    assert {stage for pipeline, stage in ranked if pipeline == shown_id(DIRECT, width)} <= set(
        DIRECT_FUNNEL
    )
