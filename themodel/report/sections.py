"""One function per report section; each reads only the marts schema and returns HTML."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import duckdb

from themodel.report import charts
from themodel.report.labels import PROJECT, Labels

ALL = "all"
TREND_MONTHS = 12


@dataclass(frozen=True)
class Context:
    con: duckdb.DuckDBPyConnection
    as_of: date
    segment: str
    label: Labels
    # mart -> why it cannot be computed from this export (marts.mart_availability)
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def month(self) -> date:
        return self.as_of.replace(day=1)

    @property
    def first_month(self) -> date:
        index = self.month.year * 12 + self.month.month - 1 - (TREND_MONTHS - 1)
        return date(index // 12, index % 12 + 1, 1)

    def segment_filter(self, all_value: str | None = None) -> str:
        """SQL predicate on `segment`; marts with an all-segments row use it for 'all'."""
        if self.segment != ALL:
            return f"segment = '{self.segment}'"
        return f"segment = '{all_value}'" if all_value else "true"


def rows(ctx: Context, sql: str, params: list[Any] | None = None) -> list[dict[str, Any]]:
    cursor = ctx.con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def money(value: float) -> str:
    """Reporting-currency amounts in millions."""
    if value == 0:
        return "0"
    return f"{value / 1e6:,.0f}M" if abs(value) >= 1e7 else f"{value / 1e6:,.1f}M"


def fmt(value: Any, kind: str = "plain") -> str:
    if value is None:
        return "–"
    if kind == "percent":
        return f"{float(value):.0%}"
    if kind == "money":
        return money(float(value))
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}" if isinstance(value, int) else escape(str(value))


def table(headers: list[str], body: list[list[str]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    lines = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in body)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table>"


def section(anchor: str, title: str, intro: str, *parts: str) -> str:
    body = "".join(
        p if p.startswith(("<h3", '<p class="missing"')) else f'<div class="figure">{p}</div>'
        for p in parts
    )
    return f'<section id="{anchor}"><h2>{escape(title)}</h2><p>{intro}</p>{body}</section>'


def missing_note(ctx: Context, *marts: str) -> str:
    """Why these marts have nothing to show (marts.mart_availability), in place of their
    charts; empty when every one of them is available."""
    reasons = [
        f"{escape(mart)}: {escape(ctx.missing[mart])}" for mart in marts if mart in ctx.missing
    ]
    if not reasons:
        return ""
    return f'<p class="missing">Not available from this export. {"; ".join(reasons)}.</p>'


def monthly(ctx: Context, model: str, columns: dict[str, str], where: str) -> dict[str, list]:
    """Sums over the trend months of a monthly mart: {'month': [...], alias: [...]}."""
    select = ", ".join(f"{expr} as {alias}" for alias, expr in columns.items())
    data = rows(
        ctx,
        f"select strftime(month, '%y-%m') as month, {select} from marts.{model}"
        f" where {where} and month between ? and ? group by month order by month",
        [ctx.first_month, ctx.month],
    )
    return {key: [row[key] for row in data] for key in ["month", *columns]}


def funnel(ctx: Context) -> str:
    model = "funnel_stage_conversion"
    data = rows(
        ctx,
        f"""
        select stage, stage_order, sum(entered_count) as entered, sum(advanced_count) as advanced,
            sum(lost_count) as lost, sum(still_open_count) as still_open,
            sum(median_days_in_stage * entered_count) / sum(
                case when median_days_in_stage is not null then entered_count end
            ) as days
        from marts.{model}
        where {ctx.segment_filter()} and cohort_month between ? and ?
        group by stage, stage_order order by stage_order
        """,
        [ctx.first_month, ctx.month],
    )
    conversion = [r["advanced"] / r["entered"] if r["entered"] else None for r in data]
    chart = charts.bar_chart(
        "Deals entering each stage",
        [r["stage"] for r in data],
        [r["entered"] for r in data],
        notes=[
            f"conv. {fmt(c, 'percent')} · {fmt(r['days'])} d"
            for r, c in zip(data, conversion, strict=True)
        ],
    )
    body = [
        [
            escape(r["stage"]),
            fmt(r["entered"]),
            fmt(r["advanced"]),
            fmt(r["lost"]),
            fmt(r["still_open"]),
            fmt(c, "percent"),
            fmt(r["days"]),
        ]
        for r, c in zip(data, conversion, strict=True)
    ]
    headers = [
        ctx.label(model, "stage"),
        ctx.label(model, "entered_count"),
        ctx.label(model, "advanced_count"),
        ctx.label(model, "lost_count"),
        ctx.label(model, "still_open_count"),
        ctx.label(model, "conversion_rate"),
        ctx.label(model, "median_days_in_stage"),
    ]
    return section(
        "funnel",
        "Funnel by stage",
        f"New-business deals created {ctx.first_month:%Y-%m} to {ctx.month:%Y-%m}: how many "
        "reached each stage, the share that moved on (advanced / entered), and the typical days "
        "in the stage (cohort medians, weighted by deals).",
        chart,
        table(headers, body),
    )


def bottlenecks(ctx: Context) -> str:
    model = "funnel_bottlenecks"
    where = ctx.segment_filter()
    history = rows(
        ctx,
        f"""
        select pipeline_id, segment, strftime(month, '%y-%m') as month, stage, conversion_rate,
            baseline_conversion_rate, conversion_drop, is_drop_significant
        from marts.{model}
        where {where} and bottleneck_rank = 1 and month between ? and ?
        order by segment, month
        """,
        [ctx.first_month, ctx.month],
    )
    if not history:
        return section(
            "bottleneck",
            "Bottleneck",
            "No bottleneck rows up to the as-of month: a stage's conversion is compared with "
            "its own baseline, the months before the window, and this export's history does "
            "not reach back that far yet (bottleneck_window_months, bottleneck_baseline_months).",
        )
    months = sorted({r["month"] for r in history})[-6:]
    # several sales processes: each pipeline's bottleneck on a line of its own
    several = len({r["pipeline_id"] for r in history}) > 1
    for r in history:
        r["line"] = f"{r['segment']} · {r['pipeline_id']}" if several else r["segment"]
    segments = sorted({r["line"] for r in history})
    cell = {(r["line"], r["month"]): r for r in history}
    grid = []
    for segment in segments:
        line = [escape(segment)]
        for month in months:
            r = cell.get((segment, month))
            mark = " ✱" if r and r["is_drop_significant"] else ""
            line.append(f"{escape(r['stage'])}{mark}" if r else "–")
        grid.append(line)
    charts_html = []
    for segment in segments:
        current = cell.get((segment, months[-1]))
        if not current:
            continue
        trend = rows(
            ctx,
            f"""
            select strftime(month, '%y-%m') as month, conversion_rate, baseline_conversion_rate
            from marts.{model}
            where pipeline_id = ? and segment = ? and stage = ? and month between ? and ?
            order by month
            """,
            [
                current["pipeline_id"],
                current["segment"],
                current["stage"],
                ctx.first_month,
                ctx.month,
            ],
        )
        charts_html.append(
            charts.line_chart(
                f"{segment}: {current['stage']} conversion against its baseline",
                [t["month"] for t in trend],
                {
                    f"{segment} · {current['stage']}: {ctx.label(model, 'conversion_rate')}": [
                        t["conversion_rate"] for t in trend
                    ],
                    ctx.label(model, "baseline_conversion_rate"): [
                        t["baseline_conversion_rate"] for t in trend
                    ],
                },
                charts.percent,
                y_max=1.0,
            )
        )
    return section(
        "bottleneck",
        "Bottleneck by segment",
        "The stage whose conversion fell furthest below its own baseline "
        f"({ctx.label(model, 'bottleneck_rank')} 1), month by month; ✱ marks a statistically "
        "clear drop. Below, each segment's current bottleneck stage over the last months.",
        table([ctx.label(model, "segment"), *months], grid),
        *charts_html,
    )


def healthy_band(metric: str, project: Path = PROJECT) -> tuple[float, float] | None:
    """The KPI's healthy band from seeds/kpi_targets.csv (configuration, not the warehouse)."""
    path = project / "seeds" / "kpi_targets.csv"
    if not path.exists():
        return None
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["metric"] == metric:
                return float(row["lower_bound"]), float(row["upper_bound"])
    return None


def role_kpis(ctx: Context) -> str:
    lab = ctx.label
    mkt = "marketing_kpis_monthly"
    m = monthly(
        ctx,
        mkt,
        {
            "leads_count": "sum(leads_count)",
            "opportunities_count": "sum(opportunities_count)",
            "lead_to_opportunity_rate": "sum(opportunities_count) / nullif(sum(leads_count), 0)",
        },
        ctx.segment_filter(),
    )
    isr = "inside_sales_kpis_monthly"
    i = monthly(
        ctx,
        isr,
        {
            "opportunities_created_count": "sum(opportunities_created_count)",
            "handoff_acceptance_rate": "max(handoff_acceptance_rate)",
        },
        "is_team_row",
    )
    fs = "field_sales_kpis_monthly"
    f = monthly(
        ctx,
        fs,
        {
            "open_deals_count": "sum(open_deals_count)",
            "capacity_deals": "sum(capacity_deals)",
            "won_count": "sum(won_count)",
            "win_rate": "max(win_rate)",
        },
        "is_team_row",
    )
    cs = "customer_success_kpis_monthly"
    c = monthly(
        ctx,
        cs,
        {
            "renewals_due_count": "sum(renewals_due_count)",
            "renewed_count": "sum(renewed_count)",
            "churned_count": "sum(churned_count)",
            "renewal_rate": "max(renewal_rate)",
            "net_revenue_retention_rate": "max(net_revenue_retention_rate)",
        },
        "is_team_row",
    )
    band = healthy_band("handoff_acceptance_rate")
    parts = [
        "<h3>Marketing / 마케팅</h3>",
        charts.line_chart(
            "Marketing: leads and opportunities",
            m["month"],
            {lab(mkt, k): m[k] for k in ("leads_count", "opportunities_count")},
        ),
        charts.line_chart(
            "Marketing: lead to opportunity rate",
            m["month"],
            {lab(mkt, "lead_to_opportunity_rate"): m["lead_to_opportunity_rate"]},
            charts.percent,
        ),
        "<h3>Inside sales / 인사이드 세일즈</h3>",
        charts.line_chart(
            "Inside sales: opportunities created",
            i["month"],
            {lab(isr, "opportunities_created_count"): i["opportunities_created_count"]},
        ),
        charts.line_chart(
            "Inside sales: hand-off acceptance rate with its healthy band",
            i["month"],
            {lab(isr, "handoff_acceptance_rate"): i["handoff_acceptance_rate"]},
            charts.percent,
            band=band,
            y_max=1.0,
        ),
        "<h3>Field sales / 필드 세일즈</h3>",
        charts.line_chart(
            "Field sales: open deals against capacity",
            f["month"],
            {
                lab(fs, "open_deals_count"): f["open_deals_count"],
                lab(fs, "capacity_deals"): f["capacity_deals"],
            },
        ),
        charts.line_chart(
            "Field sales: deals won",
            f["month"],
            {lab(fs, "won_count"): f["won_count"]},
        ),
        charts.line_chart(
            "Field sales: win rate",
            f["month"],
            {lab(fs, "win_rate"): f["win_rate"]},
            charts.percent,
            y_max=1.0,
        ),
        "<h3>Customer success / 고객 성공</h3>",
        charts.line_chart(
            "Customer success: renewals due, renewed, churned",
            c["month"],
            {lab(cs, k): c[k] for k in ("renewals_due_count", "renewed_count", "churned_count")},
        ),
        charts.line_chart(
            "Customer success: renewal rate and net revenue retention",
            c["month"],
            {lab(cs, k): c[k] for k in ("renewal_rate", "net_revenue_retention_rate")},
            charts.percent,
        ),
    ]
    parts = in_place_of_missing(ctx, parts, [mkt, isr, fs, cs])
    segment_note = (
        ""
        if ctx.segment == ALL
        else f" Marketing is for segment {escape(ctx.segment)}; the other roles' marts have "
        "no segment, so their team rows are shown."
    )
    return section(
        "roles",
        "KPI trends per role",
        f"Team figures by month, {ctx.first_month:%Y-%m} to {ctx.month:%Y-%m}. "
        "Recent marketing months are immature: a lead has 90 days to convert. "
        f"The shaded band is the healthy range of seeds/kpi_targets.csv.{segment_note}",
        *parts,
    )


def person_labels(people: list[tuple[str, str | None]]) -> list[str]:
    """A person's name where dim_users has one, else the id (an owner inferred from the
    records); a name two people share gets the id beside it."""
    names = [name for _, name in people if name]
    return [
        f"{name} ({user_id})" if name and names.count(name) > 1 else name or user_id
        for user_id, name in people
    ]


def in_place_of_missing(ctx: Context, parts: list[str], marts: list[str]) -> list[str]:
    """Parts in blocks, each opening with an <h3> and drawn from the mart of the same
    position: the charts of an unavailable mart give way to why it is missing."""
    kept: list[str] = []
    block = -1
    for part in parts:
        if part.startswith("<h3"):
            block += 1
            kept.append(part)
            note = missing_note(ctx, marts[block])
            if note:
                kept.append(note)
        elif not missing_note(ctx, marts[block]):
            kept.append(part)
    return kept


def last_complete_quarter(as_of: date, fiscal_year_start_month: int = 1) -> date:
    """The latest fiscal quarter that ended on or before the as-of date (quarters
    start in the fiscal year's first month and every third month after it)."""
    month_index = as_of.year * 12 + as_of.month - 1
    start = month_index - (month_index - (fiscal_year_start_month - 1)) % 3
    next_start = date((start + 3) // 12, (start + 3) % 12 + 1, 1)
    if (next_start - as_of).days != 1:
        start -= 3
    return date(start // 12, start % 12 + 1, 1)


def quarter_label(quarter: date, fiscal_year: int, fiscal_quarter: int) -> str:
    """2025-Q3 for a calendar quarter, FY2026-Q1 for a fiscal one."""
    if (fiscal_year, fiscal_quarter) == (quarter.year, (quarter.month - 1) // 3 + 1):
        return f"{fiscal_year}-Q{fiscal_quarter}"
    return f"FY{fiscal_year}-Q{fiscal_quarter}"


def diagnostics(ctx: Context) -> str:
    model = "new_business_diagnostics"
    # the quarters' first months, as the build's fiscal_year_start_month set them
    first = ctx.con.execute(f"select min(quarter) from marts.{model}").fetchone()
    quarter = last_complete_quarter(ctx.as_of, first[0].month if first and first[0] else 1)
    found = rows(
        ctx,
        f"select * from marts.{model} where {ctx.segment_filter('_all')} and quarter = ?",
        [quarter],
    )
    label = (
        quarter_label(quarter, found[0]["fiscal_year"], found[0]["fiscal_quarter"])
        if found
        else f"the quarter from {quarter}"
    )
    title = f"New-business diagnostics, {label}"
    if not found:
        return section("diagnostics", title, "No diagnostics for this quarter and segment.")
    d = found[0]
    cards = [
        ("won_count", "previous_won_count", "plain"),
        ("won_amount", "previous_won_amount", "money"),
        ("weakest_stage_conversion_rate", "weakest_stage_previous_conversion_rate", "percent"),
    ]
    body = [
        [escape(ctx.label(model, now)), fmt(d[now], kind), fmt(d[before], kind)]
        for now, before, kind in cards
    ]
    body += [
        [escape(ctx.label(model, col)), fmt(d[col], kind), ""]
        for col, kind in [
            ("weakest_stage", "plain"),
            ("win_rate", "percent"),
            ("usual_won_cycle_days", "plain"),
            ("aged_open_deals_count", "plain"),
            ("slipped_deals_count", "plain"),
        ]
    ]
    competitors = rows(
        ctx,
        f"""
        select competitor, closed_count, won_count, win_rate from marts.new_business_competitors
        where {ctx.segment_filter("_all")} and quarter = ? order by closed_count desc
        """,
        [quarter],
    )
    aes = rows(
        ctx,
        """
        select user_id, ae_name, won_amount, won_count, is_departed, is_ramping
        from marts.new_business_ae_contribution
        where quarter = ? and (won_count > 0 or not is_departed) order by won_amount desc
        """,
        [quarter],
    )
    flags = ["departed" if a["is_departed"] else "ramping" if a["is_ramping"] else "" for a in aes]
    return section(
        "diagnostics",
        title,
        "Why new business moved: wins against the previous quarter, the stage that weakened "
        "most, aged and slipped deals; win rate by competitor; what each AE contributed "
        "(all segments).",
        table(["KPI", "this quarter", "previous quarter"], body),
        missing_note(ctx, "new_business_competitors")
        or charts.bar_chart(
            "Win rate by competitor",
            [c["competitor"] for c in competitors],
            [c["win_rate"] for c in competitors],
            notes=[f"of {c['closed_count']} closed" for c in competitors],
            fmt=charts.percent,
        ),
        missing_note(ctx, "new_business_ae_contribution")
        or charts.bar_chart(
            "Won amount per AE",
            person_labels([(a["user_id"], a["ae_name"]) for a in aes]),
            [float(a["won_amount"] or 0) for a in aes],
            notes=[f"{a['won_count']} won {flag}" for a, flag in zip(aes, flags, strict=True)],
            fmt=money,
        ),
    )


def forecast(ctx: Context) -> str:
    model = "forecast_inputs_quarterly"
    quarters = rows(
        ctx,
        f"""
        select
            case
                when fiscal_year = year(quarter) and fiscal_quarter = quarter(quarter)
                    then strftime(quarter, '%Y-') || 'Q' || cast(quarter(quarter) as varchar)
                else 'FY' || cast(fiscal_year as varchar) || '-Q' || cast(fiscal_quarter as varchar)
            end as quarter,
            pipeline_amount, weighted_pipeline_amount, quota_amount, pipeline_coverage_ratio,
            weighted_coverage_ratio, win_rate, average_deal_amount, average_won_cycle_days,
            sales_velocity_amount_per_day
        from marts.{model}
        where {ctx.segment_filter("_all")} and quarter <= ? order by quarter
        """,
        [ctx.as_of],
    )[-8:]
    open_pipeline = rows(
        ctx,
        f"""
        select stage, min(as_of_date) as as_of_date, sum(amount) as amount,
            sum(weighted_amount) as weighted, count(*) as deals, min(stage_win_rate) as low,
            max(stage_win_rate) as high
        from marts.forecast_pipeline where {ctx.segment_filter()}
        group by stage
        """,
    )
    # the company's own stage order, as the funnel mart has it
    order = {
        r["stage"]: r["stage_order"]
        for r in rows(
            ctx,
            "select stage, min(stage_order) as stage_order"
            " from marts.funnel_stage_conversion group by stage",
        )
    }
    open_pipeline.sort(key=lambda p: (order.get(p["stage"], 10**6), p["stage"]))
    built_as_of = open_pipeline[0]["as_of_date"] if open_pipeline else None
    labels = [q["quarter"] for q in quarters]
    inputs = [
        "pipeline_coverage_ratio",
        "weighted_coverage_ratio",
        "win_rate",
        "average_deal_amount",
        "average_won_cycle_days",
        "sales_velocity_amount_per_day",
    ]
    kinds = {"win_rate": "percent", "average_deal_amount": "money"}
    kinds["sales_velocity_amount_per_day"] = "money"
    body = [
        [escape(ctx.label(model, col))] + [fmt(q[col], kinds.get(col, "plain")) for q in quarters]
        for col in inputs
    ]
    note = (
        ""
        if built_as_of == ctx.as_of
        else f" The open pipeline is the warehouse's own as-of date, {built_as_of}: rebuild "
        "with --vars '{as_of_date: ...}' for another."
    )
    return section(
        "forecast",
        "Forecast inputs",
        "Pipeline at the start of each quarter against quota, and the rates a forecast "
        f"multiplies it by; below, today's open pipeline by stage, weighted by each segment's "
        f"historical stage-to-win probability.{note}",
        charts.line_chart(
            "Pipeline and weighted pipeline against quota",
            labels,
            {
                ctx.label(model, c): [float(q[c] or 0) for q in quarters]
                for c in ("pipeline_amount", "weighted_pipeline_amount", "quota_amount")
            },
            money,
        ),
        table(["input", *labels], body),
        charts.bar_chart(
            f"Open pipeline by stage as of {built_as_of}",
            [p["stage"] for p in open_pipeline],
            [float(p["weighted"]) for p in open_pipeline],
            notes=[
                f"weighted of {money(float(p['amount']))} · {p['deals']} deals"
                for p in open_pipeline
            ],
            fmt=money,
        ),
    )


def waterfall(ctx: Context) -> str:
    model = "pipeline_waterfall"
    found = rows(
        ctx,
        f"""
        select sum(opening_amount) as opening_amount, sum(created_amount) as created_amount,
            sum(reopened_amount) as reopened_amount, -sum(won_amount) as won_amount,
            -sum(lost_amount) as lost_amount, sum(amount_changed_amount) as amount_changed_amount,
            sum(amount_appeared_amount) as amount_appeared_amount,
            -sum(amount_vanished_amount) as amount_vanished_amount,
            sum(closing_amount) as closing_amount, sum(pushed_out_amount) as pushed_out_amount,
            sum(pulled_in_amount) as pulled_in_amount, count(*) as n
        from marts.{model} where {ctx.segment_filter()} and month = ?
        """,
        [ctx.month],
    )[0]
    if not found["n"]:
        return section("waterfall", "Pipeline waterfall", "No waterfall row for the as-of month.")
    steps = [
        ("opening", "total"),
        ("created", "delta"),
        ("reopened", "delta"),
        ("won", "delta"),
        ("lost", "delta"),
        ("amount_changed", "delta"),
        ("amount_appeared", "delta"),
        ("amount_vanished", "delta"),
        ("closing", "total"),
    ]
    chart = charts.waterfall_chart(
        f"Open pipeline, {ctx.month:%Y-%m}",
        [(n.replace("_", " "), float(found[f"{n}_amount"] or 0), kind) for n, kind in steps],
        money,
    )
    labels = [ctx.label(model, f"{name}_amount") for name, _ in steps]
    labels += [ctx.label(model, "pushed_out_amount"), ctx.label(model, "pulled_in_amount")]
    values = [found[f"{name}_amount"] for name, _ in steps]
    values += [found["pushed_out_amount"], found["pulled_in_amount"]]
    return section(
        "waterfall",
        f"Pipeline waterfall, {ctx.month:%Y-%m}",
        "How the open new-business pipeline moved in the as-of month: opening + created + "
        "reopened - won - lost + amount changed + amount appeared - amount vanished = closing; "
        "pushed out and pulled in are close dates moved out of or into the month.",
        chart,
        table(
            ["", "amount"],
            [[escape(n), fmt(v, "money")] for n, v in zip(labels, values, strict=True)],
        ),
    )
