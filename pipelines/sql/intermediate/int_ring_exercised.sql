-- ring_exercised: the ring model (characteristic 'ringenmodel') exercised in the
-- last three waves (1) or not (0). Uniform norm: yes. Substantiated where the
-- wave's plan says for 'ringenmodel' that it need not be exercised and that
-- reason counts (int_reason_verdicts, docs/verdicts.md 5a).
with windows as (
    select
        wave,
        region_code,
        any_value(window_waves) as window_waves,
        any_value(n_window_waves) as n_window_waves
    from int_wave_windows
    where module = 'oefeningen'
    group by wave, region_code
),

exercised as (
    select
        wave,
        region_code
    from int_characteristics_exercised
    where characteristic = 'ringenmodel'
),

plan as (
    select
        p.wave,
        p.region_code,
        p.not_exercising_substantiated,
        p.substantiation_text
    from stg_plan_characteristics as p
    inner join stg_module_loads as l
        on p.wave = l.wave and p.region_code = l.region_code and l.module = 'planvorming'
    where p.characteristic = 'ringenmodel'
)

select
    w.wave,
    w.region_code,
    'ring_exercised' as indicator_id,
    case when x.wave is not null then 1.0 else 0.0 end as value,
    case when x.wave is not null then 1.0 else 0.0 end as numerator,
    1.0 as denominator,
    coalesce(v.justified, false) as substantiated,
    case
        when
            p.not_exercising_substantiated
            then coalesce(nullif(trim(p.substantiation_text), ''), '(onderbouwd, zonder toelichting)')
    end
        as substantiation,
    cast(null as varchar) as norm_source,
    cast(null as varchar) as detail,
    w.window_waves,
    w.n_window_waves
from windows as w
left join exercised as x on w.wave = x.wave and w.region_code = x.region_code
left join plan as p on w.wave = p.wave and w.region_code = p.region_code
left join int_reason_verdicts as v
    on w.wave = v.wave and w.region_code = v.region_code and v.indicator_id = 'ring_exercised'
