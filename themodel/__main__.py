"""Command-line entry: ``python -m themodel <command> [options]``.

Each command lives in its own module with a ``main(argv) -> int`` function;
modules are imported only when their command runs, so one command's
dependencies never slow down or break another.
"""

from __future__ import annotations

import importlib
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "generate": ("themodel.generator.cli", "write the demo company's CRM exports"),
    "load": ("themodel.load", "load export files into a warehouse's raw tables (postgres, spark)"),
    "bench": ("themodel.bench", "time a scale-200 build on DuckDB (make bench)"),
    "summary": ("themodel.summary", "print rows per mart, bottlenecks, quarantine and next steps"),
    "progress": ("themodel.progress", "show a short view of dbt's output, the full log in a file"),
    "report": ("themodel.report", "write the HTML funnel and KPI report from the marts"),
    "validate": ("themodel.validation.runner", "run the Great Expectations suites on the marts"),
    "doctor": ("themodel.doctor", "check an export folder before its first build (reads files)"),
    "run": ("themodel.run", "build, check and publish a DuckDB warehouse, all or nothing"),
}


def usage() -> str:
    lines = ["usage: python -m themodel <command> [options]", "", "commands:"]
    lines += [f"  {name:<10} {help_text}" for name, (_, help_text) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in COMMANDS:
        print(f"unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    return int(module.main(rest) or 0)


if __name__ == "__main__":
    sys.exit(main())
