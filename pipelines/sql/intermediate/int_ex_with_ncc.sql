-- ex_with_ncc: an exercise with the national crisis organisation in the last three
-- waves (1) or not (0). Uniform norm: yes. Substantiated where the wave's plan
-- says for 'nationale_opschaling' that it need not be exercised and that reason
-- counts under the rules and judgements (int_reason_verdicts, docs/verdicts.md 5a).
with window_counts as (
    select
        wave,
        region_code,
        count(*) filter (where with_national_crisis_org) as n_with_ncc,
        count(exercise_id) as n_exercises,
        any_value(window_waves) as window_waves,
        any_value(n_window_waves) as n_window_waves
    from int_exercise_window
    group by wave, region_code
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
    where p.characteristic = 'nationale_opschaling'
)

select
    c.wave,
    c.region_code,
    'ex_with_ncc' as indicator_id,
    case when c.n_with_ncc > 0 then 1.0 else 0.0 end as value,
    cast(c.n_with_ncc as double) as numerator,
    cast(c.n_exercises as double) as denominator,
    coalesce(v.justified, false) as substantiated,
    case
        when
            p.not_exercising_substantiated
            then coalesce(nullif(trim(p.substantiation_text), ''), '(onderbouwd, zonder toelichting)')
    end
        as substantiation,
    cast(null as varchar) as norm_source,
    cast(null as varchar) as detail,
    c.window_waves,
    c.n_window_waves
from window_counts as c
left join plan as p on c.wave = p.wave and c.region_code = p.region_code
left join int_reason_verdicts as v
    on c.wave = v.wave and c.region_code = v.region_code and v.indicator_id = 'ex_with_ncc'
