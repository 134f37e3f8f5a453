"""The suites of the marts that exist. One `register` call per mart."""

from __future__ import annotations
