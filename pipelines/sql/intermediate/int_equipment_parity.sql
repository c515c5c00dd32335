-- equipment_parity: share of the role x item cells at or above the norm.
-- Uniform norm 1. Substantiated where every cell below the norm has a note
-- (afwijking_toelichting). norm_source is 'modaal' where any cell's norm is.
select
    wave,
    region_code,
    'equipment_parity' as indicator_id,
    cast(count(*) filter (where not below_norm) as double) / count(*) as value,
    cast(count(*) filter (where not below_norm) as double) as numerator,
    cast(count(*) as double) as denominator,
    coalesce(bool_and(substantiation is not null) filter (where below_norm), true) as substantiated,
    string_agg(role || '/' || item || ': ' || substantiation, '; ' order by discipline, role, item)
    filter (where below_norm and substantiation is not null) as substantiation,
    case when bool_or(norm_source = 'modaal') then 'modaal' else 'vastgesteld' end as norm_source,
    string_agg(
        role || '/' || item || ' ' || level || ' in plaats van ' || coalesce(norm_level, '?')
        || case when norm_source = 'modaal' then ' (modaal)' else '' end,
        ', ' order by discipline, role, item
    ) filter (where below_norm) as detail,
    cast(null as varchar) as window_waves,
    cast(null as integer) as n_window_waves
from int_equipment_cells
group by wave, region_code
