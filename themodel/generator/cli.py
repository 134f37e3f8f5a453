"""`python -m themodel generate`: write a company's CRM exports and truth.json.

Profiles: `demo` (the demo company, docs/demo_company.md) and `real_crm` (a company
shaped like real CRM exports: no SDRs, deals created at any stage, Spanish stage
labels, no field history; themodel/generator/real_crm.py)."""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

from themodel.generator.company import simulate
from themodel.generator.mess import apply_mess, planted_quarantine
from themodel.generator.real_crm import (
    ABSENT_FILES,
    build_real_crm_truth,
    simulate_real_crm,
)
from themodel.generator.salesforce import write_salesforce
from themodel.generator.truth import build_truth
from themodel.generator.writers import write_json, write_tables

PROFILES = ("demo", "real_crm")


def generate(
    scale: int,
    seed: int,
    out: Path,
    export_format: str = "generic",
    file_type: str = "csv",
    profile: str = "demo",
) -> dict:
    # millions of small rows: the cyclic collector only slows this down (none form cycles)
    gc.disable()
    try:
        if profile == "real_crm":
            return _generate_real_crm(scale, seed, out, export_format, file_type)
        if profile != "demo":
            raise ValueError(f"unknown profile {profile!r}: one of {', '.join(PROFILES)}")
        return _generate(scale, seed, out, export_format, file_type)
    finally:
        gc.enable()


def _generate_real_crm(
    scale: int, seed: int, out: Path, export_format: str, file_type: str
) -> dict:
    """The real_crm profile: clean rows (no planted mess), only the files such a CRM has."""
    company = simulate_real_crm(scale, seed)
    truth = build_real_crm_truth(company)
    truth["mess"] = {}
    if export_format == "salesforce":
        if file_type != "csv":
            raise SystemExit("--format salesforce writes CSV only (a Data Export is CSV)")
        truth["raw_row_counts"] = write_salesforce(company, out, without_history=True)
    else:
        truth["raw_row_counts"] = dict(truth["clean_row_counts"])
        write_tables(company.tables, out, file_type, absent=ABSENT_FILES)
    truth["format"] = {"export_format": export_format, "file_type": file_type}
    truth["planted_quarantine"] = []
    write_json(truth, out / "truth.json")
    return truth


def _generate(scale: int, seed: int, out: Path, export_format: str, file_type: str) -> dict:
    company = simulate(scale, seed)
    truth = build_truth(company)
    if export_format == "salesforce":
        if file_type != "csv":
            raise SystemExit("--format salesforce writes CSV only (a Data Export is CSV)")
        # the same company, clean: the mess is planted in the generic format
        truth["mess"] = {}
        truth["raw_row_counts"] = write_salesforce(company, out)
    else:
        truth["mess"] = apply_mess(company.tables, scale, seed)
        truth["raw_row_counts"] = {name: len(rows) for name, rows in sorted(company.tables.items())}
        write_tables(company.tables, out, file_type)
    truth["format"] = {"export_format": export_format, "file_type": file_type}
    truth["planted_quarantine"] = planted_quarantine(truth["mess"])
    write_json(truth, out / "truth.json")
    return truth


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m themodel generate", description=__doc__)
    parser.add_argument("--scale", type=int, default=1, help="1 = about 5,000 leads")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--format", dest="export_format", choices=("generic", "salesforce"), default="generic"
    )
    parser.add_argument("--file-type", choices=("csv", "parquet"), default="csv")
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="demo",
        help="demo: the demo company; real_crm: shaped like real CRM exports",
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be 1 or more")
    started = time.perf_counter()
    truth = generate(
        args.scale, args.seed, args.out, args.export_format, args.file_type, args.profile
    )
    rows = sum(truth["raw_row_counts"].values())
    profile = "" if args.profile == "demo" else f"{args.profile}, "
    print(
        f"wrote {rows:,} rows ({profile}{args.export_format}, {args.file_type}) to {args.out} "
        f"in {time.perf_counter() - started:.1f}s"
    )
    return 0
