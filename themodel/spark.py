"""The Spark session dbt's spark target opens, for the loader and the tests.

dbt-spark's session method starts Spark inside the dbt process with the
``server_side_parameters`` of the spark output in profiles.yml. Opening a session
with the same settings (read from that file, env vars rendered as dbt renders them)
puts the loader's raw tables in the same warehouse folder and catalog dbt reads.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import jinja2
import yaml

PROJECT = Path(__file__).resolve().parents[1]
PROFILES = PROJECT / "profiles.yml"


def env_var(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise KeyError(f"{PROFILES}: env var {name} is required but not set")
    return value


def spark_settings(profiles: Path = PROFILES) -> dict[str, str]:
    """The spark output's server_side_parameters, rendered, plus what dbt-spark adds."""
    spec = yaml.safe_load(profiles.read_text())
    output = spec["the_model"]["outputs"]["spark"]
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    settings = {
        str(key): environment.from_string(str(value)).render(env_var=env_var)
        for key, value in output.get("server_side_parameters", {}).items()
    }
    # dbt-spark's connection sets this on every session (dbt/adapters/spark/connections.py)
    settings["spark.sql.ansi.enabled"] = "false"
    return settings


def spark_session() -> Any:  # -> pyspark.sql.SparkSession (imported lazily: an optional extra)
    """A session like dbt-spark's: Hive catalog support, the profile's settings."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.enableHiveSupport()
    settings = spark_settings()
    # interpreted-only expressions (profiles.yml, for dbt's SQL) cannot decode the
    # catalog API's rows (spark.catalog.listTables fails): Spark's default here
    settings.pop("spark.sql.codegen.factoryMode", None)
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()
