"""dbt-duckdb plugin (profiles.yml, `plugins:`): SQL functions that read_export.sql
calls to read export files in the encoding of the `export_encoding` var.

- the_model_export_utf8(path, encoding) -> [path to read, error message]: the file
  itself when it is UTF-8, else its UTF-8 copy (themodel/encoding.py) in the folder
  ``export_utf8`` beside the DuckDB file; on a file the encoding cannot read, no path
  and the message.
- the_model_not_utf8_message(path): the stop message for a file that is not UTF-8,
  naming its likely encoding and the var.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin

from themodel.encoding import ExportEncodingError, not_utf8_message, utf8_path


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict) -> None:
        path = getattr(self.creds, "path", None) if self.creds is not None else None
        in_memory = not path or path == ":memory:" or str(path).startswith("md:")
        # beside the warehouse file; the system temp folder for an in-memory database
        self.cache_dir = None if in_memory else str(Path(path).resolve().parent)
        # the profile names a warehouse after its export folder (warehouse/<name>.duckdb):
        # its folder may not exist yet on a fresh clone
        if self.cache_dir is not None:
            Path(self.cache_dir).mkdir(parents=True, exist_ok=True)

    def export_utf8(self, path: str, encoding: str) -> list[str | None]:
        try:
            return [str(utf8_path(path, encoding, self.cache_dir)), None]
        except ExportEncodingError as error:
            return [None, str(error)]

    def _register(self, conn: duckdb.DuckDBPyConnection) -> None:
        functions = (
            ("the_model_export_utf8", self.export_utf8, ["VARCHAR", "VARCHAR"], "VARCHAR[]"),
            ("the_model_not_utf8_message", not_utf8_message, ["VARCHAR"], "VARCHAR"),
        )
        for name, function, parameters, returns in functions:
            try:
                conn.create_function(name, function, parameters, returns, side_effects=True)
            except duckdb.CatalogException:
                pass  # registered already on this connection

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        self._register(conn)

    def configure_cursor(self, cursor: duckdb.DuckDBPyConnection) -> None:
        self._register(cursor)
