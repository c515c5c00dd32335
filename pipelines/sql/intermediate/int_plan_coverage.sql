-- plan_coverage: share of the characteristics in the plan that were exercised in
-- the last three waves. Needs 'planvorming' and 'oefeningen' in use in the wave.
-- National proportion; no substantiation possible.
select
    wave,
    region_code,
    'plan_coverage' as indicator_id,
    cast(count(*) filter (where in_plan and exercised_3w) as double)
    / nullif(count(*) filter (where in_plan), 0) as value,
    cast(count(*) filter (where in_plan and exercised_3w) as double) as numerator,
    cast(count(*) filter (where in_plan) as double) as denominator,
    false as substantiated,
    cast(null as varchar) as substantiation,
    cast(null as varchar) as norm_source,
    string_agg(characteristic, ', ' order by characteristic) filter (where in_plan and not exercised_3w) as detail,
    any_value(window_waves) as window_waves,
    any_value(n_window_waves) as n_window_waves
from int_plan_characteristics
where exercised_3w is not null
group by wave, region_code
