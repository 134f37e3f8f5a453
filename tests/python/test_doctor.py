"""`python -m themodel doctor`, run as a newcomer runs it (a subprocess), on the demo
company in both formats, the real_crm company, the real samples of
../shared/data/real_exports/ and exports made broken on purpose. Every figure the
report states is counted again here from the files; no run may create or change a
DuckDB file.

The last tests tie the doctor's own lists to the project files they stand for, so
they fail when one changes without the other.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from themodel.doctor.export import actual_name, detect
from themodel.doctor.files import parse_moment
from themodel.doctor.findings import has_values
from themodel.doctor.labels import label_sources
from themodel.doctor.project import (
    AS_OF_EVENTS,
    MAIN_DATE,
    SALESFORCE_COLUMN,
    SALESFORCE_ENTITY,
    export_specs,
    macro_value,
    read_seed,
)
from themodel.generator.cli import generate

PROJECT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT / "seeds"
REAL_EXPORTS = PROJECT.parent / "shared" / "data" / "real_exports"
SAMPLE_ORG = REAL_EXPORTS / "salesforce_sample_org"
CURRENCY_TABLES = REAL_EXPORTS / "salesforce_currency_tables"
CONNECTOR = REAL_EXPORTS / "fivetran_salesforce_connector"
HUBSPOT = REAL_EXPORTS / "hubspot_connector"
SPANISH_STAGES = {
    "Prospección",
    "Calificación",
    "Propuesta",
    "Negociación",
    "Compromiso",
    "Cerrada ganada",
    "Cerrada perdida",
}


def need(folder: Path) -> Path:
    if not folder.is_dir():
        pytest.skip(f"real export samples not found: {folder} is missing")
    return folder


def duckdb_files(*folders: Path) -> dict[Path, tuple[int, int]]:
    found = {}
    for folder in folders:
        for path in folder.glob("*.duckdb*") if folder == PROJECT else folder.rglob("*.duckdb*"):
            stat = path.stat()
            found[path] = (stat.st_size, stat.st_mtime_ns)
    return found


def doctor(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """The command as a newcomer runs it; asserts it left every DuckDB file as it was,
    made none (not even the one THE_MODEL_DUCKDB_PATH names) and printed no traceback."""
    database = tmp_path / "must_not_exist.duckdb"
    watched = [PROJECT, PROJECT / "warehouse", tmp_path]
    watched += [Path(a) for a in args if Path(a).is_dir()]
    watched = [folder for folder in watched if folder.is_dir()]
    before = duckdb_files(*watched)
    env = dict(os.environ, THE_MODEL_DUCKDB_PATH=str(database))
    result = subprocess.run(
        [sys.executable, "-m", "themodel", "doctor", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert duckdb_files(*watched) == before
    assert not database.exists()
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return result


def rows(path: Path, encoding: str = "utf-8", delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(newline="", encoding=encoding) as file:
        return list(csv.DictReader(file, delimiter=delimiter))


def write(path: Path, header: list[str], records: list[dict[str, str]], **options) -> None:
    with path.open("w", newline="", encoding=options.pop("encoding", "utf-8")) as file:
        writer = csv.DictWriter(file, fieldnames=header, lineterminator="\n", **options)
        writer.writeheader()
        writer.writerows(records)


def section(output: str, title: str) -> str:
    """The lines of one section of the report."""
    match = re.search(rf"^{re.escape(title)}.*?\n(.*?)(?:\n\n|\Z)", output, re.S | re.M)
    assert match, f"no section {title!r} in:\n{output}"
    return match.group(1)


def vars_of(output: str) -> str:
    match = re.search(r"--vars '(\{.*\})'", output)
    assert match, output
    return match.group(1)


def label_line(output: str, label: str, count: int) -> None:
    assert re.search(rf"^\s+'{re.escape(label)}'\s+{count:,} rows$", output, re.M), (
        f"{label!r} with {count} rows not listed:\n{section(output, 'Labels not in the seeds')}"
    )


# the forms the demo writes timestamps in (it mixes them on purpose)
DEMO_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y/%m/%d %H:%M", "%m/%d/%y %I:%M %p", "%Y-%m-%d")


def moment(text: str) -> datetime:
    for form in DEMO_FORMATS:
        try:
            return datetime.strptime(text, form)
        except ValueError:
            continue
    raise AssertionError(f"a timestamp in a form the test does not know: {text!r}")


def seed_labels(source: str, entity_type: str) -> set[str]:
    _, seed = read_seed(SEEDS / "stage_mapping.csv")
    return {
        r["source_label"].strip().lower()
        for r in seed
        if r["source_system"] == source and r["entity_type"] == entity_type
    }


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("doctor_demo")
    generate(1, 42, work / "generic")
    generate(1, 42, work / "salesforce", export_format="salesforce")
    generate(1, 42, work / "real_crm", profile="real_crm")
    return {name: work / name for name in ("generic", "salesforce", "real_crm")}


def test_generic_demo_rows_dates_labels_and_settings(demo, tmp_path):
    folder = demo["generic"]
    result = doctor(tmp_path, "--exports", str(folder))
    out = result.stdout
    assert result.returncode == 0, out
    assert "generic export" in section(out, "Format")
    for path in sorted(folder.glob("*.csv")):
        count = len(rows(path))
        assert f"{path.stem} ({path.name}): {count:,} rows" in out
    deals = rows(folder / "opportunities.csv")
    created = [moment(d["created_at"]).date().isoformat() for d in deals]
    assert (
        f"(opportunities.csv): {len(deals):,} rows, created_at {min(created)} to {max(created)}"
        in out
    )
    # the demo plants a few deals and changes with stage labels no seed maps
    known = seed_labels("generic", "opportunity")
    stages = Counter(d["stage"] for d in deals if d["stage"].strip().lower() not in known)
    for change in rows(folder / "opportunity_changes.csv"):
        if change["field"] == "stage":
            for value in (change["old_value"], change["new_value"]):
                if value and value.strip().lower() not in known:
                    stages[value] += 1
    assert stages, "the demo's planted unknown stages are gone: pick another fixture"
    for label, count in stages.items():
        label_line(out, label, count)
    # as_of_date: the latest of the events int_as_of_date reads
    latest = max(
        moment(value)
        for name, column in AS_OF_EVENTS.items()
        if (folder / f"{name}.csv").exists()
        for value in (r[column] for r in rows(folder / f"{name}.csv"))
        if value
    ).date()
    bases = {r["base_currency"] for r in rows(folder / "exchange_rates.csv")}
    assert len(bases) == 1
    settings = vars_of(out)
    assert f"as_of_date: {latest}" in settings
    assert f"reporting_currency: {bases.pop()}" in settings
    assert "crm_source: generic" in settings and "export_encoding" not in settings
    assert "Result: READY" in out


def test_salesforce_demo_is_a_data_export_with_its_corporate_currency(demo, tmp_path):
    folder = demo["salesforce"]
    result = doctor(tmp_path, "--exports", str(folder))
    out = result.stdout
    assert result.returncode == 0, out
    assert "Salesforce Data Export" in section(out, "Format")
    for name, entity in (
        ("Opportunity", "opportunities"),
        ("Lead", "leads"),
        ("Task", "activities"),
    ):
        assert f"{entity} ({name}.csv): {len(rows(folder / f'{name}.csv')):,} rows" in out
    (corporate,) = [
        r["IsoCode"]
        for r in rows(folder / "CurrencyType.csv")
        if r["IsCorporate"].lower() == "true"
    ]
    assert f"reporting_currency: {corporate}" in vars_of(out)
    assert "crm_source: salesforce" in vars_of(out)
    assert "none: every stage" in section(out, "Labels not in the seeds")


def test_real_crm_unmapped_spanish_stages_are_listed_and_written(demo, tmp_path):
    """The real_crm company against seeds without its Spanish stages: each stage listed
    with its count, the build blocked (every deal would be quarantined), the seed rows
    written with the seed's columns; once filled in and added, nothing is missing."""
    folder = demo["real_crm"]
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    header, seed = read_seed(SEEDS / "stage_mapping.csv")
    spanish = [
        r for r in seed if r["source_system"] == "generic" and r["source_label"] in SPANISH_STAGES
    ]
    write(seeds / "stage_mapping.csv", header, [r for r in seed if r not in spanish])
    mappings = tmp_path / "mappings"
    result = doctor(
        tmp_path, "--exports", str(folder), "--seeds", str(seeds), "--write-mappings", str(mappings)
    )
    out = result.stdout
    assert result.returncode == 1, out
    deals = rows(folder / "opportunities.csv")
    stages = Counter(d["stage"] for d in deals)
    assert set(stages) == SPANISH_STAGES  # the profile's labels: all of them unmapped here
    for label, count in stages.items():
        label_line(out, label, count)
    assert (
        f"opportunities.csv ({len(deals)} of {len(deals)} rows) have a label the seeds do not map"
        in out
    )
    written_header, written = read_seed(mappings / "stage_mapping.csv")
    assert written_header == header
    assert sorted(r["source_label"] for r in written) == sorted(stages)
    assert {(r["source_system"], r["entity_type"]) for r in written} == {("generic", "opportunity")}
    assert all(r["canonical_stage"] == "" and r["is_won"] == "" for r in written)
    assert f"tail -n +2 {mappings / 'stage_mapping.csv'} >> {seeds}/stage_mapping.csv" in out
    # the user fills the rows in (here: as the project's seed does) and appends them
    decided = {r["source_label"]: r for r in spanish}
    with (seeds / "stage_mapping.csv").open("a", newline="", encoding="utf-8") as file:
        csv.DictWriter(file, fieldnames=header, lineterminator="\n").writerows(
            dict(r, **{k: decided[r["source_label"]][k] for k in header if r[k] == ""})
            for r in written
        )
    again = doctor(tmp_path, "--exports", str(folder), "--seeds", str(seeds))
    assert again.returncode == 0, again.stdout
    assert "none: every stage" in section(again.stdout, "Labels not in the seeds")


def test_salesforce_sample_org_with_currency_tables(tmp_path):
    """The real sample org plus the real currency tables (as test_currency.py builds
    it): the corporate currency, the leads without CreatedDate, the marts left empty."""
    folder = tmp_path / "org"
    shutil.copytree(need(SAMPLE_ORG), folder)
    shutil.copy(need(CURRENCY_TABLES) / "CurrencyType.derived.csv", folder / "CurrencyType.csv")
    shutil.copy(
        CURRENCY_TABLES / "DatedConversionRate.derived.csv", folder / "DatedConversionRate.csv"
    )
    result = doctor(tmp_path, "--exports", str(folder))
    out = result.stdout
    assert result.returncode == 0, out
    assert "Salesforce Data Export" in out
    leads = rows(folder / "Lead.csv")
    assert "CreatedDate" not in leads[0]
    assert f"leads (Lead.csv): {len(leads)} rows, no CreatedDate column" in out
    assert f"Lead.csv: {len(leads)} of {len(leads)} rows (100%) will be quarantined" in out
    assert "Contact.csv" in section(out, "Files")  # found, and said to be unused
    (corporate,) = [
        r["IsoCode"] for r in rows(folder / "CurrencyType.csv") if r["IsCorporate"] == "true"
    ]
    settings = vars_of(out)
    assert f"reporting_currency: {corporate}" in settings
    assert "quarantine_max_share: 1" in settings
    moments = [
        datetime.strptime(value, "%m/%d/%y %I:%M %p")
        for path, column in (
            ("Opportunity.csv", "LastModifiedDate"),
            ("OpportunityHistory.csv", "CreatedDate"),
        )
        for value in (r[column] for r in rows(folder / path))
        if value
    ]
    assert f"as_of_date: {max(moments).date().isoformat()}" in settings
    # the marts the seed says need contracts, users or lead dates are named with the seed's reason
    marts = section(out, "Marts")
    _, requirements = read_seed(SEEDS / "mart_requirements.csv")
    for requirement in requirements:
        if (
            requirement["required_entity"] in ("contracts", "users")
            and not requirement["required_column"]
        ):
            assert re.search(
                rf"^\s+{requirement['mart']}: .*{re.escape(requirement['reason'])}", marts, re.M
            ), marts
    for requirement in requirements:
        if requirement["required_entity"] == "opportunities" and not requirement["required_column"]:
            assert not re.search(
                rf"^\s+{requirement['mart']}: .*{re.escape(requirement['reason'])}", marts, re.M
            )


def test_connector_tables_are_read_with_their_deleted_rows_and_opaque_stages(tmp_path):
    folder = need(CONNECTOR)
    result = doctor(tmp_path, "--exports", str(folder))
    out = result.stdout
    assert "Salesforce connector tables" in section(out, "Format")
    deals = rows(folder / "sf_opportunity_data.csv")
    assert f"opportunities (sf_opportunity_data.csv): {len(deals)} rows" in out
    deleted = sum(d["is_deleted"].strip().lower() == "true" for d in deals)
    assert deleted == len(deals)  # the sample's every deal is deleted
    assert (
        f"sf_opportunity_data.csv: {deleted} of {len(deals)} rows (100%) will be quarantined" in out
    )
    assert "sf_contact_data.csv" in section(out, "Files")
    # the connector hashes its stage names: none is in the seed, each is listed with its count
    known = seed_labels("salesforce", "opportunity")
    stages = Counter(d["stage_name"] for d in deals)
    stages.update(r["stage_name"] for r in rows(folder / "sf_opportunity_history_data.csv"))
    unknown = {label: n for label, n in stages.items() if label.strip().lower() not in known}
    assert unknown
    for label, count in unknown.items():
        label_line(out, label, count)
    assert result.returncode == 1
    assert "sf_opportunity_data.csv" in section(out, "Blockers")


def test_hubspot_is_recognised_and_refused_clearly(tmp_path):
    result = doctor(tmp_path, "--exports", str(need(HUBSPOT)))
    assert result.returncode == 1
    assert "HubSpot" in section(result.stdout, "Format")
    assert "HubSpot exports are not supported yet" in section(result.stdout, "Blockers")


def test_missing_opportunities_file_is_a_blocker_that_names_it(demo, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(demo["generic"], folder)
    (folder / "opportunities.csv").unlink()
    result = doctor(tmp_path, "--exports", str(folder))
    assert result.returncode == 1
    blockers = section(result.stdout, "Blockers")
    assert "opportunities.csv is missing" in blockers
    assert "required_export_files" in blockers


def test_missing_required_column_is_a_blocker(demo, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(demo["real_crm"], folder)
    leads = rows(folder / "leads.csv")
    header = [c for c in leads[0] if c != "status"]
    write(folder / "leads.csv", header, [{k: r[k] for k in header} for r in leads])
    result = doctor(tmp_path, "--exports", str(folder))
    assert result.returncode == 1
    assert "leads.csv has no column status" in section(result.stdout, "Blockers")
    assert "status MISSING" in result.stdout


def test_cp1252_and_semicolon_files_are_read_and_export_encoding_suggested(demo, tmp_path):
    """Spanish stage labels in a cp1252 file are read as the seed spells them (so none
    is unmapped), a semicolon file is counted right, and export_encoding is suggested."""
    folder = tmp_path / "export"
    shutil.copytree(demo["real_crm"], folder)
    deals = rows(folder / "opportunities.csv")
    write(folder / "opportunities.csv", list(deals[0]), deals, encoding="cp1252")
    assert b"Prospecci\xf3n" in (folder / "opportunities.csv").read_bytes()
    leads = rows(folder / "leads.csv")
    write(folder / "leads.csv", list(leads[0]), leads, delimiter=";")
    result = doctor(tmp_path, "--exports", str(folder))
    out = result.stdout
    assert result.returncode == 0, out
    files = section(out, "Files")
    assert re.search(r"^\s+opportunities\.csv\s+cp1252, delimiter ','$", files, re.M)
    assert re.search(r"^\s+leads\.csv\s+utf-8, delimiter ';'$", files, re.M)
    assert f"leads (leads.csv): {len(leads):,} rows" in out
    assert "none: every stage" in section(out, "Labels not in the seeds")
    assert "export_encoding: cp1252" in vars_of(out)


def test_unmapped_currency_is_listed_and_written_with_the_seed_base(demo, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(demo["real_crm"], folder)
    deals = rows(folder / "opportunities.csv")
    for deal in deals[:7]:
        deal["currency"] = "MXN"
    write(folder / "opportunities.csv", list(deals[0]), deals)
    result = doctor(tmp_path, "--exports", str(folder), "--write-mappings", str(tmp_path / "m"))
    label_line(result.stdout, "MXN", 7)
    assert result.returncode == 0  # 7 of 1,484 deals: under quarantine_max_share
    header, written = read_seed(tmp_path / "m" / "exchange_rates.csv")
    seed_header, seed = read_seed(SEEDS / "exchange_rates.csv")
    assert header == seed_header
    assert written == [
        dict(currency="MXN", base_currency=seed[0]["base_currency"], rate_date="", rate="")
    ]
    # every deal in a currency without a rate: the build would stop (unknown_currency)
    for deal in deals:
        deal["currency"] = "MXN"
    write(folder / "opportunities.csv", list(deals[0]), deals)
    blocked = doctor(tmp_path, "--exports", str(folder))
    assert blocked.returncode == 1
    assert f"opportunities.csv ({len(deals)} of {len(deals)} rows)" in section(
        blocked.stdout, "Blockers"
    )


def test_make_doctor_runs_the_command(demo, tmp_path):
    """`make doctor EXPORTS=DIR` is the same report; without EXPORTS it says how."""
    before = duckdb_files(PROJECT, PROJECT / "warehouse")
    ready = subprocess.run(
        ["make", "--no-print-directory", "doctor", f"EXPORTS={demo['real_crm']}"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert ready.returncode == 0, ready.stdout + ready.stderr
    assert f"The Model doctor: {demo['real_crm']}" in ready.stdout
    assert "Result: READY" in ready.stdout
    usage = subprocess.run(
        ["make", "--no-print-directory", "doctor"], cwd=PROJECT, capture_output=True, text=True
    )
    assert usage.returncode != 0
    assert "usage: make doctor EXPORTS=" in usage.stderr
    assert duckdb_files(PROJECT, PROJECT / "warehouse") == before


def test_the_docs_example_is_what_doctor_prints(tmp_path):
    """docs/doctor.md shows the sample org's report as it is. When seeds or wording
    change, paste the new output of the command the page shows."""
    need(SAMPLE_ORG)
    relative = "../shared/data/real_exports/salesforce_sample_org"
    assert (PROJECT / relative).resolve() == SAMPLE_ORG.resolve()
    page = (PROJECT / "docs/doctor.md").read_text(encoding="utf-8")
    command = f"$ make doctor EXPORTS={relative}\n"
    shown = page.split(command, 1)[1].split("\n```", 1)[0]
    result = doctor(tmp_path, "--exports", relative)
    assert result.stdout.rstrip() == shown.rstrip()


def test_many_unmapped_labels_are_cut_in_the_report_and_all_written(demo, tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(demo["real_crm"], folder)
    leads = rows(folder / "leads.csv")
    for number, lead in enumerate(leads[:40]):
        lead["status"] = f"Status {number:02d}"
    write(folder / "leads.csv", list(leads[0]), leads)
    result = doctor(tmp_path, "--exports", str(folder), "--write-mappings", str(tmp_path / "m"))
    labels = section(result.stdout, "Labels not in the seeds")
    assert "status (seeds/stage_mapping.csv, generic/lead): 40 not mapped" in labels
    assert len(re.findall(r"^\s+'Status \d\d'\s+1 rows$", labels, re.M)) == 30
    assert "... and 10 more (10 rows; --write-mappings writes them all)" in labels
    _, written = read_seed(tmp_path / "m" / "stage_mapping.csv")
    assert sorted(r["source_label"] for r in written) == [f"Status {n:02d}" for n in range(40)]
    assert {r["entity_type"] for r in written} == {"lead"}


def test_parquet_files_are_read_and_a_broken_one_is_a_blocker(tmp_path):
    import duckdb

    folder = tmp_path / "parquet"
    generate(1, 42, folder, file_type="parquet", profile="real_crm")
    result = doctor(tmp_path, "--exports", str(folder))
    assert result.returncode == 0, result.stdout
    with duckdb.connect() as con:
        for path in sorted(folder.glob("*.parquet")):
            count = con.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]
            assert f"{path.stem} ({path.name}): {count:,} rows" in result.stdout
            assert re.search(rf"^\s+{re.escape(path.name)}\s+parquet$", result.stdout, re.M)
    (folder / "opportunities.parquet").write_bytes(b"not parquet")
    broken = doctor(tmp_path, "--exports", str(folder))
    assert broken.returncode == 1
    assert "opportunities.parquet is not a readable Parquet file" in section(
        broken.stdout, "Blockers"
    )


def test_a_pipeline_with_its_own_stages_needs_its_own_rows(demo, tmp_path):
    """docs/generic_format.md: a pipeline with rows of its own keeps of the
    all-pipelines rows only the milestones it gives no stage of its own. A partner
    deal at `Propuesta` (an all-pipelines working stage) is unmapped, for `partner`;
    at `Cerrada ganada` (the closed_won milestone) it is mapped; so is any stage of a
    pipeline without rows of its own."""
    folder, seeds = tmp_path / "export", tmp_path / "seeds"
    shutil.copytree(demo["real_crm"], folder)
    shutil.copytree(SEEDS, seeds)
    header, seed = read_seed(SEEDS / "stage_mapping.csv")
    partner = [
        ("Partner Registered", "partner_registered", "40", "opportunity_created"),
        ("Solution Design", "solution_design", "55", ""),
    ]
    for label, stage, order, milestone in partner:
        seed.append(
            dict(
                zip(
                    header[:6],
                    ["generic", "opportunity", label, stage, order, "field_sales"],
                    strict=True,
                )
            )
            | dict(is_won="0", is_lost="0", milestone=milestone, pipeline_id="partner")
        )
    write(seeds / "stage_mapping.csv", header, seed)
    deals = rows(folder / "opportunities.csv")
    for number, deal in enumerate(deals):
        deal["pipeline_id"] = "partner" if number % 2 else ("other" if number % 3 else "")
    write(folder / "opportunities.csv", [*deals[0]], deals)
    in_partner = Counter(d["stage"] for d in deals if d["pipeline_id"] == "partner")
    assert in_partner["Propuesta"] and in_partner["Cerrada ganada"]
    result = doctor(
        tmp_path,
        "--exports",
        str(folder),
        "--seeds",
        str(seeds),
        "--write-mappings",
        str(tmp_path / "m"),
    )
    labels = section(result.stdout, "Labels not in the seeds")
    # every working stage and the opportunity_created milestone partner has its own row for
    unmapped = {"Propuesta", "Negociación", "Compromiso", "Prospección"}
    for label in unmapped:
        assert re.search(
            rf"^\s+'{label}' \(pipeline partner\)\s+{in_partner[label]:,} rows$", labels, re.M
        ), labels
    assert "Cerrada ganada" not in labels and "Calificación" not in labels
    _, written = read_seed(tmp_path / "m" / "stage_mapping.csv")
    assert {(r["source_label"], r["pipeline_id"]) for r in written} == {
        (label, "partner") for label in unmapped
    }


def test_usage_errors_exit_2(tmp_path):
    assert doctor(tmp_path).returncode == 2
    assert doctor(tmp_path, "--exports", str(tmp_path / "nowhere")).returncode == 2
    assert doctor(tmp_path, "--exports", str(tmp_path), "--date-order", "DDMM").returncode == 2


def test_an_empty_folder_is_a_blocker_not_a_crash(tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    (folder / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = doctor(tmp_path, "--exports", str(folder))
    assert result.returncode == 1
    assert "No export file of a known format" in section(result.stdout, "Blockers")


# --- the doctor's lists against the project files they stand for -------------------


def test_salesforce_objects_and_dates_match_the_staging_macro():
    objects = macro_value(
        PROJECT / "macros/staging/salesforce_export_columns.sql", "salesforce_export_columns"
    )
    assert set(SALESFORCE_ENTITY) == set(objects)
    entities = set(macro_value(PROJECT / "macros/staging/export_entities.sql", "export_entities"))
    assert set(SALESFORCE_ENTITY.values()) <= entities
    generic = macro_value(
        PROJECT / "macros/staging/generic_export_columns.sql", "generic_export_columns"
    )
    assert set(generic) == entities
    for name, spec in {**objects, **generic}.items():
        column, _ = MAIN_DATE[name]
        assert column is None or column in spec["columns"], name


def test_as_of_events_match_int_as_of_date():
    """AS_OF_EVENTS names, per generic entity, the column int_as_of_date takes its max of."""
    (model,) = PROJECT.glob("models/intermediate/*/int_as_of_date.sql")
    read = dict(
        (entity, column)
        for column, entity in re.findall(
            r"max\((\w+)\) as event_at from \{\{ ref\('stg_crm__(\w+)'\) \}\}", model.read_text()
        )
    )
    assert read and read == {k: v for k, v in AS_OF_EVENTS.items() if k in read}
    generic = {s.name for s in export_specs("generic")}
    assert {k for k in AS_OF_EVENTS if k in generic} == set(read)


def test_label_columns_are_columns_staging_reads():
    for source in ("generic", "salesforce"):
        specs = {s.name: s for s in export_specs(source)}
        for label in label_sources(source):
            for name, column in label.columns:
                if (name, column) != ("event", "type"):  # every event is `Event`
                    assert column in specs[name].columns, (source, name, column)


def test_mart_requirements_name_real_marts_entities_and_columns(tmp_path):
    """Every mart of seeds/mart_requirements.csv is a model of models/marts, every entity
    a staging entity, and every required column one the doctor can find in both formats."""
    _, requirements = read_seed(SEEDS / "mart_requirements.csv")
    marts = {p.stem for p in PROJECT.glob("models/marts/*/*.sql")}
    entities = set(macro_value(PROJECT / "macros/staging/export_entities.sql", "export_entities"))
    generic = {s.name: s for s in export_specs("generic")}
    salesforce = {s.name: s for s in export_specs("salesforce")}
    for requirement in requirements:
        assert requirement["mart"] in marts, requirement
        assert requirement["required_entity"] in entities, requirement
        column = requirement["required_column"]
        if column:
            assert column in generic[requirement["required_entity"]].columns, requirement
            sf_object, sf_column = SALESFORCE_COLUMN[(requirement["required_entity"], column)]
            assert sf_column in salesforce[sf_object].columns, requirement
    for (entity, _column), (sf_object, sf_column) in SALESFORCE_COLUMN.items():
        assert SALESFORCE_ENTITY[sf_object] == entity
        assert sf_column in salesforce[sf_object].columns


@pytest.mark.parametrize(
    ("text", "order", "expected"),
    [
        # the forms and the rules of docs/generic_format.md (date_order)
        ("11/09/25 02:18 PM", "MDY", "2025-11-09 14:18"),
        ("09.11.2025", "DMY", "2025-11-09 00:00"),
        ("9-11-2025", "DMY", "2025-11-09 00:00"),
        ("25/11/09", "YMD", "2025-11-09 00:00"),
        ("2025/11/09 10:00", "DMY", "2025-11-09 10:00"),
        ("2025-11-09T09:30:00+09:00", "MDY", "2025-11-09 00:30"),
        ("11/09/68", "MDY", "2068-11-09 00:00"),
        ("11/09/69", "MDY", "1969-11-09 00:00"),
        ("25/11/09", "MDY", None),  # a month of 25: unparseable, never a year first
        ("09/13/25", "DMY", None),
        ("2025.11.09", "MDY", None),
        ("13:00 yesterday", "MDY", None),
    ],
)
def test_dates_are_read_as_staging_reads_them(text, order, expected):
    found = parse_moment(text, order)
    assert (f"{found:%Y-%m-%d %H:%M}" if found else None) == expected


def test_has_values_sees_a_column_only_with_a_value(tmp_path):
    """A column that is there but empty counts as missing (a mart cannot use it)."""
    folder = tmp_path / "export"
    folder.mkdir()
    write(
        folder / "opportunities.csv",
        ["opportunity_id", "created_at", "stage", "competitor"],
        [
            {
                "opportunity_id": "o1",
                "created_at": "2025-01-01",
                "stage": "Proposal",
                "competitor": "",
            }
        ],
    )
    export = detect(folder)
    assert has_values(export, "opportunities", None)
    assert has_values(export, "opportunities", "created_at")
    assert not has_values(export, "opportunities", "competitor")
    assert actual_name(export.entity("opportunities"), "created_at") == "created_at"


def test_seed_texts_hold_no_single_quote():
    """dbt-spark writes seed values into its insert statement unescaped: a quote in a
    seed (the mart_requirements reasons) fails the Spark build."""
    for seed in sorted((PROJECT / "seeds").glob("*.csv")):
        lines = seed.read_text(encoding="utf-8").splitlines()
        quoted = [number for number, line in enumerate(lines, 1) if "'" in line]
        assert quoted == [], f"{seed.name}: line {quoted}"
