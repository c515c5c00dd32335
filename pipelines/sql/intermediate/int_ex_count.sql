-- ex_count: exercises with a terrorist scenario held in the wave year, for every
-- region with the module 'oefeningen' in use (0 where it sent an empty sheet).
-- No reason can justify a deviation: the risk assessment is the basis of the
-- expected count, not a reason to fall short of it (docs/verdicts.md 5a).
with loaded as (
    select
        wave,
        region_code
    from stg_module_loads
    where module = 'oefeningen'
),

counts as (
    select
        wave,
        region_code,
        count(*) as n_exercises
    from stg_exercises
    group by wave, region_code
)

select
    l.wave,
    l.region_code,
    'ex_count' as indicator_id,
    cast(coalesce(c.n_exercises, 0) as double) as value,
    cast(coalesce(c.n_exercises, 0) as double) as numerator,
    cast(null as double) as denominator,
    false as substantiated,
    cast(null as varchar) as substantiation,
    cast(null as varchar) as norm_source,
    case
        when b.basis_wave is null then 'geen risicobeoordeling in gebruik'
        else b.risk_note
    end as detail,
    cast(null as varchar) as window_waves,
    cast(null as integer) as n_window_waves
from loaded as l
left join counts as c on l.wave = c.wave and l.region_code = c.region_code
left join int_risk_basis as b on l.wave = b.wave and l.region_code = b.region_code
