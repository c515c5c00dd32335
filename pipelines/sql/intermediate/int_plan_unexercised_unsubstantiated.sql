-- plan_unexercised_unsubstantiated: characteristics in the plan, not exercised in
-- the last three waves, without a reason that counts (status geldig or aanvaard,
-- int_reasons, docs/verdicts.md 5a). Uniform norm 0 (lower is better); the count
-- already leaves the justified ones out. detail names each counted characteristic
-- with why its reason does not count.
with plan as (
    select
        p.wave,
        p.region_code,
        p.characteristic,
        p.in_plan,
        p.exercised_3w,
        p.window_waves,
        p.n_window_waves,
        coalesce(r.status in ('geldig', 'aanvaard'), false) as counts,
        r.status_reason
    from int_plan_characteristics as p
    left join int_reasons as r
        on
            p.wave = r.wave and p.region_code = r.region_code and p.characteristic = r.cell
            and r.indicator_id = 'plan_unexercised_unsubstantiated'
    where p.exercised_3w is not null
)

select
    wave,
    region_code,
    'plan_unexercised_unsubstantiated' as indicator_id,
    cast(count(*) filter (where in_plan and not exercised_3w and not counts) as double) as value,
    cast(count(*) filter (where in_plan and not exercised_3w and not counts) as double) as numerator,
    cast(count(*) filter (where in_plan) as double) as denominator,
    false as substantiated,
    cast(null as varchar) as substantiation,
    cast(null as varchar) as norm_source,
    string_agg(characteristic || ': ' || coalesce(status_reason, 'geen toelichting'), '; ' order by characteristic)
    filter (where in_plan and not exercised_3w and not counts) as detail,
    any_value(window_waves) as window_waves,
    any_value(n_window_waves) as n_window_waves
from plan
group by wave, region_code
