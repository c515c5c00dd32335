-- ex_multidisciplinary_share: share of the wave's exercises in which two or more
-- disciplines took part. National proportion; no substantiation possible.
with loaded as (
    select
        wave,
        region_code
    from stg_module_loads
    where module = 'oefeningen'
),

counts as (
    select
        wave,
        region_code,
        count(*) as n_exercises,
        count(*) filter (where len(list_distinct(disciplines)) >= 2) as n_multidisciplinary
    from stg_exercises
    group by wave, region_code
)

select
    l.wave,
    l.region_code,
    'ex_multidisciplinary_share' as indicator_id,
    cast(c.n_multidisciplinary as double) / nullif(c.n_exercises, 0) as value,
    cast(coalesce(c.n_multidisciplinary, 0) as double) as numerator,
    cast(coalesce(c.n_exercises, 0) as double) as denominator,
    false as substantiated,
    cast(null as varchar) as substantiation,
    cast(null as varchar) as norm_source,
    cast(null as varchar) as detail,
    cast(null as varchar) as window_waves,
    cast(null as integer) as n_window_waves
from loaded as l
left join counts as c on l.wave = c.wave and l.region_code = c.region_code
