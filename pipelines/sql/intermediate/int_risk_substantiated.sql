-- risk_substantiated: the risk assessment of the wave uses a method other than
-- 'geen', has a written substantiation and was adopted by the board (1) or not (0).
-- Uniform norm: yes. No substantiation can justify a deviation here.
select
    wave,
    region_code,
    'risk_substantiated' as indicator_id,
    case when risk_ok then 1.0 else 0.0 end as value,
    case when risk_ok then 1.0 else 0.0 end as numerator,
    1.0 as denominator,
    false as substantiated,
    cast(null as varchar) as substantiation,
    cast(null as varchar) as norm_source,
    risk_note as detail,
    cast(null as varchar) as window_waves,
    cast(null as integer) as n_window_waves
from int_risk_basis
where basis_wave = wave
