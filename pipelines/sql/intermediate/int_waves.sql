-- The waves present in the warehouse, numbered in order. "The wave and the two
-- before it" means this wave and its two predecessors in this numbering, so a
-- year without a survey does not shorten the window.
with waves as (
    select distinct wave from stg_module_loads
    union
    select distinct wave from stg_submission_status
)

select
    wave,
    cast(row_number() over (order by wave) as integer) as wave_rank
from waves
