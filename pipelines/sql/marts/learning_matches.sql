-- learning_matches: for every unfavourable deviation (wave x region x indicator)
-- up to $max_matches regions to learn from (docs/learning.md): regions that are
-- conform or favourable on the indicator in the wave; the region's peers
-- (marts.region_peers) first, then the others; within each, those conform or
-- favourable in more of the last three waves first, a favourable deviation
-- before conform, then the nearest on the risk basis (int_region_distances),
-- then by code. Each with why it was chosen and the lessons it recorded in the
-- last three waves on the subject of the deviation (int_deviation_subjects).
with verdicts as (
    select
        v.wave,
        w.wave_rank,
        v.region_code,
        v.indicator_id,
        v.verdict,
        v.severity,
        v.persistent
    from marts.variation_register as v
    inner join int_waves as w on v.wave = w.wave
),

deviations as (
    select * from verdicts
    where verdict in ('afwijking_onderbouwd', 'afwijking_niet_onderbouwd')
),

-- per wave x region x indicator: in how many of the last three waves the region was conform or favourable
-- (a property of the candidate, computed once, not per deviation)
good as (
    select
        c.wave,
        c.region_code,
        c.indicator_id,
        c.verdict,
        count(*) filter (where h.verdict <> 'onvoldoende_gegevens') as n_waves_with_data,
        count(*) filter (where h.verdict in ('conform', 'gunstige_afwijking')) as n_good_waves,
        string_agg(cast(h.wave as varchar), ', ' order by h.wave)
        filter (where h.verdict in ('conform', 'gunstige_afwijking')) as good_waves
    from verdicts as c
    inner join verdicts as h
        on
            c.region_code = h.region_code and c.indicator_id = h.indicator_id
            and h.wave_rank between c.wave_rank - $lookback and c.wave_rank
    where c.verdict in ('conform', 'gunstige_afwijking')
    group by c.wave, c.region_code, c.indicator_id, c.verdict
),

-- the candidates: among the region's nearest regions on the risk basis (int_region_distances keeps the
-- nearest NEAREST_CONSIDERED; the peers are the first of them), those conform or favourable on the
-- indicator in the wave
candidates as (
    select
        d.wave,
        d.wave_rank,
        d.region_code,
        d.indicator_id,
        x.peer_code as match_code,
        c.verdict as match_verdict,
        x.distance,
        x.rank as distance_rank,
        c.n_good_waves,
        c.n_waves_with_data,
        c.good_waves
    from deviations as d
    inner join int_region_distances as x on d.wave = x.wave and d.region_code = x.region_code
    inner join good as c
        on d.wave = c.wave and x.peer_code = c.region_code and d.indicator_id = c.indicator_id

    union all
    -- a region without a complete risk basis in the wave has no distances: every region is a candidate
    select
        d.wave,
        d.wave_rank,
        d.region_code,
        d.indicator_id,
        c.region_code as match_code,
        c.verdict as match_verdict,
        null as distance,
        null as distance_rank,
        c.n_good_waves,
        c.n_waves_with_data,
        c.good_waves
    from deviations as d
    inner join good as c
        on d.wave = c.wave and d.indicator_id = c.indicator_id and d.region_code <> c.region_code
    where not exists (
        select 1 from int_region_distances as x
        where x.wave = d.wave and x.region_code = d.region_code
    )
),

subjects as (
    select
        s.wave,
        s.region_code,
        s.indicator_id,
        string_agg(s.characteristic, ', ' order by s.characteristic) as subject
    from int_deviation_subjects as s
    inner join deviations as d
        on s.wave = d.wave and s.region_code = d.region_code and s.indicator_id = d.indicator_id
    group by s.wave, s.region_code, s.indicator_id
),

ranked as (
    select
        c.*,
        p.rank as peer_rank,
        count(*) over (partition by c.wave, c.region_code, c.indicator_id) as n_candidates,
        row_number() over (
            partition by c.wave, c.region_code, c.indicator_id
            order by
                p.rank is null asc,
                c.n_good_waves desc,
                c.match_verdict = 'gunstige_afwijking' desc,
                c.distance asc nulls last,
                c.match_code asc
        ) as match_rank
    from candidates as c
    left join marts.region_peers as p
        on c.wave = p.wave and c.region_code = p.region_code and c.match_code = p.peer_code
),

chosen as (
    select * from ranked
    where match_rank <= $max_matches
),

lessons as (
    select
        c.wave,
        c.region_code,
        c.indicator_id,
        c.match_code,
        count(*) as n_lessons,
        count(*) filter (where l.shared_virtual_office) as n_lessons_shared,
        count(*) filter (where l.followed_up) as n_lessons_followed_up,
        string_agg(l.lesson_ref, ', ' order by l.wave desc, l.lesson_id asc) as lesson_refs,
        string_agg(l.lesson_line, ' | ' order by l.wave desc, l.lesson_id asc) as lessons
    from chosen as c
    inner join int_deviation_subjects as s
        on c.wave = s.wave and c.region_code = s.region_code and c.indicator_id = s.indicator_id
    inner join int_lessons as l
        on
            c.match_code = l.region_code and s.characteristic = l.characteristic
            and l.wave_rank between c.wave_rank - $lookback and c.wave_rank
    group by c.wave, c.region_code, c.indicator_id, c.match_code
)

select
    r.wave,
    r.region_code,
    g.region_name,
    r.indicator_id,
    d.verdict,
    d.severity,
    d.persistent,
    cast(r.match_rank as integer) as match_rank,
    r.match_code,
    m.region_name as match_name,
    r.match_verdict,
    r.peer_rank,
    r.distance,
    r.distance_rank,
    cast(r.n_good_waves as integer) as n_good_waves,
    cast(r.n_waves_with_data as integer) as n_waves_with_data,
    r.good_waves,
    cast(r.n_candidates as integer) as n_candidates,
    case
        when r.peer_rank is not null
            then
                'een van de ' || cast($n_peers as varchar) || ' meest gelijkende regio''s op het risicoprofiel (nr. '
                || cast(r.peer_rank as varchar) || ', afstand ' || replace(printf('%.2f', r.distance), '.', ',') || ')'
        when r.distance is not null
            then
                'nr. ' || cast(r.distance_rank as varchar) || ' op het risicoprofiel (afstand '
                || replace(printf('%.2f', r.distance), '.', ',') || ')'
        else 'geen afstand op het risicoprofiel (geen volledig risicoprofiel in ' || cast(r.wave as varchar) || ')'
    end
    || '; in ' || cast(r.wave as varchar) || ' '
    || case when r.match_verdict = 'gunstige_afwijking' then 'gunstig afwijkend' else 'conform' end
    || ', conform of gunstig in ' || cast(r.n_good_waves as varchar) || ' van de '
    || cast(r.n_waves_with_data as varchar) || ' peiljaren met een oordeel in de laatste drie ('
    || r.good_waves || ')' as why,
    j.subject,
    cast(coalesce(l.n_lessons, 0) as integer) as n_lessons,
    cast(coalesce(l.n_lessons_shared, 0) as integer) as n_lessons_shared,
    cast(coalesce(l.n_lessons_followed_up, 0) as integer) as n_lessons_followed_up,
    l.lesson_refs,
    l.lessons
from chosen as r
inner join deviations as d
    on r.wave = d.wave and r.region_code = d.region_code and r.indicator_id = d.indicator_id
left join subjects as j
    on r.wave = j.wave and r.region_code = j.region_code and r.indicator_id = j.indicator_id
left join lessons as l
    on
        r.wave = l.wave and r.region_code = l.region_code
        and r.indicator_id = l.indicator_id and r.match_code = l.match_code
left join ref_regions as g on r.region_code = g.region_code
left join ref_regions as m on r.match_code = m.region_code
left join int_indicator_definitions as i on r.indicator_id = i.indicator_id
order by r.wave, r.region_code, i.sort_order, r.match_rank
