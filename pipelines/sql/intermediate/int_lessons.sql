-- Every lesson of a region whose module 'lessen' is in use in the wave, with the
-- rank of its wave (int_waves, so that "the last three waves" skips no wave of
-- the warehouse) and one Dutch line the learning marts list: wave,
-- characteristic, description, how it was shared, its follow-up and where it
-- was taken from (docs/learning.md). A lesson id is unique per region and wave
-- only: lesson_ref ('<wave>/<lesson id>') names a lesson of a region.
select
    l.wave,
    w.wave_rank,
    l.region_code,
    l.lesson_id,
    cast(l.wave as varchar) || '/' || l.lesson_id as lesson_ref,
    l.source,
    l.characteristic,
    l.description,
    l.shared_via,
    l.follow_up,
    l.taken_from_region,
    coalesce(l.shared_via = 'virtueel_kantoor', false) as shared_virtual_office,
    coalesce(l.follow_up = 'uitgevoerd', false) as followed_up,
    coalesce(l.source = 'andere_regio', false) as taken_over,
    cast(l.wave as varchar) || ', ' || replace(l.characteristic, '_', ' ') || ': '
    || coalesce(trim(l.description), '') || ' (gedeeld: ' || replace(coalesce(l.shared_via, 'onbekend'), '_', ' ')
    || '; opvolging: ' || replace(coalesce(l.follow_up, 'onbekend'), '_', ' ')
    || coalesce('; overgenomen van ' || l.taken_from_region, '') || ')' as lesson_line
from stg_lessons as l
inner join stg_module_loads as m
    on l.wave = m.wave and l.region_code = m.region_code and m.module = 'lessen'
inner join int_waves as w on l.wave = w.wave
