-- risk_probability: the region's self-assessed probability of an attack
-- (kans_score, 1-5). The expected score comes from the risk model; a deviation
-- on either side is substantiated where the risk assessment is (risk_ok).
select
    wave,
    region_code,
    'risk_probability' as indicator_id,
    cast(probability_score as double) as value,
    cast(null as double) as numerator,
    cast(null as double) as denominator,
    risk_ok as substantiated,
    case when risk_ok then 'risicobeoordeling onderbouwd en vastgesteld (' || risk_note || ')' end as substantiation,
    cast(null as varchar) as norm_source,
    risk_note as detail,
    cast(null as varchar) as window_waves,
    cast(null as integer) as n_window_waves
from int_risk_basis
where basis_wave = wave
