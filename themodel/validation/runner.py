"""`python -m themodel validate`: run every mart's suite; non-zero exit on any failure.

Data Docs HTML goes to warehouse/gx/ (git-ignored). Every table in schema
`marts` must have a suite, and every suite must find its mart.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from themodel.validation import expected
from themodel.validation import marts as _marts  # noqa: F401  (registers the suites)
from themodel.validation.suites import DERIVED, SUITES, Expectation
from themodel.warehouse import connect_read_only, database_path, mart_tables


@dataclass
class Failure:
    mart: str
    expectation: str
    kwargs: dict
    detail: str

    def __str__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.kwargs.items() if k != "batch_id")
        return f"  FAIL {self.mart}: {self.expectation}({args}) -> {self.detail}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m themodel validate", description=__doc__)
    parser.add_argument("--database", help="DuckDB file (default: THE_MODEL_DUCKDB_PATH)")
    parser.add_argument("--docs-dir", default="warehouse/gx", help="where Data Docs are written")
    args = parser.parse_args(argv)

    path = database_path(args.database)
    with connect_read_only(path) as con:
        marts = mart_tables(con)
        frames = {name: con.execute(f'select * from marts."{name}"').df() for name in marts}
        available = expected.availability(con)
        # the company's own labels and, for a mart this export cannot give, no rows
        suites = {
            mart: expected.adapt(SUITES[mart], con, available.get(mart))
            for mart in marts
            if mart in SUITES
        }

    failures = [
        Failure(mart, "suite exists", {}, "mart has no expectation suite in themodel/validation")
        for mart in marts
        if mart not in SUITES
    ]
    failures += [
        Failure(mart, "mart exists", {}, f"no table marts.{mart} in {path}")
        for mart in SUITES
        if mart not in frames
    ]
    checked = {name: frame for name, frame in frames.items() if name in SUITES}
    checked_count, ge_failures, docs = run_suites(checked, suites, Path(args.docs_dir))
    failures += ge_failures

    print(f"validated {len(checked)} marts, {checked_count} expectations; Data Docs: {docs}")
    unavailable = sorted(mart for mart, is_available in available.items() if not is_available)
    if unavailable:
        print(f"expected empty (marts.mart_availability): {', '.join(unavailable)}")
    for failure in failures:
        print(failure)
    print(f"{checked_count - len(ge_failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


def run_suites(
    frames: dict, suites: dict[str, list[Expectation]], docs_dir: Path
) -> tuple[int, list[Failure], str]:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx  # slow import: only when validating

    # a fresh GE project each run: suites live in code, Data Docs are rebuilt
    shutil.rmtree(docs_dir / "gx", ignore_errors=True)
    docs_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(mode="file", project_root_dir=str(docs_dir.resolve()))
    context.variables.progress_bars = {"globally": False}
    source = context.data_sources.add_or_update_pandas("marts")
    failures: list[Failure] = []
    count = 0
    for mart, frame in frames.items():
        batch = source.add_dataframe_asset(name=mart).add_batch_definition_whole_dataframe("all")
        suite = context.suites.add(gx.ExpectationSuite(name=mart))
        for class_name, kwargs in suites[mart]:
            suite.add_expectation(getattr(gx.expectations, class_name)(**kwargs))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=mart, data=batch, suite=suite)
        )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name=mart,
                validation_definitions=[definition],
                actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")],
            )
        )
        checks = {name: frame.eval(expr) for name, expr in DERIVED.get(mart, {}).items()}
        result = checkpoint.run(batch_parameters={"dataframe": frame.assign(**checks)})
        for run in result.run_results.values():
            for outcome in run.results:
                count += 1
                if not outcome.success:
                    config = outcome.expectation_config
                    kwargs = dict(config.kwargs)
                    expression = DERIVED.get(mart, {}).get(kwargs.get("column"))
                    if expression:
                        detail = describe_rows(frame, expression)
                        failures.append(Failure(mart, "row_rule", {"rule": expression}, detail))
                    else:
                        failures.append(
                            Failure(mart, config.type, kwargs, describe(outcome.result))
                        )
    sites = context.get_docs_sites_urls()
    return count, failures, sites[0]["site_url"] if sites else str(docs_dir)


def describe(result: dict) -> str:
    if "observed_value" in result:
        return f"observed {result['observed_value']!r}"
    examples = result.get("partial_unexpected_list") or []
    return f"{result.get('unexpected_count', '?')} unexpected, e.g. {examples[:5]!r}"


def describe_rows(frame, expression: str) -> str:
    """The rows that break a row rule, with the columns it names."""
    broken = frame[~frame.eval(expression).fillna(False).astype(bool)]
    named = [column for column in frame.columns if re.search(rf"\b{column}\b", expression)]
    # run_id names the build, the same on every row: no key
    keys = [
        c
        for c in frame.columns
        if (c.endswith("_id") or c in KEY_COLUMNS) and c not in named and c != "run_id"
    ]
    examples = broken[keys + named].head(3).astype(str).to_dict("records")
    return f"{len(broken)} rows break it, e.g. {examples!r}"


KEY_COLUMNS = {"month", "quarter", "cohort_month", "segment", "channel", "stage", "as_of_date"}
