-- The ring-model norm per wave, zone and discipline. Where the analysts' norm
-- file (ref_ring_model_norms) leaves a cell empty, the national mode of the
-- wave's returns is the norm (norm_source 'modaal'); on a tie the lower access
-- wins, as less access is the more protective choice for responders.
with returns as (
    select
        r.wave,
        r.zone,
        r.discipline,
        r.access
    from stg_ring_model as r
    inner join stg_module_loads as l
        on r.wave = l.wave and r.region_code = l.region_code and l.module = 'ringenmodel'
),

tally as (
    select
        t.wave,
        t.zone,
        t.discipline,
        t.access,
        lv.level as access_level,
        count(*) as n_regions,
        sum(count(*)) over (partition by t.wave, t.zone, t.discipline) as n_returns
    from returns as t
    inner join int_catalogue_levels as lv on lv.catalogue = 'toegang' and t.access = lv.code
    group by t.wave, t.zone, t.discipline, t.access, lv.level
),

modal as (
    select *
    from tally
    qualify row_number() over (
        partition by wave, zone, discipline order by n_regions desc, access_level asc
    ) = 1
)

select
    w.wave,
    n.zone,
    n.discipline,
    coalesce(n.norm_access, m.access) as norm_access,
    coalesce(nl.level, m.access_level) as norm_level,
    case
        when n.norm_access is not null then 'vastgesteld'
        when m.access is not null then 'modaal'
    end as norm_source,
    case
        when n.norm_access is not null then coalesce(nullif(trim(n.source), ''), 'normbestand')
        when m.access is not null then
            'meest voorkomende toegang in ' || w.wave || ': ' || m.n_regions || ' van ' || m.n_returns || ' regio''s'
    end as norm_basis
from int_waves as w
cross join ref_ring_model_norms as n
left join int_catalogue_levels as nl on nl.catalogue = 'toegang' and n.norm_access = nl.code
left join modal as m on w.wave = m.wave and n.zone = m.zone and n.discipline = m.discipline
