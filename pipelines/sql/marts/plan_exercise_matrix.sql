-- plan_exercise_matrix: per characteristic, whether it is in the plan, was
-- exercised in the last three waves, or has a reason for not exercising it that
-- counts (status geldig or aanvaard in int_reasons, docs/verdicts.md 5a).
-- Status: niet_in_plan before anything else (the plan indicators only look at
-- characteristics in the plan); null where 'oefeningen' is not in use.
with reasons as (
    select
        r.wave,
        r.region_code,
        r.cell,
        r.status,
        r.status_reason
    from int_reasons as r
    inner join int_indicator_definitions as d
        on r.indicator_id = d.indicator_id and d.reason_cell_kind = 'bijzonderheid'
    where r.reason_given
)

select
    p.wave,
    p.region_code,
    p.characteristic,
    p.in_plan,
    p.exercised_3w,
    p.substantiated,
    case
        when not p.in_plan then 'niet_in_plan'
        when p.exercised_3w is null then null
        when p.exercised_3w then 'beoefend'
        when r.status in ('geldig', 'aanvaard') then 'onderbouwd'
        else 'niet_beoefend'
    end as status,
    p.substantiation_text,
    p.window_waves,
    r.status as reason_status,
    r.status_reason as reason_status_reason
from int_plan_characteristics as p
left join reasons as r
    on p.wave = r.wave and p.region_code = r.region_code and p.characteristic = r.cell
order by p.wave, p.region_code, p.characteristic
