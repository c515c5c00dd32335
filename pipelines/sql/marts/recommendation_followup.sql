-- recommendation_followup: per wave, region and recommendation the course of
-- its status (marts.recommendation_tracker) over the waves up to this one, the
-- change against the wave before (status_change) (int_waves): 'verbeterd' (aandacht to op_orde),
-- 'verslechterd' (op_orde to aandacht), 'ongewijzigd', 'geen_gegevens' (no wave
-- before, or either without data; null for recommendations outside the
-- survey), and the national count of regions per status in the wave
-- (docs/learning.md).
with tracker as (
    select
        t.wave,
        w.wave_rank,
        t.region_code,
        t.recommendation,
        t.status
    from marts.recommendation_tracker as t
    inner join int_waves as w on t.wave = w.wave
),

history as (
    select
        t.wave,
        t.region_code,
        t.recommendation,
        count(*) filter (where h.status = 'op_orde') as n_waves_op_orde,
        count(*) filter (where h.status = 'aandacht') as n_waves_aandacht,
        string_agg(cast(h.wave as varchar) || ': ' || h.status, '; ' order by h.wave) as course
    from tracker as t
    inner join tracker as h
        on t.region_code = h.region_code and t.recommendation = h.recommendation and t.wave_rank >= h.wave_rank
    group by t.wave, t.region_code, t.recommendation
),

national as (
    select
        wave,
        recommendation,
        count(*) filter (where status = 'op_orde') as n_regions_op_orde,
        count(*) filter (where status = 'aandacht') as n_regions_aandacht,
        count(*) filter (where status = 'onvoldoende_gegevens') as n_regions_missing
    from tracker
    group by wave, recommendation
)

select
    t.wave,
    t.region_code,
    g.region_name,
    t.recommendation,
    t.status,
    p.wave as previous_wave,
    p.status as previous_status,
    case
        when t.status = 'buiten_uitvraag' then null
        when p.status is null then 'geen_gegevens'
        when p.status not in ('op_orde', 'aandacht') or t.status not in ('op_orde', 'aandacht') then 'geen_gegevens'
        when p.status = 'aandacht' and t.status = 'op_orde' then 'verbeterd'
        when p.status = 'op_orde' and t.status = 'aandacht' then 'verslechterd'
        else 'ongewijzigd'
    end as status_change,
    cast(h.n_waves_op_orde as integer) as n_waves_op_orde,
    cast(h.n_waves_aandacht as integer) as n_waves_aandacht,
    h.course,
    cast(n.n_regions_op_orde as integer) as n_regions_op_orde,
    cast(n.n_regions_aandacht as integer) as n_regions_aandacht,
    cast(n.n_regions_missing as integer) as n_regions_missing
from tracker as t
left join tracker as p
    on t.region_code = p.region_code and t.recommendation = p.recommendation and p.wave_rank = t.wave_rank - 1
inner join history as h
    on t.wave = h.wave and t.region_code = h.region_code and t.recommendation = h.recommendation
inner join national as n on t.wave = n.wave and t.recommendation = n.recommendation
left join ref_regions as g on t.region_code = g.region_code
order by t.wave, t.region_code, t.recommendation
