-- substantiation_register: one row per reason a region gave for a deviating cell
-- (int_reasons where a reason was given), with what the rules, the signals and the
-- analyst's judgement make of it (docs/verdicts.md 5a), and the verdict of the
-- indicator it was given for. Ordered by wave, region, indicator order, cell.
select
    r.wave,
    r.region_code,
    g.region_name,
    r.indicator_id,
    r.cell,
    r.module,
    r.reason_text,
    cast(r.valid_until as integer) as valid_until,
    r.first_wave_same_text,
    r.waves_same_text_in_row,
    cast(r.n_other_regions_same_text as integer) as n_other_regions_same_text,
    r.years_named_past,
    r.contradiction,
    r.deviation_waves_in_row,
    r.max_waves_in_row,
    r.rule_status,
    r.rule_reason,
    r.judgement,
    r.judgement_motivation,
    r.judged_by,
    r.judged_on,
    r.status,
    r.status_reason,
    v.verdict
from int_reasons as r
left join ref_regions as g on r.region_code = g.region_code
left join marts.variation_register as v
    on r.wave = v.wave and r.region_code = v.region_code and r.indicator_id = v.indicator_id
left join int_indicator_definitions as d on r.indicator_id = d.indicator_id
where r.reason_given
order by r.wave, r.region_code, d.sort_order, r.cell
