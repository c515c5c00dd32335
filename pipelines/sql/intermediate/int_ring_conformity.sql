-- ring_conformity: share of the zone x discipline cells equal to the norm.
-- Uniform norm 1. Substantiated where every deviating cell has a note
-- (afwijking_toelichting). norm_source is 'modaal' where any cell's norm is.
select
    wave,
    region_code,
    'ring_conformity' as indicator_id,
    cast(count(*) filter (where not deviates) as double) / count(*) as value,
    cast(count(*) filter (where not deviates) as double) as numerator,
    cast(count(*) as double) as denominator,
    coalesce(bool_and(substantiation is not null) filter (where deviates), true) as substantiated,
    string_agg(zone || '/' || discipline || ': ' || substantiation, '; ' order by zone, discipline)
    filter (where deviates and substantiation is not null) as substantiation,
    case when bool_or(norm_source = 'modaal') then 'modaal' else 'vastgesteld' end as norm_source,
    string_agg(
        zone || '/' || discipline || ' ' || access || ' in plaats van ' || coalesce(norm_access, '?')
        || case when norm_source = 'modaal' then ' (modaal)' else '' end,
        ', ' order by zone, discipline
    ) filter (where deviates) as detail,
    cast(null as varchar) as window_waves,
    cast(null as integer) as n_window_waves
from int_ring_model_cells
group by wave, region_code
