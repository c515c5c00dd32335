-- equipment_matrix: every region's availability per role and item against the
-- norm. below_norm counts towards equipment_parity; above_norm is shown only.
-- reason_status: what the rules and judgements make of the cell's reason (int_reasons).
select
    c.wave,
    c.region_code,
    c.discipline,
    c.role,
    c.item,
    c.level,
    c.norm_level,
    c.norm_source,
    c.below_norm,
    c.substantiation,
    c.above_norm,
    c.level_rank,
    c.norm_rank,
    c.norm_basis,
    r.status as reason_status,
    r.status_reason as reason_status_reason
from int_equipment_cells as c
left join int_reasons as r
    on
        c.wave = r.wave and c.region_code = r.region_code and r.module = 'middelen'
        and c.role || '/' || c.item = r.cell and r.reason_given
order by c.wave, c.region_code, c.discipline, c.role, c.item
