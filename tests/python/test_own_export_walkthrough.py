"""The README's walkthrough for your own export ("Point it at your own CRM exports"),
step by step, as a new user runs it from the project root: doctor, the build command
doctor prints, the report, validation, and mart_availability for what is missing.

The steps are read from the README itself (the lines of its numbered walkthrough that
start with a command), so the test fails when the README and the tools drift apart.
Each export sits in a fresh folder; its warehouse is the file doctor names under
warehouse/, removed at the end.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_build_generic import PROJECT

from themodel.generator.cli import generate

REAL_EXPORTS = PROJECT.parent / "shared" / "data" / "real_exports"
SAMPLE_ORG = REAL_EXPORTS / "salesforce_sample_org"
PY = str(Path(sys.executable))


def readme_walkthrough() -> str:
    text = (PROJECT / "README.md").read_text(encoding="utf-8")
    return text.split("## Point it at your own CRM exports", 1)[1].split("\n## ", 1)[0]


def readme_command(starts: str) -> str:
    """The walkthrough's command line that starts with these words."""
    for line in readme_walkthrough().splitlines():
        line = line.strip()
        if line.startswith(starts):
            return line
    raise AssertionError(f"the README's walkthrough has no command starting {starts!r}")


def run(command: str, timeout: int = 1200) -> subprocess.CompletedProcess:
    """A command line as the README writes it, from the project root, with the venv's
    Python standing in for .venv/bin/python when the tests run from another venv."""
    command = command.replace(".venv/bin/python", PY).replace(
        ".venv/bin/dbt", str(Path(PY).with_name("dbt"))
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("THE_MODEL_")}
    env["DBT_PROFILES_DIR"] = str(PROJECT)
    return subprocess.run(
        command,
        shell=True,
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def walk(exports: Path, tmp_path: Path) -> tuple[str, Path]:
    """Steps 1, 3, 4 and 5 of the README on one export folder; returns doctor's
    report and the warehouse it named."""
    # 1. check the export
    doctor = run(
        readme_command("make doctor EXPORTS=").split(" MAPPINGS=")[0].split("EXPORTS=")[0]
        + f"EXPORTS={shlex.quote(str(exports))}"
    )
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "READY" in doctor.stdout
    # 3. build with the command doctor printed under Next
    lines = doctor.stdout.splitlines()
    build = next(line.strip() for line in lines if ".venv/bin/dbt build" in line)
    database = PROJECT / re.search(r"THE_MODEL_DUCKDB_PATH=(\S+)", build).group(1)
    assert not database.exists(), f"{database} exists before the walkthrough"
    built = run(build)
    assert built.returncode == 0, built.stdout[-5000:]
    assert database.exists()
    # 4. the report, 5. validation, with the README's commands for that warehouse
    report = readme_command(".venv/bin/python -m themodel report")
    report = report.replace("warehouse/acme.duckdb", str(database)).replace(
        "warehouse/acme_report", str(tmp_path / "report")
    )
    reported = run(report)
    assert reported.returncode == 0, reported.stdout + reported.stderr
    assert list((tmp_path / "report").glob("report_*.html"))
    validate = readme_command(".venv/bin/python -m themodel validate")
    validated = run(validate.replace("warehouse/acme.duckdb", str(database)))
    assert validated.returncode == 0, validated.stdout[-5000:] + validated.stderr[-2000:]
    return doctor.stdout, database


def cannot_build(doctor_report: str) -> set[str]:
    block = doctor_report.split("cannot build", 1)
    if len(block) == 1:
        return set()
    names = re.findall(r"^    ([a-z_]+): ", block[1].split("\n\n", 1)[0], re.M)
    return set(names)


@pytest.fixture
def fresh(tmp_path: Path):
    """A fresh export folder; the warehouse doctor names for it goes at the end."""
    made: list[Path] = []

    def folder(name: str) -> Path:
        path = tmp_path / f"{name}_{os.getpid()}"
        made.append(path)
        return path

    yield folder
    for path in made:
        for suffix in ("", ".wal"):
            (PROJECT / "warehouse" / f"{path.name}.duckdb{suffix}").unlink(missing_ok=True)
        shutil.rmtree(PROJECT / "warehouse" / f"{path.name}_utf8", ignore_errors=True)


def test_the_salesforce_sample_goes_from_doctor_to_a_green_validate(fresh, tmp_path):
    if not SAMPLE_ORG.is_dir():
        pytest.skip(f"real export samples not found: {SAMPLE_ORG} is missing")
    exports = fresh("sample_org")
    shutil.copytree(SAMPLE_ORG, exports)
    report, database = walk(exports, tmp_path)
    with duckdb.connect(str(database), read_only=True) as con:
        unavailable = {
            mart
            for (mart,) in con.execute(
                "select mart from marts.mart_availability where not is_available"
            ).fetchall()
        }
        deals = con.execute("select count(*) from facts.fct_opportunities").fetchone()[0]
    # doctor said beforehand which marts the export cannot give; the build agrees
    assert unavailable == cannot_build(report)
    assert "customer_success_kpis_monthly" in unavailable
    assert deals == 36  # every Opportunity.csv row of the sample


def test_a_generic_export_in_a_fresh_folder_goes_from_doctor_to_a_green_validate(fresh, tmp_path):
    exports = fresh("acme_generic")
    generate(1, 7, exports, export_format="generic", profile="real_crm")
    report, database = walk(exports, tmp_path)
    with duckdb.connect(str(database), read_only=True) as con:
        unavailable = {
            mart
            for (mart,) in con.execute(
                "select mart from marts.mart_availability where not is_available"
            ).fetchall()
        }
        identity = con.execute(
            "select export_folder from the_model_meta.warehouse_identity"
        ).fetchall()
    assert cannot_build(report) <= unavailable
    assert [Path(folder).resolve() for (folder,) in identity] == [exports.resolve()]
