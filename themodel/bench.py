"""`python -m themodel bench`: time the project at scale on DuckDB.

Generates the benchmark company once (Parquet, cached under warehouse/), then
measures on a fresh DuckDB file:

  raw_scan_s          DuckDB reading every export file once into memory (the floor)
  parse_s             `dbt parse` with no partial-parse cache
  full_build_s        `dbt build --full-refresh` (models, seeds, snapshots, tests),
                      as of the day before the data's last day
  incremental_build_s `dbt build` again, as of one day later: "one more day of data"
                      is the as-of moment moving forward a day over the same exports
                      (events after the as-of moment are left out of the stage
                      history, so the last day's events arrive with it)
  scale_1             the same full and incremental builds on the scale-1 company:
                      dbt's own cost per build (compiling, running and recording
                      every node), which no change to the SQL takes away
  peak_rss_mib        the largest resident memory of the dbt process and its
                      children, sampled from /proc every 0.1 s during a build
  *_cpu_s             CPU seconds of a build (user + system, children included):
                      on a shared machine wall time grows with the load, this hardly

and writes warehouse/bench.json. Speed goals are checked here, never in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import duckdb

PROJECT = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))
PAGE_MIB = os.sysconf("SC_PAGE_SIZE") / 2**20
# The goals of issue 8 at scale 200.
GOALS = {"full_build_s": 120.0, "peak_rss_mib": 6 * 1024.0, "incremental_share": 0.10}
DBT_COST_KEYS = [
    "full_build_s",
    "full_build_cpu_s",
    "incremental_build_s",
    "incremental_build_cpu_s",
]


def ensure_exports(scale: int, seed: int, folder: Path) -> dict:
    """The generated company, reused when truth.json says it has this scale and seed."""
    truth_file = folder / "truth.json"
    if truth_file.exists():
        truth = json.loads(truth_file.read_text())
        made = (truth["parameters"]["scale"], truth["parameters"]["seed"], truth["format"])
        if made == (scale, seed, {"export_format": "generic", "file_type": "parquet"}):
            return truth
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(folder, ignore_errors=True)
    command = [sys.executable, "-m", "themodel", "generate", "--scale", str(scale)]
    command += ["--seed", str(seed), "--file-type", "parquet", "--out", str(partial)]
    print(f"generating scale {scale} (about 2 minutes at scale 200) into {folder}", flush=True)
    subprocess.run(command, check=True, cwd=PROJECT)
    partial.rename(folder)
    return json.loads(truth_file.read_text())


def tree_rss_mib(root: int) -> float:
    """Resident memory of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # after the command name: state, ppid, ... field 24 of stat is rss (pages)
        children.setdefault(int(fields[1]), []).append(int(entry))
        rss[int(entry)] = int(fields[21])
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total * PAGE_MIB


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(command: list[str], env: dict[str, str], log: Path) -> tuple[float, float]:
    """Run a command to completion: (wall seconds, peak RSS MiB of its process tree)."""
    return run_measured_cpu(command, env, log)[:2]


def run_measured_cpu(
    command: list[str], env: dict[str, str], log: Path
) -> tuple[float, float, float]:
    """(wall seconds, peak RSS MiB, CPU seconds) of a command and its children. CPU
    time hardly depends on what else the machine runs; wall time does."""
    started, cpu_before = time.perf_counter(), children_cpu_seconds()
    peak = 0.0
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=out, stderr=out)
        while process.poll() is None:
            peak = max(peak, tree_rss_mib(process.pid))
            time.sleep(0.1)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed (exit {process.returncode}); see {log}")
    return seconds, peak, children_cpu_seconds() - cpu_before


def dbt_command(args: list[str], exports: Path, work: Path, **variables: str) -> list[str]:
    variables = {"crm_export_path": str(exports), **variables}
    text = "{" + ", ".join(f"{key}: '{value}'" for key, value in variables.items()) + "}"
    paths = ["--target-path", str(work / "target"), "--log-path", str(work / "logs")]
    return [DBT, *args, *paths, "--vars", text]


def dbt_env(database: Path) -> dict[str, str]:
    return dict(
        os.environ,
        DBT_PROFILES_DIR=str(PROJECT),
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        THE_MODEL_DUCKDB_PATH=str(database),
        THE_MODEL_TARGET="duckdb",
    )


def raw_scan_seconds(exports: Path, threads: int) -> float:
    """Read every export file once, all columns, into an in-memory DuckDB."""
    files = sorted(exports.glob("*.parquet")) + sorted(exports.glob("*.csv"))
    started = time.perf_counter()
    with duckdb.connect(":memory:", config={"threads": threads}) as con:
        for number, file in enumerate(files):
            reader = "read_parquet" if file.suffix == ".parquet" else "read_csv"
            con.execute(f"create table raw_{number} as select * from {reader}('{file}')")
    return time.perf_counter() - started


def slowest_nodes(work: Path, count: int = 8) -> list[dict]:
    """The slowest nodes of the last dbt run, from target/run_results.json."""
    results = json.loads((work / "target" / "run_results.json").read_text())["results"]
    ranked = sorted(results, key=lambda result: result["execution_time"], reverse=True)
    return [
        {"node": r["unique_id"].split(".", 2)[-1], "seconds": round(r["execution_time"], 1)}
        for r in ranked[:count]
    ]


def load_average() -> str:
    return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()


def day_before(as_of: str) -> str:
    moment = datetime.fromisoformat(as_of.replace("Z", "+00:00")) - timedelta(days=1)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def build_twice(exports: Path, work: Path, last_day: str) -> dict:
    """On a fresh DuckDB file in work/: a full build as of the day before the
    data's last day, then an incremental build as of the last day."""
    env = dbt_env(work / "bench.duckdb")
    result: dict = {}
    full = dbt_command(["build", "--full-refresh"], exports, work, as_of_date=day_before(last_day))
    result["load_before_full_build"] = load_average()
    seconds, peak, cpu = run_measured_cpu(full, env, work / "full_build.log")
    result["full_build_s"], result["peak_rss_mib"] = round(seconds, 1), round(peak)
    result["full_build_cpu_s"] = round(cpu, 1)
    result["full_build_slowest"] = slowest_nodes(work)

    incremental = dbt_command(["build"], exports, work, as_of_date=last_day.replace("T", " ")[:19])
    result["load_before_incremental_build"] = load_average()
    seconds, peak, cpu = run_measured_cpu(incremental, env, work / "incremental_build.log")
    result["incremental_build_s"] = round(seconds, 1)
    result["incremental_build_cpu_s"] = round(cpu, 1)
    result["incremental_peak_rss_mib"] = round(peak)
    result["incremental_build_slowest"] = slowest_nodes(work)
    return result


def fresh_folder(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def bench(scale: int, seed: int, warehouse: Path, keep: bool = False) -> dict:
    exports = warehouse / f"bench_exports_s{scale}"
    last_day = ensure_exports(scale, seed, exports)["as_of"]
    work = fresh_folder(warehouse / "bench_work")
    result: dict = {"scale": scale, "seed": seed, "as_of": last_day}

    result["raw_scan_s"] = round(raw_scan_seconds(exports, threads=2), 1)
    result["load_before_raw_scan"] = load_average()

    parse = dbt_command(["parse", "--no-partial-parse"], exports, work)
    result["parse_s"] = round(
        run_measured(parse, dbt_env(work / "bench.duckdb"), work / "parse.log")[0], 1
    )

    result.update(build_twice(exports, work, last_day))
    # dbt's own cost: the same two builds on the scale-1 company, whose data
    # work is next to nothing (every node still compiles, runs and is recorded)
    floor_exports = warehouse / "bench_exports_s1"
    floor_last_day = ensure_exports(1, seed, floor_exports)["as_of"]
    floor = build_twice(floor_exports, fresh_folder(warehouse / "bench_work_s1"), floor_last_day)
    result["scale_1"] = {key: floor[key] for key in DBT_COST_KEYS}
    result["load_after"] = load_average()
    result["goals_met"] = goals_met(result)
    if not keep:
        for file in [
            *work.glob("bench.duckdb*"),
            *(warehouse / "bench_work_s1").glob("bench.duckdb*"),
        ]:
            file.unlink()
    return result


def goals_met(result: dict) -> dict[str, bool]:
    return {
        "full_build_under_120_s": result["full_build_s"] < GOALS["full_build_s"],
        "peak_under_6_gib": result["peak_rss_mib"] < GOALS["peak_rss_mib"],
        "incremental_under_10_percent": result["incremental_build_s"]
        < GOALS["incremental_share"] * result["full_build_s"],
    }


def print_table(result: dict) -> None:
    rows = [
        ("raw scan (the floor)", f"{result['raw_scan_s']} s"),
        ("dbt parse", f"{result['parse_s']} s"),
        ("full dbt build", f"{result['full_build_s']} s"),
        ("  its CPU time (2 cores)", f"{result['full_build_cpu_s']} s"),
        ("peak memory (full build)", f"{result['peak_rss_mib']:,} MiB"),
        ("incremental dbt build", f"{result['incremental_build_s']} s"),
        ("  its CPU time", f"{result['incremental_build_cpu_s']} s"),
        ("incremental build, scale 1", f"{result['scale_1']['incremental_build_s']} s"),
        ("  (dbt's own cost) CPU", f"{result['scale_1']['incremental_build_cpu_s']} s"),
    ]
    print(f"\nbenchmark, scale {result['scale']} (DuckDB, load {result['load_after']})")
    for name, value in rows:
        print(f"  {name:<28} {value:>12}")
    for goal, met in result["goals_met"].items():
        print(f"  goal {goal:<23} {'met' if met else 'NOT MET':>12}")
    tenth = GOALS["incremental_share"] * result["full_build_s"]
    if result["scale_1"]["incremental_build_s"] >= tenth:
        print(
            f"  a tenth of the full build is {tenth:.1f} s: less than the same incremental"
            " build takes on the scale-1 company"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m themodel bench", description=__doc__)
    parser.add_argument("--scale", type=int, default=200)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--warehouse", type=Path, default=PROJECT / "warehouse")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the built databases (bench_work/, bench_work_s1/) to profile",
    )
    args = parser.parse_args(argv)
    result = bench(args.scale, args.seed, args.warehouse.resolve(), args.keep)
    (args.warehouse / "bench.json").write_text(json.dumps(result, indent=2) + "\n")
    print_table(result)
    print(f"\nwritten to {args.warehouse / 'bench.json'}")
    return 0
