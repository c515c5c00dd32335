-- lessons_shared_share: share of the wave's lessons shared via the virtual office
-- (gedeeld = 'virtueel_kantoor'). National proportion; no substantiation possible.
with loaded as (
    select
        wave,
        region_code
    from stg_module_loads
    where module = 'lessen'
),

counts as (
    select
        wave,
        region_code,
        count(*) as n_lessons,
        count(*) filter (where shared_via = 'virtueel_kantoor') as n_shared
    from stg_lessons
    group by wave, region_code
)

select
    l.wave,
    l.region_code,
    'lessons_shared_share' as indicator_id,
    cast(c.n_shared as double) / nullif(c.n_lessons, 0) as value,
    cast(coalesce(c.n_shared, 0) as double) as numerator,
    cast(coalesce(c.n_lessons, 0) as double) as denominator,
    false as substantiated,
    cast(null as varchar) as substantiation,
    cast(null as varchar) as norm_source,
    cast(null as varchar) as detail,
    cast(null as varchar) as window_waves,
    cast(null as integer) as n_window_waves
from loaded as l
left join counts as c on l.wave = c.wave and l.region_code = c.region_code
