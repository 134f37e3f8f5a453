"""The fixed 24-month window of the demo company; nothing depends on the wall clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta

WINDOW_START = datetime(2024, 1, 1)
WINDOW_END = datetime(2025, 12, 31, 23, 59)  # the demo's as-of moment
MONTHS = 24


def month_start(month: int) -> datetime:
    """Month 1 is January 2024."""
    year, index = divmod(month - 1, 12)
    return datetime(WINDOW_START.year + year, index + 1, 1)


def month_of(moment: datetime | date) -> int:
    return (moment.year - WINDOW_START.year) * 12 + moment.month


def month_label(moment: datetime | date) -> str:
    return f"{moment.year:04d}-{moment.month:02d}"


def days_in_month(month: int) -> int:
    return (month_start(month + 1) - month_start(month)).days


def minute(moment: datetime) -> datetime:
    """Exports carry minute precision (US-locale exports drop seconds)."""
    return moment.replace(second=0, microsecond=0)


def add_days(moment: datetime, days: float) -> datetime:
    return minute(moment + timedelta(days=days))


def iso(moment: datetime | None) -> str:
    return "" if moment is None else moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_date(day: date | datetime | None) -> str:
    return "" if day is None else day.strftime("%Y-%m-%d")


def quarter_label(moment: datetime | date) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"
