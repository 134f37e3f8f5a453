"""The suites of the marts that exist. One `register` call per mart."""

from __future__ import annotations

from themodel.validation.suites import (
    a_at_least_b,
    columns_exactly,
    from_data,
    in_set,
    keys,
    non_negative,
    rates,
    register,
    row_rule,
    row_rules,
    rows_between,
)

SEGMENTS = ["smb", "mid_market", "enterprise", "unknown"]
# the company's own labels, not the demo's: the channels its export holds and the
# stages its seeds/stage_mapping.csv maps (themodel/validation/expected.py)
CHANNELS = from_data("channels")
SALES_STAGES = from_data("sales_stages")
LEAD_STAGES = from_data("lead_stages")

register(
    "marketing_kpis_monthly",
    columns_exactly(
        "channel",
        "segment",
        "reporting_currency",
        "leads_count",
        "mqls_count",
        "opportunities_count",
        "mql_rate",
        "lead_to_opportunity_rate",
        "pipeline_sourced_amount",
        "won_sourced_amount",
        "campaign_cost_amount",
        "cost_per_opportunity_amount",
        "is_window_complete",
        "month",
    )
    + keys("month", "channel", "segment")
    + rates("mql_rate", "lead_to_opportunity_rate")
    + non_negative(
        "leads_count",
        "mqls_count",
        "opportunities_count",
        "pipeline_sourced_amount",
        "won_sourced_amount",
        "campaign_cost_amount",
    )
    + rows_between(1, 100_000)
    + [
        (
            "ExpectColumnValuesToBeInSet",
            {
                "column": "segment",
                "value_set": ["smb", "mid_market", "enterprise", "unknown", "unallocated"],
            },
        ),
        in_set("channel", CHANNELS),
        # cross-column rules: a funnel never grows, won is part of pipeline
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "leads_count", "column_B": "mqls_count", "or_equal": True},
        ),
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "leads_count", "column_B": "opportunities_count", "or_equal": True},
        ),
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "pipeline_sourced_amount",
                "column_B": "won_sourced_amount",
                "or_equal": True,
            },
        ),
    ],
)

register(
    "funnel_bottlenecks",
    columns_exactly(
        "pipeline_id",
        "segment",
        "stage",
        "stage_order",
        "exits_count",
        "advanced_count",
        "baseline_exits_count",
        "baseline_advanced_count",
        "conversion_rate",
        "baseline_conversion_rate",
        "conversion_drop",
        "drop_z_score",
        "is_drop_significant",
        "bottleneck_rank",
        "month",
    )
    + keys("month", "pipeline_id", "segment", "stage")
    + [
        in_set("segment", SEGMENTS),
        in_set("stage", LEAD_STAGES + SALES_STAGES),
        # the drop is the baseline's rate minus the window's
        a_at_least_b("baseline_conversion_rate", "conversion_drop"),
    ]
    + [
        (
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["month", "pipeline_id", "segment", "bottleneck_rank"]},
        )
    ]
    + rates("conversion_rate", "baseline_conversion_rate")
    + non_negative("exits_count", "advanced_count", "baseline_exits_count", "bottleneck_rank")
    # no row until a stage has exits in its window and in the baseline months before it:
    # a correct build of a young export has none (the report says why)
    + rows_between(0, 1_000_000)
    + [
        ("ExpectColumnValuesToBeBetween", {"column": "bottleneck_rank", "min_value": 1}),
        (
            "ExpectColumnValuesToBeBetween",
            {"column": "conversion_drop", "min_value": -1, "max_value": 1},
        ),
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "exits_count", "column_B": "advanced_count", "or_equal": True},
        ),
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "baseline_exits_count",
                "column_B": "baseline_advanced_count",
                "or_equal": True,
            },
        ),
    ],
)

derived, checks = row_rules(
    row_rule(
        "decided_within_created",
        "accepted_count + rejected_count <= opportunities_created_count",
    ),
)
register(
    "inside_sales_kpis_monthly",
    columns_exactly(
        "user_id",
        "sdr_name",
        "handoff_acceptance_band",
        "reporting_currency",
        "productive_fte",
        "activities_count",
        "leads_worked_count",
        "other_activities_count",
        "type_defaulted_activities_count",
        "opportunities_created_count",
        "opportunities_per_productive_fte",
        "accepted_count",
        "rejected_count",
        "handoff_acceptance_rate",
        "handoff_dead_rate",
        "qualification_completeness_rate",
        "median_hours_to_first_touch",
        "amount_at_creation",
        "amount_won",
        "is_team_row",
        "month",
    )
    + keys("month", "user_id")
    + rates("handoff_acceptance_rate", "handoff_dead_rate", "qualification_completeness_rate")
    + non_negative(
        "productive_fte",
        "activities_count",
        "leads_worked_count",
        "other_activities_count",
        "type_defaulted_activities_count",
        "opportunities_created_count",
        "accepted_count",
        "rejected_count",
        "amount_at_creation",
        "amount_won",
        "median_hours_to_first_touch",
    )
    + rows_between(1, 1_000_000)
    + [
        (
            "ExpectColumnValuesToBeInSet",
            {"column": "handoff_acceptance_band", "value_set": ["below", "in_band", "above"]},
        ),
        # decided hand-offs never outnumber hand-offs
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "opportunities_created_count",
                "column_B": "accepted_count",
                "or_equal": True,
            },
        ),
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "opportunities_created_count",
                "column_B": "rejected_count",
                "or_equal": True,
            },
        ),
        # a lead worked had at least one activity
        a_at_least_b("activities_count", "leads_worked_count"),
        (
            "ExpectColumnDistinctValuesToEqualSet",
            {"column": "is_team_row", "value_set": [False, True]},
        ),
    ]
    + checks,
    derived=derived,
)

register(
    "field_sales_kpis_monthly",
    columns_exactly(
        "user_id",
        "ae_name",
        "reporting_currency",
        "productive_fte",
        "open_deals_count",
        "capacity_deals",
        "capacity_utilisation",
        "won_count",
        "closed_count",
        "won_amount",
        "win_rate",
        "win_rate_by_amount",
        "median_won_cycle_days",
        "slipped_deals_count",
        "slip_days",
        "quarter_quota_amount",
        "quarter_to_date_won_amount",
        "quota_attainment_rate",
        "is_team_row",
        "month",
    )
    + keys("month", "user_id")
    + rates("win_rate", "win_rate_by_amount")
    + non_negative(
        "productive_fte",
        "open_deals_count",
        "capacity_deals",
        "won_count",
        "closed_count",
        "won_amount",
        "slipped_deals_count",
        "slip_days",
        "median_won_cycle_days",
        "capacity_utilisation",
        "quarter_quota_amount",
        "quota_attainment_rate",
    )
    + rows_between(1, 1_000_000)
    + [
        # won never exceeds closed
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "closed_count", "column_B": "won_count", "or_equal": True},
        ),
        # the quarter to date includes the month
        a_at_least_b("quarter_to_date_won_amount", "won_amount"),
        # slip_days >= slipped_deals_count does not hold: a push beyond max_slip_days
        # counts as a slipped deal but not in slip_days (real exports have such pushes)
        # team rows, and people rows when the export names deal owners
        (
            "ExpectColumnDistinctValuesToEqualSet",
            {"column": "is_team_row", "value_set": from_data("field_sales_row_levels")},
        ),
    ],
)

register(
    "sales_capacity_valve",
    columns_exactly(
        "user_id",
        "ae_name",
        "guidance",
        "open_deals_count",
        "capacity_deals",
        "utilisation_rate",
        "is_team_row",
        "as_of_date",
    )
    + keys("as_of_date", "user_id")
    + non_negative("open_deals_count", "capacity_deals", "utilisation_rate")
    + rows_between(1, 100_000)
    + [
        (
            "ExpectColumnValuesToBeInSet",
            {
                "column": "guidance",
                "value_set": ["hand_over_early", "normal", "high_certainty_only"],
            },
        ),
        (
            "ExpectColumnDistinctValuesToEqualSet",
            {"column": "is_team_row", "value_set": [False, True]},
        ),
        ("ExpectColumnUniqueValueCountToBeBetween", {"column": "as_of_date", "max_value": 1}),
    ],
)

derived, checks = row_rules(
    row_rule(
        "counts_balance",
        "opening_count + created_count + reopened_count - won_count - lost_count == closing_count",
    ),
    row_rule(
        "amounts_balance",
        "abs(opening_amount + created_amount + reopened_amount - won_amount - lost_amount"
        " + amount_changed_amount + amount_appeared_amount - amount_vanished_amount"
        " - closing_amount) <= 0.05",
    ),
)
register(
    "pipeline_waterfall",
    columns_exactly(
        "segment",
        "reporting_currency",
        "opening_count",
        "created_count",
        "reopened_count",
        "won_count",
        "lost_count",
        "closing_count",
        "pushed_out_count",
        "pulled_in_count",
        "opening_amount",
        "created_amount",
        "reopened_amount",
        "won_amount",
        "lost_amount",
        "amount_changed_amount",
        "amount_appeared_amount",
        "amount_vanished_amount",
        "closing_amount",
        "pushed_out_amount",
        "pulled_in_amount",
        "month",
    )
    + keys("month", "segment")
    + non_negative(
        "opening_count",
        "created_count",
        "reopened_count",
        "won_count",
        "lost_count",
        "closing_count",
        "pushed_out_count",
        "pulled_in_count",
        "opening_amount",
        "created_amount",
        "reopened_amount",
        "won_amount",
        "lost_amount",
        "amount_appeared_amount",
        "amount_vanished_amount",
        "closing_amount",
        "pushed_out_amount",
        "pulled_in_amount",
    )
    + rows_between(1, 1_000_000)
    + [
        (
            "ExpectColumnValuesToBeInSet",
            {"column": "segment", "value_set": ["smb", "mid_market", "enterprise", "unknown"]},
        ),
    ]
    + checks,
    derived=derived,
)

derived, checks = row_rules(
    row_rule(
        "due_is_decided_or_pending",
        "renewals_due_count == renewed_count + churned_count + renewal_pending_count",
    ),
)
register(
    "customer_deals_monthly",
    columns_exactly(
        "opportunity_type",
        "reporting_currency",
        "closed_count",
        "won_count",
        "lost_count",
        "won_amount",
        "win_rate",
        "owners_count",
        "month",
    )
    + keys("month", "opportunity_type")
    + rates("win_rate")
    + non_negative("closed_count", "won_count", "lost_count", "won_amount", "owners_count")
    + [
        in_set("opportunity_type", ["renewal", "expansion"]),
        a_at_least_b("closed_count", "won_count"),
    ],
)

register(
    "customer_success_kpis_monthly",
    columns_exactly(
        "user_id",
        "csm_name",
        "reporting_currency",
        "productive_fte",
        "renewals_due_count",
        "renewed_count",
        "churned_count",
        "renewal_pending_count",
        "expansion_won_count",
        "renewals_due_amount",
        "renewed_amount",
        "churned_amount",
        "expansion_amount",
        "renewal_rate",
        "gross_revenue_retention_rate",
        "net_revenue_retention_rate",
        "is_team_row",
        "month",
    )
    + keys("month", "user_id")
    + rates("renewal_rate", "gross_revenue_retention_rate")
    + non_negative(
        "productive_fte",
        "renewals_due_count",
        "renewed_count",
        "churned_count",
        "renewal_pending_count",
        "expansion_won_count",
        "renewals_due_amount",
        "renewed_amount",
        "churned_amount",
        "expansion_amount",
        "net_revenue_retention_rate",
    )
    + rows_between(1, 1_000_000)
    + [
        # decided renewals never outnumber the renewals due
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "renewals_due_count", "column_B": "renewed_count", "or_equal": True},
        ),
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "renewals_due_count", "column_B": "churned_count", "or_equal": True},
        ),
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "renewals_due_amount", "column_B": "churned_amount", "or_equal": True},
        ),
        # expansion only adds: net retention is never below gross
        a_at_least_b("net_revenue_retention_rate", "gross_revenue_retention_rate"),
        (
            "ExpectColumnDistinctValuesToEqualSet",
            {"column": "is_team_row", "value_set": [False, True]},
        ),
    ]
    + checks,
    derived=derived,
)

derived, checks = row_rules(
    row_rule(
        "entered_is_advanced_lost_or_open",
        "entered_count == advanced_count + lost_count + still_open_count",
    ),
)

register(
    "funnel_stage_conversion",
    columns_exactly(
        "pipeline_id",
        "segment",
        "channel",
        "stage",
        "stage_order",
        "entered_count",
        "advanced_count",
        "lost_count",
        "still_open_count",
        "conversion_rate",
        "conversion_rate_ci_low",
        "conversion_rate_ci_high",
        "median_days_in_stage",
        "p75_days_in_stage",
        "cohort_month",
    )
    + keys("cohort_month", "pipeline_id", "segment", "channel", "stage")
    + rates("conversion_rate", "conversion_rate_ci_low", "conversion_rate_ci_high")
    + non_negative(
        "entered_count",
        "advanced_count",
        "lost_count",
        "still_open_count",
        "median_days_in_stage",
        "p75_days_in_stage",
    )
    + rows_between(1, 1_000_000)
    + [
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "entered_count", "column_B": "advanced_count", "or_equal": True},
        ),
        # the interval holds the rate; the 75th percentile is not below the median
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "conversion_rate_ci_high",
                "column_B": "conversion_rate",
                "or_equal": True,
            },
        ),
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "conversion_rate", "column_B": "conversion_rate_ci_low", "or_equal": True},
        ),
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "p75_days_in_stage", "column_B": "median_days_in_stage", "or_equal": True},
        ),
        in_set("segment", SEGMENTS),
        in_set("channel", CHANNELS),
        in_set("stage", SALES_STAGES),
    ]
    + checks,
    derived=derived,
)

register(
    "forecast_pipeline",
    columns_exactly(
        "opportunity_id",
        "owner_id",
        "owner_name",
        "segment",
        "stage",
        "forecast_category",
        "reporting_currency",
        "amount",
        "stage_win_rate",
        "stage_win_sample_count",
        "weighted_amount",
        "segment_average_slip_days",
        "close_date",
        "expected_close_date",
        "expected_close_quarter",
        "as_of_date",
    )
    + keys("as_of_date", "opportunity_id")
    + rates("stage_win_rate")
    + non_negative("amount", "stage_win_sample_count", "weighted_amount")
    + rows_between(1, 1_000_000)
    + [
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "amount", "column_B": "weighted_amount", "or_equal": True},
        ),
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "expected_close_date", "column_B": "as_of_date", "or_equal": True},
        ),
        # one as-of date per build
        ("ExpectColumnUniqueValueCountToBeBetween", {"column": "as_of_date", "max_value": 1}),
        in_set("segment", SEGMENTS),
        # open deals only
        in_set("stage", SALES_STAGES),
        in_set("forecast_category", ["pipeline", "best_case", "commit", "omitted"]),
    ],
)

register(
    "forecast_inputs_quarterly",
    columns_exactly(
        "segment",
        "reporting_currency",
        "pipeline_count",
        "pipeline_amount",
        "weighted_pipeline_amount",
        "quota_amount",
        "pipeline_coverage_ratio",
        "weighted_coverage_ratio",
        "closed_count",
        "won_count",
        "won_amount",
        "win_rate",
        "average_deal_amount",
        "average_won_cycle_days",
        "sales_velocity_amount_per_day",
        "fiscal_year",
        "fiscal_quarter",
        "is_all_segments",
        "quarter",
    )
    + keys("quarter", "segment")
    + rates("win_rate")
    + non_negative(
        "pipeline_count",
        "pipeline_amount",
        "weighted_pipeline_amount",
        "quota_amount",
        "pipeline_coverage_ratio",
        "weighted_coverage_ratio",
        "closed_count",
        "won_count",
        "won_amount",
        "average_deal_amount",
        "average_won_cycle_days",
        "sales_velocity_amount_per_day",
    )
    + rows_between(1, 100_000)
    + [
        (
            "ExpectColumnValuesToBeInSet",
            {
                "column": "segment",
                "value_set": ["smb", "mid_market", "enterprise", "unknown", "_all"],
            },
        ),
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "closed_count", "column_B": "won_count", "or_equal": True},
        ),
        # weighted pipeline never exceeds the unweighted pipeline
        a_at_least_b("pipeline_amount", "weighted_pipeline_amount"),
        a_at_least_b("pipeline_coverage_ratio", "weighted_coverage_ratio"),
    ],
)

register(
    "new_business_diagnostics",
    columns_exactly(
        "segment",
        "weakest_stage",
        "reporting_currency",
        "won_count",
        "previous_won_count",
        "won_count_change",
        "won_amount",
        "previous_won_amount",
        "won_amount_change",
        "closed_count",
        "win_rate",
        "weakest_stage_conversion_rate",
        "weakest_stage_previous_conversion_rate",
        "weakest_stage_conversion_drop",
        "usual_won_cycle_days",
        "aged_open_deals_count",
        "slipped_deals_count",
        "fiscal_year",
        "fiscal_quarter",
        "is_all_segments",
        "quarter",
    )
    + keys("quarter", "segment")
    + rates(
        "win_rate",
        "weakest_stage_conversion_rate",
        "weakest_stage_previous_conversion_rate",
        "weakest_stage_conversion_drop",
    )
    + non_negative(
        "won_count",
        "previous_won_count",
        "won_amount",
        "previous_won_amount",
        "closed_count",
        "usual_won_cycle_days",
        "aged_open_deals_count",
        "slipped_deals_count",
    )
    + rows_between(1, 100_000)
    + [
        (
            "ExpectColumnValuesToBeInSet",
            {
                "column": "segment",
                "value_set": ["smb", "mid_market", "enterprise", "unknown", "_all"],
            },
        ),
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "closed_count", "column_B": "won_count", "or_equal": True},
        ),
    ],
)

derived, checks = row_rules(
    row_rule("closed_is_won_or_lost", "closed_count == won_count + lost_count"),
)
register(
    "new_business_competitors",
    columns_exactly(
        "segment",
        "competitor",
        "reporting_currency",
        "closed_count",
        "won_count",
        "lost_count",
        "won_amount",
        "win_rate",
        "fiscal_year",
        "fiscal_quarter",
        "is_all_segments",
        "quarter",
    )
    + keys("quarter", "segment", "competitor")
    + rates("win_rate")
    + non_negative("closed_count", "won_count", "lost_count", "won_amount")
    + rows_between(1, 100_000)
    + checks
    + [
        (
            "ExpectColumnValuesToBeInSet",
            {
                "column": "segment",
                "value_set": ["smb", "mid_market", "enterprise", "unknown", "_all"],
            },
        ),
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "closed_count", "column_B": "won_count", "or_equal": True},
        ),
    ],
    derived=derived,
)

register(
    "new_business_ae_contribution",
    columns_exactly(
        "user_id",
        "ae_name",
        "reporting_currency",
        "productive_fte",
        "closed_count",
        "won_count",
        "won_amount",
        "win_rate",
        "won_count_share",
        "won_amount_share",
        "fiscal_year",
        "fiscal_quarter",
        "is_departed",
        "is_ramping",
        "quarter",
        "left_at",
    )
    + keys("quarter", "user_id")
    + rates("win_rate", "won_count_share", "won_amount_share")
    + non_negative("productive_fte", "closed_count", "won_count", "won_amount")
    + rows_between(1, 100_000)
    + [
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "closed_count", "column_B": "won_count", "or_equal": True},
        ),
    ],
)

register(
    "inside_sales_call_list",
    columns_exactly(
        "user_id",
        "sdr_name",
        "lead_id",
        "opportunity_id",
        "account_id",
        "reason",
        "status",
        "channel",
        "segment",
        "fit_score",
        "priority_rank",
        "days_since_last_touch",
        "as_of_date",
        "call_date",
        "last_activity_at",
    )
    + keys("as_of_date", "lead_id")
    + non_negative("fit_score", "days_since_last_touch")
    # an empty list is a valid day
    + rows_between(0, 1_000_000)
    + [
        (
            "ExpectColumnValuesToBeInSet",
            {
                "column": "reason",
                "value_set": ["new_high_fit_lead", "due_follow_up", "stale_handoff"],
            },
        ),
        ("ExpectColumnValuesToBeBetween", {"column": "priority_rank", "min_value": 1}),
        (
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {"column_A": "call_date", "column_B": "as_of_date"},
        ),
        # one as-of date per build
        ("ExpectColumnUniqueValueCountToBeBetween", {"column": "as_of_date", "max_value": 1}),
    ],
)

register(
    "mart_availability",
    columns_exactly("mart", "reason", "is_available", "as_of_date")
    + keys("mart")
    # one row per mart (the 15 marts of issue 19, mart_availability itself left out)
    + rows_between(15, 1_000)
    + [
        in_set("is_available", [True, False]),
        ("ExpectColumnValuesToNotBeNull", {"column": "as_of_date"}),
    ],
)
