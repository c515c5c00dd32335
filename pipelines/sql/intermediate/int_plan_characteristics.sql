-- Every special characteristic of a region's plan in a wave, with whether it was
-- exercised in the last three waves (null where 'oefeningen' is not in use in the
-- wave) and whether the region substantiated not exercising it (until which year).
with plan as (
    select
        p.wave,
        p.region_code,
        p.characteristic,
        coalesce(p.in_plan, false) as in_plan,
        coalesce(p.not_exercising_substantiated, false) as substantiated,
        nullif(trim(p.substantiation_text), '') as substantiation_text,
        p.valid_until
    from stg_plan_characteristics as p
    inner join stg_module_loads as l
        on p.wave = l.wave and p.region_code = l.region_code and l.module = 'planvorming'
),

exercises_in_use as (
    select
        wave,
        region_code,
        any_value(window_waves) as window_waves,
        any_value(n_window_waves) as n_window_waves
    from int_wave_windows
    where module = 'oefeningen'
    group by wave, region_code
)

select
    p.wave,
    p.region_code,
    p.characteristic,
    p.in_plan,
    case when o.wave is null then null else x.characteristic is not null end as exercised_3w,
    p.substantiated,
    p.substantiation_text,
    p.valid_until,
    o.window_waves,
    o.n_window_waves
from plan as p
left join exercises_in_use as o on p.wave = o.wave and p.region_code = o.region_code
left join int_characteristics_exercised as x
    on p.wave = x.wave and p.region_code = x.region_code and p.characteristic = x.characteristic
