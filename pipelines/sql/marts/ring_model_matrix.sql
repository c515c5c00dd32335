-- ring_model_matrix: every region's access per zone and discipline against the
-- norm. Any difference counts (deviates), whichever way. reason_status: what the
-- rules and judgements make of the cell's reason (int_reasons).
select
    c.wave,
    c.region_code,
    c.zone,
    c.discipline,
    c.access,
    c.norm_access,
    c.norm_source,
    c.deviates,
    c.substantiation,
    c.deviation_direction,
    c.norm_basis,
    r.status as reason_status,
    r.status_reason as reason_status_reason
from int_ring_model_cells as c
left join int_reasons as r
    on
        c.wave = r.wave and c.region_code = r.region_code and r.module = 'ringenmodel'
        and c.zone || '/' || c.discipline = r.cell and r.reason_given
order by c.wave, c.region_code, c.zone, c.discipline
