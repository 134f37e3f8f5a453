"""Bad-input cases: typed columns that do not parse as their documented
forms, numbers and dates in a locale's habits, currencies in the amount text,
values out of range.

PLANTED cases are built together in one copy of the demo exports (each in rows
of its own, so every other mart figure must stay as it was); STOPPING cases
each stop a build of their file's models. test_bad_input runs them.
"""

from __future__ import annotations

from bad_input_kit import Planted, Stopping

PLANTED: list[Planted] = []
STOPPING: list[Stopping] = []
