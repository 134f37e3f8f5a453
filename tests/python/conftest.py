"""Shared fixtures: one good build of the demo company for the trust tests.

`make pytest` passes the warehouse `make build-test` just built
(THE_MODEL_DUCKDB_PATH, THE_MODEL_TEST_EXPORTS); run alone, the fixture
generates the demo exports and builds its own warehouse once per session.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from themodel.generator.cli import generate


@dataclass(frozen=True)
class DemoBuild:
    exports: Path
    database: Path


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    exports = os.environ.get("THE_MODEL_TEST_EXPORTS")
    database = os.environ.get("THE_MODEL_DUCKDB_PATH")
    if exports and database and Path(exports, "truth.json").exists() and Path(database).exists():
        return DemoBuild(Path(exports).resolve(), Path(database).resolve())
    from test_build_generic import dbt  # the one way the tests run dbt

    work = tmp_path_factory.mktemp("demo_build")
    generate(1, 42, work / "exports")
    result = dbt(["build"], work / "warehouse.duckdb", work / "exports", work)
    assert result.returncode == 0, result.stdout[-5000:]
    return DemoBuild(work / "exports", work / "warehouse.duckdb")
