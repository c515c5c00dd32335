-- Every deviating cell a region can explain with a reason (docs/verdicts.md 5a),
-- one row per wave x region x indicator x cell, whether or not a reason was
-- given: the consecutive-wave rule counts the deviation, not the reasons.
-- wave_rank numbers the waves of the warehouse (int_waves) so that
-- "consecutive" means: no wave of the warehouse in between.
with plan as (
    select
        wave,
        region_code,
        characteristic,
        substantiated,
        substantiation_text,
        valid_until
    from int_plan_characteristics
    where in_plan and exercised_3w = false
),

-- the two indicators carried by one plan characteristic: no exercise with the
-- national crisis organisation, the ring model not exercised (last three waves)
single_cell as (
    select
        wave,
        region_code,
        'nationale_opschaling' as cell
    from int_exercise_window
    group by wave, region_code
    having count(*) filter (where with_national_crisis_org) = 0
    union all
    select distinct
        w.wave,
        w.region_code,
        'ringenmodel' as cell
    from int_wave_windows as w
    where
        w.module = 'oefeningen'
        and not exists (
            select 1 from int_characteristics_exercised as x
            where
                x.wave = w.wave and x.region_code = w.region_code
                and x.characteristic = 'ringenmodel'
        )
),

plan_rows as (
    select
        p.wave,
        p.region_code,
        p.characteristic,
        p.not_exercising_substantiated,
        nullif(trim(p.substantiation_text), '') as substantiation_text,
        p.valid_until
    from stg_plan_characteristics as p
    inner join stg_module_loads as l
        on p.wave = l.wave and p.region_code = l.region_code and l.module = 'planvorming'
),

cells as (
    select
        p.wave,
        p.region_code,
        d.indicator_id,
        p.characteristic as cell,
        'planvorming' as module,
        p.substantiated as reason_given,
        p.substantiation_text as reason_text,
        p.valid_until
    from plan as p
    inner join int_indicator_definitions as d on d.reason_cell_kind = 'bijzonderheid'
    union all
    select
        w.wave,
        w.region_code,
        d.indicator_id,
        w.cell,
        'planvorming' as module,
        coalesce(p.not_exercising_substantiated, false) as reason_given,
        p.substantiation_text as reason_text,
        p.valid_until
    from single_cell as w
    inner join int_indicator_definitions as d on w.cell = d.reason_cell_kind
    left join plan_rows as p
        on w.wave = p.wave and w.region_code = p.region_code and w.cell = p.characteristic
    union all
    select
        c.wave,
        c.region_code,
        d.indicator_id,
        c.zone || '/' || c.discipline as cell,
        'ringenmodel' as module,
        c.substantiation is not null as reason_given,
        c.substantiation as reason_text,
        c.valid_until
    from int_ring_model_cells as c
    inner join int_indicator_definitions as d on d.reason_cell_kind = 'zone_discipline'
    where c.deviates
    union all
    select
        c.wave,
        c.region_code,
        d.indicator_id,
        c.role || '/' || c.item as cell,
        'middelen' as module,
        c.substantiation is not null as reason_given,
        c.substantiation as reason_text,
        c.valid_until
    from int_equipment_cells as c
    inner join int_indicator_definitions as d on d.reason_cell_kind = 'functie_middel'
    where c.below_norm
)

select
    c.wave,
    w.wave_rank,
    c.region_code,
    c.indicator_id,
    c.cell,
    c.module,
    c.reason_given,
    c.reason_text,
    c.valid_until
from cells as c
inner join int_waves as w on c.wave = w.wave
