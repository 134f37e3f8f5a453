"""`python -m themodel doctor --exports DIR`: check a CRM export before the first build.

Reads the export files only (no warehouse is opened or written) and tells a newcomer,
in short sections: the format (generic, a Salesforce Data Export, a connector's
Salesforce tables; HubSpot is recognised but not supported yet), each file's
encoding and delimiter, each entity's rows, date range and required columns, every
stage, status, role, activity-type and currency label the seeds do not map (with
its count; ``--write-mappings`` writes the missing seed rows for the user to fill
in), the rows the build would quarantine, which marts can be built
(seeds/mart_requirements.csv) and the settings to build with.

What it knows comes from the project itself: the columns and files staging reads
(macros/staging/generic_export_columns.sql, salesforce_export_columns.sql, rendered
with Jinja), the required files (var ``required_export_files``), the seeds, the
encoding detection of themodel/encoding.py. Exit 0 when a build can proceed, 1 with
the blockers, 2 on a usage error.
"""

from themodel.doctor.cli import main

__all__ = ["main"]
