-- ring_model_matrix: every region's access per zone and discipline against the
-- norm. Any difference counts (deviates), whichever way.
select
    wave,
    region_code,
    zone,
    discipline,
    access,
    norm_access,
    norm_source,
    deviates,
    substantiation,
    deviation_direction,
    norm_basis
from int_ring_model_cells
order by wave, region_code, zone, discipline
