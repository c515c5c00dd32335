-- A region's access per zone and discipline against the norm. Any difference
-- counts: more access endangers responders, less access withholds help.
select
    r.wave,
    r.region_code,
    r.zone,
    r.discipline,
    r.access,
    lv.level as access_level,
    n.norm_access,
    n.norm_level,
    n.norm_source,
    n.norm_basis,
    (r.access is distinct from n.norm_access) as deviates,
    case
        when lv.level > n.norm_level then 'meer toegang'
        when lv.level < n.norm_level then 'minder toegang'
    end as deviation_direction,
    nullif(trim(r.deviation_note), '') as substantiation,
    r.valid_until
from stg_ring_model as r
inner join stg_module_loads as l
    on r.wave = l.wave and r.region_code = l.region_code and l.module = 'ringenmodel'
left join int_catalogue_levels as lv on lv.catalogue = 'toegang' and r.access = lv.code
left join int_ring_model_norms as n
    on r.wave = n.wave and r.zone = n.zone and r.discipline = n.discipline
