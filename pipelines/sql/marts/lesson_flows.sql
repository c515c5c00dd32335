-- lesson_flows: who learns from whom (docs/learning.md). One edge per wave,
-- source region and taking region: the lessons the taking region recorded in
-- the wave with bron 'andere_regio' and overgenomen_van the source. A lesson
-- without overgenomen_van, or naming the region itself, has no edge (it still
-- counts in lesson_roles.n_taken_over). n_shared_by_source: of those lessons,
-- the ones on a characteristic the source shared via the virtual office in the
-- last three waves up to the wave (recommendation 7 at work).
with taken as (
    select * from int_lessons
    where taken_over and taken_from_region is not null and taken_from_region <> region_code
),

shared_by_source as (
    select distinct
        t.wave,
        t.region_code,
        t.lesson_id
    from taken as t
    inner join int_lessons as s
        on
            t.taken_from_region = s.region_code and t.characteristic = s.characteristic
            and s.shared_virtual_office and s.wave_rank between t.wave_rank - $lookback and t.wave_rank
)

select
    t.wave,
    t.taken_from_region as from_region,
    f.region_name as from_name,
    t.region_code as to_region,
    g.region_name as to_name,
    cast(count(*) as integer) as n_lessons,
    cast(count(*) filter (where t.followed_up) as integer) as n_followed_up,
    cast(count(s.lesson_id) as integer) as n_shared_by_source,
    string_agg(distinct t.characteristic, ', ' order by t.characteristic) as lesson_characteristics,
    string_agg(t.lesson_id, ', ' order by t.lesson_id) as lesson_ids,
    string_agg(t.lesson_line, ' | ' order by t.lesson_id) as lessons
from taken as t
left join shared_by_source as s on t.wave = s.wave and t.region_code = s.region_code and t.lesson_id = s.lesson_id
left join ref_regions as f on t.taken_from_region = f.region_code
left join ref_regions as g on t.region_code = g.region_code
group by t.wave, t.taken_from_region, f.region_name, t.region_code, g.region_name
order by t.wave, t.taken_from_region, t.region_code
