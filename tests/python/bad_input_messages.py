"""Bad-input cases: files and values that stop the build; each stop names the
file, the row or key, the rule and the fix.

PLANTED cases are built together in one copy of the demo exports (each in rows
of its own, so every other mart figure must stay as it was); STOPPING cases
each stop a build of their file's models. test_bad_input runs them.
"""

from __future__ import annotations

from bad_input_kit import Planted, Stopping

PLANTED: list[Planted] = []
STOPPING: list[Stopping] = []
