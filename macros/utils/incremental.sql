{#- int_pipeline_daily's pre-hook on an incremental run: rows no rebuild would
    replace (the model deletes and inserts per opportunity). -#}
{% macro delete_stale_pipeline_days() -%}
    delete from {{ this }}
    where
        pipeline_date > {{ as_of_date() }}
        or opportunity_id not in (
            select entity_id
            from {{ ref('int_stage_intervals_reconstructed') }}
            where
                entity_type = 'opportunity'
                and not is_skipped
                and not is_won_stage
                and not is_lost_stage
        )
{%- endmacro %}
