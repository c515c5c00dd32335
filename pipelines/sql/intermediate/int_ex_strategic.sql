-- ex_strategic: a strategic-level exercise in the last three waves (1) or not (0).
-- Uniform norm: yes. numerator = strategic exercises, denominator = all
-- exercises in the window. No substantiation possible.
select
    wave,
    region_code,
    'ex_strategic' as indicator_id,
    case when count(*) filter (where level = 'strategisch') > 0 then 1.0 else 0.0 end as value,
    cast(count(*) filter (where level = 'strategisch') as double) as numerator,
    cast(count(exercise_id) as double) as denominator,
    false as substantiated,
    cast(null as varchar) as substantiation,
    cast(null as varchar) as norm_source,
    cast(null as varchar) as detail,
    any_value(window_waves) as window_waves,
    any_value(n_window_waves) as n_window_waves
from int_exercise_window
group by wave, region_code
