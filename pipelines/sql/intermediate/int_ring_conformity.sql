-- ring_conformity: share of the zone x discipline cells equal to the norm.
-- Uniform norm 1. Substantiated where every deviating cell has a note
-- (afwijking_toelichting) that counts
-- (int_reason_verdicts, docs/verdicts.md 5a). norm_source is 'modaal' where any
-- cell's norm is.
with cells as (
    select
        wave,
        region_code,
        'ring_conformity' as indicator_id,
        cast(count(*) filter (where not deviates) as double) / count(*) as value,
        cast(count(*) filter (where not deviates) as double) as numerator,
        cast(count(*) as double) as denominator,
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
)

-- int_indicators unites the indicator models by name, so substantiated may come last
select
    c.*,
    coalesce(v.justified, true) as substantiated
from cells as c
left join int_reason_verdicts as v
    on c.wave = v.wave and c.region_code = v.region_code and c.indicator_id = v.indicator_id
