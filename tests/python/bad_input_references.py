"""Bad-input cases: references to quarantined parents or to records not in the
export, missing exchange rates, overlapping role periods.

PLANTED cases are built together in one copy of the demo exports (each in rows
of its own, so every other mart figure must stay as it was); STOPPING cases
each stop a build of their file's models. test_bad_input runs them.
"""

from __future__ import annotations

from bad_input_kit import Planted, Stopping

PLANTED: list[Planted] = []
STOPPING: list[Stopping] = []
