-- A pipeline (sales process) is a deal's: a lead or contract row of the stage
-- mapping with a pipeline_id would never be used. Fix: empty its pipeline_id.
select
    source_system,
    entity_type,
    source_label,
    pipeline_id
from {{ ref('stage_mapping') }}
where
    entity_type != 'opportunity'
    and nullif(trim(pipeline_id), '') is not null
