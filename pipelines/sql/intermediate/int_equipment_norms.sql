-- The equipment norm per wave, role and item. Where the analysts' norm file
-- (ref_equipment_norms) leaves a cell empty, the national mode of the wave's
-- returns is the norm (norm_source 'modaal'); on a tie the higher availability
-- wins, as that is the more protective choice.
with returns as (
    select
        e.wave,
        e.discipline,
        e.role,
        e.item,
        e.availability
    from stg_equipment as e
    inner join stg_module_loads as l
        on e.wave = l.wave and e.region_code = l.region_code and l.module = 'middelen'
),

tally as (
    select
        t.wave,
        t.discipline,
        t.role,
        t.item,
        t.availability,
        lv.level as availability_level,
        count(*) as n_regions,
        sum(count(*)) over (partition by t.wave, t.discipline, t.role, t.item) as n_returns
    from returns as t
    inner join int_catalogue_levels as lv on lv.catalogue = 'beschikbaarheid' and t.availability = lv.code
    group by t.wave, t.discipline, t.role, t.item, t.availability, lv.level
),

modal as (
    select *
    from tally
    qualify row_number() over (
        partition by wave, discipline, role, item order by n_regions desc, availability_level desc
    ) = 1
)

select
    w.wave,
    n.discipline,
    n.role,
    n.item,
    coalesce(n.norm_level, m.availability) as norm_level,
    coalesce(nl.level, m.availability_level) as norm_rank,
    case
        when n.norm_level is not null then 'vastgesteld'
        when m.availability is not null then 'modaal'
    end as norm_source,
    case
        when n.norm_level is not null then coalesce(nullif(trim(n.source), ''), 'normbestand')
        when m.availability is not null then
            'meest voorkomende beschikbaarheid in '
            || w.wave
            || ': '
            || m.n_regions
            || ' van '
            || m.n_returns
            || ' regio''s'
    end as norm_basis
from int_waves as w
cross join ref_equipment_norms as n
left join int_catalogue_levels as nl on nl.catalogue = 'beschikbaarheid' and n.norm_level = nl.code
left join modal as m
    on w.wave = m.wave and n.discipline = m.discipline and n.role = m.role and n.item = m.item
