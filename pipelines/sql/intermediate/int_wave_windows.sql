-- For every module a region has in use in a wave: the waves of the window "this
-- wave and the $lookback before it" in which the region has that module in use.
-- A region with fewer waves uses what it has; n_window_waves says how many.
with loaded as (
    select
        l.module,
        l.wave,
        l.region_code,
        w.wave_rank
    from stg_module_loads as l
    inner join int_waves as w on l.wave = w.wave
),

pairs as (
    select
        t.module,
        t.wave,
        t.region_code,
        s.wave as source_wave
    from loaded as t
    inner join loaded as s
        on
            t.module = s.module
            and t.region_code = s.region_code
            and s.wave_rank between t.wave_rank - $lookback and t.wave_rank
),

labelled as (
    select
        module,
        wave,
        region_code,
        cast(count(*) as integer) as n_window_waves,
        string_agg(cast(source_wave as varchar), ', ' order by source_wave) as window_waves
    from pairs
    group by module, wave, region_code
)

select
    p.module,
    p.wave,
    p.region_code,
    p.source_wave,
    l.n_window_waves,
    l.window_waves
from pairs as p
inner join labelled as l
    on p.module = l.module and p.wave = l.wave and p.region_code = l.region_code
