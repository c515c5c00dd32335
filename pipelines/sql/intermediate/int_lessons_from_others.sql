-- lessons_from_others: lessons taken over from another region (bron =
-- 'andere_regio') in the last three waves. Uniform norm: at least 1.
-- numerator = such lessons, denominator = all lessons in the window.
with windows as (
    select
        wave,
        region_code,
        source_wave,
        window_waves,
        n_window_waves
    from int_wave_windows
    where module = 'lessen'
)

select
    w.wave,
    w.region_code,
    'lessons_from_others' as indicator_id,
    cast(count(*) filter (where s.source = 'andere_regio') as double) as value,
    cast(count(*) filter (where s.source = 'andere_regio') as double) as numerator,
    cast(count(s.lesson_id) as double) as denominator,
    false as substantiated,
    cast(null as varchar) as substantiation,
    cast(null as varchar) as norm_source,
    string_agg(distinct s.taken_from_region, ', ' order by s.taken_from_region)
    filter (where s.source = 'andere_regio') as detail,
    any_value(w.window_waves) as window_waves,
    any_value(w.n_window_waves) as n_window_waves
from windows as w
left join stg_lessons as s on w.source_wave = s.wave and w.region_code = s.region_code
group by w.wave, w.region_code
