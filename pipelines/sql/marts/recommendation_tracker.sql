-- recommendation_tracker: per wave, region and recommendation 1..$n_recommendations:
-- 'aandacht' where any of its indicators is an unfavourable deviation,
-- 'onvoldoende_gegevens' where all of them are missing, else 'op_orde';
-- recommendations without a regional indicator are 'buiten_uitvraag'.
with recommendations as (
    select cast(r as integer) as recommendation
    from range(1, $n_recommendations + 1) as t (r)  -- noqa: AL05
),

grid as (
    select distinct
        wave,
        region_code
    from marts.variation_register
),

indicators as (
    select
        recommendation,
        string_agg(indicator_id, ', ' order by sort_order) as indicator_ids
    from int_indicator_definitions
    group by recommendation
),

verdicts as (
    select
        v.wave,
        v.region_code,
        d.recommendation,
        count(*) as n_indicators,
        count(*) filter (where v.verdict in ('afwijking_onderbouwd', 'afwijking_niet_onderbouwd')) as n_unfavourable,
        count(*) filter (where v.verdict = 'afwijking_niet_onderbouwd') as n_unjustified,
        count(*) filter (where v.verdict = 'afwijking_onderbouwd') as n_substantiated,
        count(*) filter (where v.verdict = 'onvoldoende_gegevens') as n_missing,
        string_agg(v.indicator_id, ', ' order by d.sort_order)
        filter (where v.verdict in ('afwijking_onderbouwd', 'afwijking_niet_onderbouwd')) as attention_indicators
    from marts.variation_register as v
    inner join int_indicator_definitions as d on v.indicator_id = d.indicator_id
    group by v.wave, v.region_code, d.recommendation
)

select
    g.wave,
    g.region_code,
    r.recommendation,
    case
        when i.recommendation is null then 'buiten_uitvraag'
        when v.n_unfavourable > 0 then 'aandacht'
        when v.n_missing = v.n_indicators then 'onvoldoende_gegevens'
        else 'op_orde'
    end as status,
    i.indicator_ids,
    v.n_unjustified,
    v.n_substantiated,
    v.n_missing,
    v.attention_indicators
from grid as g
cross join recommendations as r
left join indicators as i on r.recommendation = i.recommendation
left join verdicts as v
    on g.wave = v.wave and g.region_code = v.region_code and r.recommendation = v.recommendation
order by g.wave, g.region_code, r.recommendation
