"""The HTML report in a real headless Chromium (Debian's package, driven by Playwright):
every chart renders with a size, no script or console error, nothing is fetched from
the network, and a full-page screenshot lands in warehouse/ for review.
"""

from __future__ import annotations

import os
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest
from test_build_generic import PROJECT, dbt

from themodel.generator.cli import generate
from themodel.report import write_report
from themodel.report.sections import last_complete_quarter, person_labels, quarter_label

CHROMIUM = Path("/usr/bin/chromium")
# Hangul for the screenshot (a reader's browser brings its own fonts)
KOREAN_FONT = Path("/usr/share/fonts/truetype/nanum")
SCREENSHOT = PROJECT / "warehouse" / "report_screenshot.png"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def ensure_chromium() -> Path:
    """Install Debian's chromium and a Korean font when missing (as root, no prompt: CI)."""
    if not (CHROMIUM.exists() and KOREAN_FONT.exists()):
        install = ["apt-get", "install", "-y", "--no-install-recommends", "chromium", "fonts-nanum"]
        if os.geteuid() != 0:
            pytest.fail(f"{CHROMIUM} or {KOREAN_FONT} missing: run `{' '.join(install)}` as root")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        for command in (["apt-get", "update"], install):
            subprocess.run(command, check=True, env=env, stdin=subprocess.DEVNULL)
    return CHROMIUM


def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build `make test` made before pytest, or a fresh build of the demo company."""
    built = os.environ.get("THE_MODEL_DUCKDB_PATH")
    if built and Path(built).exists():
        return Path(built).resolve()
    work = tmp_path_factory.mktemp("warehouse")
    exports = work / "exports"
    generate(1, 42, exports)
    database = work / "warehouse.duckdb"
    result = dbt(["build"], database, exports, work)
    assert result.returncode == 0, result.stdout[-5000:]
    return database


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_warehouse(tmp_path_factory)


@pytest.fixture(scope="module")
def page_in_browser(warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    from playwright.sync_api import sync_playwright

    executable = ensure_chromium()
    report = write_report(warehouse, tmp_path_factory.mktemp("html"))
    profile = tmp_path_factory.mktemp("chromium-profile")
    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as playwright:
        # a fresh profile each run; playwright never downloads a browser of its own
        browser = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(executable),
            args=CHROMIUM_ARGS,
            viewport={"width": 1360, "height": 900},
        )
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("request", lambda r: requests.append(r.url))
            page.goto(report.as_uri(), wait_until="load")
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            yield page, report, errors, requests
        finally:
            browser.close()


def test_every_chart_renders_with_a_size(page_in_browser):
    page, report, errors, _ = page_in_browser
    expected = report.read_text(encoding="utf-8").count('<svg class="chart"')
    sizes = page.eval_on_selector_all(
        "svg.chart",
        "nodes => nodes.map(n => { const r = n.getBoundingClientRect();"
        " return [r.width, r.height, n.querySelectorAll('rect, polyline, circle').length]; })",
    )
    assert len(sizes) == expected >= 14
    empty = [i for i, (width, height, marks) in enumerate(sizes) if not width * height * marks]
    assert not empty, f"charts with no size or no marks: {empty}"
    assert not errors, errors
    assert SCREENSHOT.stat().st_size > 50_000


def test_every_section_has_a_chart_and_nothing_is_fetched(page_in_browser):
    page, report, _, requests = page_in_browser
    charts_per_section = page.eval_on_selector_all(
        "section", "nodes => nodes.map(n => [n.id, n.querySelectorAll('svg.chart').length])"
    )
    assert dict(charts_per_section).keys() == {
        "funnel",
        "bottleneck",
        "roles",
        "diagnostics",
        "forecast",
        "waterfall",
    }
    assert all(count > 0 for _, count in charts_per_section), charts_per_section
    assert requests == [report.as_uri()]


def test_kpi_labels_are_in_english_and_korean(page_in_browser):
    page, *_ = page_in_browser
    text = page.inner_text("body")
    for label in (
        "Hand-off acceptance rate / 상담 수락률",
        "Opportunities created / 상담화 수",
        "Net revenue retention rate / 순매출 유지율(NRR)",
    ):
        assert label in text


def test_the_funnel_section_agrees_with_the_mart(warehouse: Path, page_in_browser):
    page, *_ = page_in_browser
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (entered,) = con.execute(
            "select sum(entered_count) from marts.funnel_stage_conversion"
            " where stage = 'opportunity_created'"
            " and cohort_month > (select max(as_of_date) - interval 12 month"
            " from marts.sales_capacity_valve)"
        ).fetchone()
    first_row = page.eval_on_selector("#funnel table tbody tr", "r => r.innerText")
    assert first_row.split("\t")[:2] == ["opportunity_created", f"{entered:,}"]


@pytest.mark.parametrize(
    ("as_of", "quarter"),
    [
        ("2025-12-31", "2025-10-01"),
        ("2025-12-30", "2025-07-01"),
        ("2025-03-31", "2025-01-01"),
        ("2025-01-01", "2024-10-01"),
    ],
)
def test_diagnostics_show_the_last_quarter_ended_by_the_as_of_date(as_of: str, quarter: str):
    assert str(last_complete_quarter(date.fromisoformat(as_of))) == quarter


@pytest.mark.parametrize(
    ("as_of", "first_month", "quarter"),
    [
        # February fiscal year: quarters Feb-Apr, May-Jul, Aug-Oct, Nov-Jan
        ("2025-04-30", 2, "2025-02-01"),
        ("2025-04-29", 2, "2024-11-01"),
        ("2025-01-31", 2, "2024-11-01"),
        ("2025-01-30", 2, "2024-08-01"),
        # April fiscal year: the quarters are calendar quarters
        ("2025-03-31", 4, "2025-01-01"),
        ("2025-04-01", 4, "2025-01-01"),
        # December: Dec-Feb, Mar-May, ...
        ("2025-02-28", 12, "2024-12-01"),
    ],
)
def test_diagnostics_follow_the_fiscal_quarters(as_of: str, first_month: int, quarter: str):
    assert str(last_complete_quarter(date.fromisoformat(as_of), first_month)) == quarter


@pytest.mark.parametrize(
    ("quarter", "fiscal_year", "fiscal_quarter", "label"),
    [
        ("2025-07-01", 2025, 3, "2025-Q3"),
        ("2025-04-01", 2026, 1, "FY2026-Q1"),
        ("2025-01-01", 2025, 4, "FY2025-Q4"),
        ("2024-11-01", 2025, 4, "FY2025-Q4"),
    ],
)
def test_quarters_are_labelled_by_fiscal_year(
    quarter: str, fiscal_year: int, fiscal_quarter: int, label: str
):
    assert quarter_label(date.fromisoformat(quarter), fiscal_year, fiscal_quarter) == label


def test_the_report_needs_nothing_but_the_marts(warehouse: Path, tmp_path: Path):
    """A database holding only a copy of the marts schema renders the same page."""
    marts_only = tmp_path / "marts_only.duckdb"
    with duckdb.connect(str(marts_only)) as con:
        con.execute(f"attach '{warehouse}' as built (read_only)")
        con.execute("create schema marts")
        tables = con.execute(
            "select table_name from information_schema.tables"
            " where table_catalog = 'built' and table_schema = 'marts'"
        ).fetchall()
        for (table,) in tables:
            con.execute(f"create table marts.{table} as select * from built.marts.{table}")
        con.execute("detach built")
    full = write_report(warehouse, tmp_path / "full").read_text(encoding="utf-8")
    only = write_report(marts_only, tmp_path / "only").read_text(encoding="utf-8")
    assert only == full


def test_person_labels_show_names_ids_without_a_name_and_ids_beside_a_shared_name():
    people = [("u1", "Jiwoo Han"), ("u2", None), ("u3", "Minseo Kim"), ("u4", "Minseo Kim")]
    assert person_labels(people) == ["Jiwoo Han", "u2", "Minseo Kim (u3)", "Minseo Kim (u4)"]


def test_the_ae_chart_shows_the_aes_names_from_the_mart(warehouse: Path, page_in_browser):
    """The diagnostics' "Won amount per AE" bars are labelled with ae_name, not the id."""
    page, *_ = page_in_browser
    with duckdb.connect(str(warehouse), read_only=True) as con:
        (as_of,) = con.execute("select max(as_of_date) from marts.sales_capacity_valve").fetchone()
        named = con.execute(
            "select user_id, ae_name from marts.new_business_ae_contribution"
            " where quarter = ? and (won_count > 0 or not is_departed)",
            [last_complete_quarter(as_of)],
        ).fetchall()
    assert named and all(name for _, name in named), "the demo's AEs all have names"
    text = page.inner_text("#diagnostics")
    for user_id, name in named:
        assert name in text, name
        assert user_id not in text, user_id
