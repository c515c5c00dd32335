-- region_scorecard: per wave and region, how many indicators have which verdict.
select
    wave,
    region_code,
    any_value(region_name) as region_name,
    count(*) as n_indicators,
    count(*) filter (where verdict = 'conform') as n_conform,
    count(*) filter (where verdict = 'gunstige_afwijking') as n_favourable,
    count(*) filter (where verdict = 'afwijking_niet_onderbouwd') as n_unjustified,
    count(*) filter (where verdict = 'afwijking_onderbouwd') as n_substantiated,
    count(*) filter (where verdict = 'onvoldoende_gegevens') as n_missing,
    count(*) filter (where signal_95 is not null) as n_signal_95,
    string_agg(indicator_id, ', ' order by recommendation, indicator_id)
    filter (where verdict = 'afwijking_niet_onderbouwd') as unjustified_indicators
from marts.variation_register
group by wave, region_code
order by wave, region_code
