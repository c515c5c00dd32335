-- indicator_values: the plain value of every indicator per wave x region, for the
-- regions that have the needed modules in use (ex_count: the number of exercises).
select
    v.wave,
    v.region_code,
    v.indicator_id,
    v.value,
    v.numerator,
    v.denominator,
    v.substantiated,
    v.substantiation,
    v.norm_source,
    v.window_waves,
    v.n_window_waves
from int_indicators as v
inner join int_indicator_definitions as d on v.indicator_id = d.indicator_id
order by v.wave, v.region_code, d.sort_order
