-- deviation_followup: plan-do-check-act (docs/learning.md). For every
-- unfavourable deviation (wave x region x indicator) what became of it in the
-- next wave of the warehouse (int_waves), first rule that applies:
-- 'geen_gegevens' (no next wave, or no verdict there), 'opgelost' (conform or
-- favourable), 'verslechterd' (a substantiated deviation no longer
-- substantiated, or severity at least $worsened_ratio times as high),
-- 'onderbouwd' (a deviation with a reason that counts), else 'aanhoudend'.
-- With what the region recorded in between: its lessons of the next wave on the
-- subject of the deviation (int_deviation_subjects), which of them it took over
-- from a region learning_matches named for the deviation, and its reasons of
-- the next wave for the indicator (marts.substantiation_register).
with verdicts as (
    select
        v.wave,
        w.wave_rank,
        v.region_code,
        v.indicator_id,
        v.verdict,
        v.severity,
        v.persistent,
        v.reason_status
    from marts.variation_register as v
    inner join int_waves as w on v.wave = w.wave
),

followed as (
    select
        d.wave,
        d.wave_rank,
        d.region_code,
        d.indicator_id,
        d.verdict,
        d.severity,
        d.persistent,
        n.wave as next_wave,
        n.verdict as next_verdict,
        n.severity as next_severity,
        n.reason_status as next_reason_status
    from verdicts as d
    left join verdicts as n
        on d.region_code = n.region_code and d.indicator_id = n.indicator_id and n.wave_rank = d.wave_rank + 1
    where d.verdict in ('afwijking_onderbouwd', 'afwijking_niet_onderbouwd')
),

lessons as (
    select
        f.wave,
        f.region_code,
        f.indicator_id,
        count(*) as n_lessons,
        count(*) filter (where l.taken_over) as n_taken_over,
        count(*) filter (where l.followed_up) as n_followed_up,
        count(*) filter (where l.taken_over and m.match_code is not null) as n_from_matches,
        string_agg(distinct l.taken_from_region, ', ' order by l.taken_from_region)
        filter (where l.taken_over) as taken_from,
        string_agg(l.lesson_id, ', ' order by l.lesson_id) as lesson_ids,
        string_agg(l.lesson_line, ' | ' order by l.lesson_id) as lessons
    from followed as f
    inner join int_deviation_subjects as s
        on f.wave = s.wave and f.region_code = s.region_code and f.indicator_id = s.indicator_id
    inner join int_lessons as l
        on f.next_wave = l.wave and f.region_code = l.region_code and s.characteristic = l.characteristic
    left join marts.learning_matches as m
        on
            f.wave = m.wave and f.region_code = m.region_code and f.indicator_id = m.indicator_id
            and l.taken_from_region = m.match_code
    group by f.wave, f.region_code, f.indicator_id
),

all_lessons as (
    select
        wave,
        region_code,
        count(*) as n_lessons
    from int_lessons
    group by wave, region_code
),

reasons as (
    select
        f.wave,
        f.region_code,
        f.indicator_id,
        count(*) as n_reasons,
        string_agg(
            r.cell || ': ' || r.status || coalesce(' (' || r.reason_text || ')', ''), '; ' order by r.cell
        ) as reasons
    from followed as f
    inner join marts.substantiation_register as r
        on f.next_wave = r.wave and f.region_code = r.region_code and f.indicator_id = r.indicator_id
    group by f.wave, f.region_code, f.indicator_id
)

select
    f.wave,
    f.region_code,
    g.region_name,
    f.indicator_id,
    i.recommendation,
    f.verdict,
    f.severity,
    f.persistent,
    f.next_wave,
    f.next_verdict,
    f.next_severity,
    case
        when f.next_verdict is null or f.next_verdict = 'onvoldoende_gegevens' then 'geen_gegevens'
        when f.next_verdict in ('conform', 'gunstige_afwijking') then 'opgelost'
        when
            (f.verdict = 'afwijking_onderbouwd' and f.next_verdict = 'afwijking_niet_onderbouwd')
            or coalesce(f.next_severity >= $worsened_ratio * f.severity, false)
            then 'verslechterd'
        when f.next_verdict = 'afwijking_onderbouwd' then 'onderbouwd'
        else 'aanhoudend'
    end as followup_status,
    f.next_reason_status,
    case when u.wave is not null then cast(coalesce(l.n_lessons, 0) as integer) end as n_lessons_on_subject,
    case when u.wave is not null then cast(coalesce(l.n_taken_over, 0) as integer) end as n_taken_over,
    case when u.wave is not null then cast(coalesce(l.n_from_matches, 0) as integer) end as n_from_matches,
    case when u.wave is not null then cast(coalesce(l.n_followed_up, 0) as integer) end as n_followed_up,
    case when u.wave is not null then cast(coalesce(a.n_lessons, 0) as integer) end as n_lessons_next_wave,
    l.taken_from,
    l.lesson_ids,
    l.lessons,
    cast(coalesce(r.n_reasons, 0) as integer) as n_reasons,
    r.reasons
from followed as f
left join lessons as l on f.wave = l.wave and f.region_code = l.region_code and f.indicator_id = l.indicator_id
left join all_lessons as a on f.next_wave = a.wave and f.region_code = a.region_code
left join stg_module_loads as u on f.next_wave = u.wave and f.region_code = u.region_code and u.module = 'lessen'
left join reasons as r on f.wave = r.wave and f.region_code = r.region_code and f.indicator_id = r.indicator_id
left join ref_regions as g on f.region_code = g.region_code
left join int_indicator_definitions as i on f.indicator_id = i.indicator_id
order by f.wave, f.region_code, i.sort_order
