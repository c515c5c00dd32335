-- A region's availability per role and item against the norm. Cells below the
-- norm count; cells above it are shown (above_norm) but never flagged.
select
    e.wave,
    e.region_code,
    e.discipline,
    e.role,
    e.item,
    e.availability as level,
    lv.level as level_rank,
    n.norm_level,
    n.norm_rank,
    n.norm_source,
    n.norm_basis,
    coalesce(lv.level < n.norm_rank, false) as below_norm,
    coalesce(lv.level > n.norm_rank, false) as above_norm,
    nullif(trim(e.deviation_note), '') as substantiation,
    e.valid_until
from stg_equipment as e
inner join stg_module_loads as l
    on e.wave = l.wave and e.region_code = l.region_code and l.module = 'middelen'
left join int_catalogue_levels as lv on lv.catalogue = 'beschikbaarheid' and e.availability = lv.code
left join int_equipment_norms as n
    on e.wave = n.wave and e.discipline = n.discipline and e.role = n.role and e.item = n.item
