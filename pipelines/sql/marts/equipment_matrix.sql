-- equipment_matrix: every region's availability per role and item against the
-- norm. below_norm counts towards equipment_parity; above_norm is shown only.
select
    wave,
    region_code,
    discipline,
    role,
    item,
    level,
    norm_level,
    norm_source,
    below_norm,
    substantiation,
    above_norm,
    level_rank,
    norm_rank,
    norm_basis
from int_equipment_cells
order by wave, region_code, discipline, role, item
