-- The exercises of the last three waves (this wave and the two before it, as far
-- as the region has the module 'oefeningen' in use), one row per exercise, for
-- every wave x region with 'oefeningen' in use in that wave.
select
    w.wave,
    w.region_code,
    w.source_wave,
    w.n_window_waves,
    w.window_waves,
    e.exercise_id,
    e.level,
    e.with_national_crisis_org,
    e.characteristics_exercised
from int_wave_windows as w
left join stg_exercises as e
    on w.source_wave = e.wave and w.region_code = e.region_code
where w.module = 'oefeningen'
