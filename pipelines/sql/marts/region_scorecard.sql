-- region_scorecard: per wave and region, how many indicators have which verdict,
-- and the severity-weighted score of the unfavourable ones (each capped at
-- $severity_cap, pipelines/engine/severity.py) so the overview can rank by either.
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
    filter (where verdict = 'afwijking_niet_onderbouwd') as unjustified_indicators,
    coalesce(
        sum(least(severity, $severity_cap))
        filter (where verdict in ('afwijking_onderbouwd', 'afwijking_niet_onderbouwd')), 0
    ) as severity_score,
    coalesce(sum(least(severity, $severity_cap)) filter (where verdict = 'afwijking_niet_onderbouwd'), 0)
        as severity_score_unjustified,
    count(*) filter (where persistent) as n_persistent
from marts.variation_register
group by wave, region_code
order by wave, region_code
