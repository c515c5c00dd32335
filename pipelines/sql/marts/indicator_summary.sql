-- indicator_summary: per wave and indicator, the national picture. The spread
-- (min .. max, fold_variation) is of the register's value: O/E for ex_count,
-- the proportion for the national proportions, the value itself otherwise.
-- phi and tau2 are estimated after winsorising the z-scores 10% per side (with
-- 25 regions two or three regions per side); `note` says how many.
-- The size of the variation and the method-against-risk test come from
-- int_variation_size (pipelines/engine/spread.py).
with register as (
    select * from marts.variation_register
),

spread as (
    select
        wave,
        indicator_id,
        count(value) as n_regions,
        min(value) as min_value,
        quantile_cont(value, 0.25) as p25,
        median(value) as median_value,
        quantile_cont(value, 0.75) as p75,
        max(value) as max_value,
        count(*) filter (where verdict in ('afwijking_onderbouwd', 'afwijking_niet_onderbouwd')) as n_unfavourable,
        count(*) filter (where verdict = 'afwijking_niet_onderbouwd') as n_unjustified,
        count(*) filter (where verdict = 'afwijking_onderbouwd') as n_substantiated,
        count(*) filter (where verdict = 'gunstige_afwijking') as n_favourable,
        count(*) filter (where verdict = 'onvoldoende_gegevens') as n_missing,
        count(*) filter (where signal_95 is not null) as n_signal_95,
        count(*) filter (where persistent) as n_persistent
    from register
    group by wave, indicator_id
)

select
    s.wave,
    s.indicator_id,
    s.n_regions,
    w.national_value,
    s.min_value as min,
    s.p25,
    s.median_value as median,
    s.p75,
    s.max_value as max,
    case when s.min_value > 0 then s.max_value / s.min_value end as fold_variation,
    w.phi,
    w.tau2,
    w.r2_risk,
    w.r2_method,
    s.n_unfavourable,
    s.n_unjustified,
    d.domain,
    d.norm_type,
    d.polarity,
    w.target,
    w.overdispersed,
    w.n_trimmed_low,
    w.n_trimmed_high,
    w.residual_sd,
    w.n_model_waves,
    w.expectation_weak,
    s.n_favourable,
    s.n_substantiated,
    s.n_missing,
    s.n_signal_95,
    w.note,
    z.n_tests,
    z.expected_false_alarms,
    z.p90_p10_ratio,
    z.scv,
    z.tau2_natural,
    z.n_methods,
    z.adj_r2_method,
    z.adj_r2_risk,
    z.r2_full,
    z.f_method_given_risk,
    z.p_method_given_risk,
    z.f_risk_given_method,
    z.p_risk_given_method,
    w.overdispersion_method,
    w.n_outside_998,
    w.alternative_method,
    w.phi_alternative,
    w.tau2_alternative,
    w.n_outside_998_alternative,
    s.n_persistent
from spread as s
inner join int_indicator_definitions as d on s.indicator_id = d.indicator_id
left join int_wave_statistics as w on s.wave = w.wave and s.indicator_id = w.indicator_id
left join int_variation_size as z on s.wave = z.wave and s.indicator_id = z.indicator_id
order by s.wave, d.sort_order
