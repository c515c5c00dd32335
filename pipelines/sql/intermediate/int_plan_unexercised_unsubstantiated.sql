-- plan_unexercised_unsubstantiated: characteristics in the plan, not exercised in
-- the last three waves, for which the region gave no substantiation. Uniform
-- norm 0 (lower is better); the count already leaves substantiated ones out.
select
    wave,
    region_code,
    'plan_unexercised_unsubstantiated' as indicator_id,
    cast(count(*) filter (where in_plan and not exercised_3w and not substantiated) as double) as value,
    cast(count(*) filter (where in_plan and not exercised_3w and not substantiated) as double) as numerator,
    cast(count(*) filter (where in_plan) as double) as denominator,
    false as substantiated,
    cast(null as varchar) as substantiation,
    cast(null as varchar) as norm_source,
    string_agg(characteristic, ', ' order by characteristic)
    filter (where in_plan and not exercised_3w and not substantiated) as detail,
    any_value(window_waves) as window_waves,
    any_value(n_window_waves) as n_window_waves
from int_plan_characteristics
where exercised_3w is not null
group by wave, region_code
