-- lesson_roles: per wave and region its part in the exchange of lessons
-- (docs/learning.md): lessons shared via the virtual office, taken over from
-- other regions, and taken over from it by others, and a role: 'deelt' (shared
-- via the virtual office, or another region took a lesson over from it),
-- 'neemt_over' (took a lesson over), 'beide', 'geen'; 'onvoldoende_gegevens'
-- where its module 'lessen' is not in use in the wave. previous_role: the role
-- in the wave before (int_waves).
with grid as (
    select distinct
        v.wave,
        w.wave_rank,
        v.region_code
    from marts.variation_register as v
    inner join int_waves as w on v.wave = w.wave
),

in_use as (
    select
        wave,
        region_code
    from stg_module_loads
    where module = 'lessen'
),

own as (
    select
        wave,
        region_code,
        count(*) as n_lessons,
        count(*) filter (where shared_virtual_office) as n_shared_virtual_office,
        count(*) filter (where taken_over) as n_taken_over,
        count(*) filter (where followed_up) as n_followed_up,
        string_agg(distinct taken_from_region, ', ' order by taken_from_region)
        filter (where taken_over and taken_from_region <> region_code) as taken_from
    from int_lessons
    group by wave, region_code
),

given as (
    select
        wave,
        from_region as region_code,
        sum(n_lessons) as n_taken_by_others,
        string_agg(to_region, ', ' order by to_region) as taken_by
    from marts.lesson_flows
    group by wave, from_region
),

counted as (
    select
        g.wave,
        g.wave_rank,
        g.region_code,
        u.wave is not null as in_use,
        coalesce(o.n_lessons, 0) as n_lessons,
        coalesce(o.n_shared_virtual_office, 0) as n_shared_virtual_office,
        coalesce(o.n_taken_over, 0) as n_taken_over,
        coalesce(o.n_followed_up, 0) as n_followed_up,
        coalesce(b.n_taken_by_others, 0) as n_taken_by_others,
        o.taken_from,
        b.taken_by
    from grid as g
    left join in_use as u on g.wave = u.wave and g.region_code = u.region_code
    left join own as o on g.wave = o.wave and g.region_code = o.region_code
    left join given as b on g.wave = b.wave and g.region_code = b.region_code
),

labelled as (
    select
        *,
        case
            when not in_use then 'onvoldoende_gegevens'
            when (n_shared_virtual_office > 0 or n_taken_by_others > 0) and n_taken_over > 0 then 'beide'
            when n_shared_virtual_office > 0 or n_taken_by_others > 0 then 'deelt'
            when n_taken_over > 0 then 'neemt_over'
            else 'geen'
        end as role
    from counted
)

select
    l.wave,
    l.region_code,
    r.region_name,
    l.role,
    case when l.in_use then cast(l.n_lessons as integer) end as n_lessons,
    case when l.in_use then cast(l.n_shared_virtual_office as integer) end as n_shared_virtual_office,
    case when l.in_use then cast(l.n_taken_over as integer) end as n_taken_over,
    cast(l.n_taken_by_others as integer) as n_taken_by_others,
    case when l.in_use then cast(l.n_followed_up as integer) end as n_followed_up,
    l.taken_from,
    l.taken_by,
    p.role as previous_role
from labelled as l
left join ref_regions as r on l.region_code = r.region_code
left join labelled as p on l.region_code = p.region_code and p.wave_rank = l.wave_rank - 1
order by l.wave, l.region_code
