-- Every deviating cell a region can explain (int_reason_cells) with what the
-- rules and the analyst's judgement make of its reason (docs/verdicts.md 5a):
-- the consecutive waves of the deviation and of the same text, the signals
-- (shared text, past years, contradiction) and the status. status is null
-- where the region gave no reason.
with rules as (
    select value as max_waves_in_row from ref_substantiation_rules
    where rule = 'max_waves_in_row'
),

cells as (
    select
        c.*,
        case
            when c.reason_given then nullif(trim(regexp_replace(lower(c.reason_text), '[^[:alnum:]]+', ' ', 'g')), '')
        end as text_key,
        c.wave_rank
        - row_number() over (
            partition by c.region_code, c.indicator_id, c.cell order by c.wave_rank
        ) as deviation_island
    from int_reason_cells as c
),

streaks as (
    select
        *,
        cast(row_number() over (
            partition by region_code, indicator_id, cell, deviation_island order by wave_rank
        ) as integer) as deviation_waves_in_row,
        wave_rank
        - row_number() over (
            partition by region_code, indicator_id, cell, text_key order by wave_rank
        ) as text_island
    from cells
),

texts as (
    select
        *,
        case when text_key is not null then first_value(wave) over (
            partition by region_code, indicator_id, cell, text_key order by wave_rank
        ) end as first_wave_same_text,
        case when text_key is not null then cast(row_number() over (
            partition by region_code, indicator_id, cell, text_key, text_island order by wave_rank
        ) as integer) end as waves_same_text_in_row
    from streaks
),

shared as (
    select
        wave,
        text_key,
        count(distinct region_code) as n_regions
    from cells
    where text_key is not null
    group by wave, text_key
),

named as (
    select
        wave,
        region_code,
        indicator_id,
        cell,
        module,
        reason_text,
        cast(unnest(list_distinct(regexp_extract_all(reason_text, '\b((?:19|20)[0-9][0-9])\b'))) as integer)
            as named_year
    from int_reason_cells
    where reason_given and reason_text is not null
),

past_years as (
    select
        wave,
        region_code,
        indicator_id,
        cell,
        string_agg(cast(named_year as varchar), ', ' order by named_year) as years_named_past
    from named
    where named_year < wave
    group by wave, region_code, indicator_id, cell
),

contradictions as (
    select
        n.wave,
        n.region_code,
        n.indicator_id,
        n.cell,
        string_agg(
            'de toelichting noemt ' || n.named_year || ' als jaar van beoefening, maar de oefeningen van '
            || n.named_year || ' bevatten geen oefening met deze bijzonderheid',
            '; ' order by n.named_year
        ) as contradiction
    from named as n
    inner join stg_module_loads as l
        on n.named_year = l.wave and n.region_code = l.region_code and l.module = 'oefeningen'
    where
        n.module = 'planvorming'
        and n.named_year <= n.wave
        and regexp_matches(lower(n.reason_text), '(beoefend|geoefend)')
        and not exists (
            select 1 from stg_exercises as e
            where
                e.wave = n.named_year and e.region_code = n.region_code
                and list_contains(e.characteristics_exercised, n.cell)
        )
    group by n.wave, n.region_code, n.indicator_id, n.cell
),

judged as (
    select
        wave,
        region_code,
        indicator_id,
        cell,
        judgement,
        motivation,
        judged_by,
        judged_on
    from ref_judgements
    where problem_rule is null
),

ruled as (
    select
        t.wave,
        t.wave_rank,
        t.region_code,
        t.indicator_id,
        t.cell,
        t.module,
        t.reason_given,
        t.reason_text,
        t.valid_until,
        t.text_key,
        t.first_wave_same_text,
        t.waves_same_text_in_row,
        t.deviation_waves_in_row,
        r.max_waves_in_row,
        p.years_named_past,
        c.contradiction,
        j.judgement,
        j.motivation as judgement_motivation,
        j.judged_by,
        j.judged_on,
        case
            when not t.reason_given then null
            when t.valid_until < t.wave then 'verlopen'
            when t.deviation_waves_in_row > r.max_waves_in_row then 'verlopen'
            else 'geldig'
        end as rule_status,
        case
            when not t.reason_given then null
            when t.valid_until < t.wave then 'geldig tot ' || t.valid_until
            when
                t.deviation_waves_in_row > r.max_waves_in_row
                then
                    'de afwijking bestaat al ' || t.deviation_waves_in_row || ' peiljaren op rij, langer dan de '
                    || r.max_waves_in_row || ' die een toelichting mag dragen'
            when t.deviation_waves_in_row = 1
                then
                    'eerste peiljaar van de afwijking'
                    || coalesce('; geldig tot ' || t.valid_until, '')
            else
                'peiljaar ' || t.deviation_waves_in_row || ' van de afwijking, van de ' || r.max_waves_in_row
                || ' die een toelichting mag dragen' || coalesce('; geldig tot ' || t.valid_until, '')
        end as rule_reason
    from texts as t
    cross join rules as r
    left join past_years as p
        on t.wave = p.wave and t.region_code = p.region_code and t.indicator_id = p.indicator_id and t.cell = p.cell
    left join contradictions as c
        on t.wave = c.wave and t.region_code = c.region_code and t.indicator_id = c.indicator_id and t.cell = c.cell
    left join judged as j
        on
            t.reason_given and t.wave = j.wave and t.region_code = j.region_code
            and t.indicator_id = j.indicator_id and t.cell = j.cell
)

select
    u.wave,
    u.wave_rank,
    u.region_code,
    u.indicator_id,
    u.cell,
    u.module,
    u.reason_given,
    u.reason_text,
    u.valid_until,
    u.first_wave_same_text,
    u.waves_same_text_in_row,
    u.deviation_waves_in_row,
    u.max_waves_in_row,
    u.years_named_past,
    u.contradiction,
    u.judgement,
    u.judgement_motivation,
    u.judged_by,
    u.judged_on,
    u.rule_status,
    u.rule_reason,
    case when u.text_key is not null then coalesce(s.n_regions, 1) - 1 end as n_other_regions_same_text,
    coalesce(u.judgement, u.rule_status) as status,
    case
        when not u.reason_given then 'geen toelichting'
        when u.judgement = 'aanvaard' then 'door de inspectie gewogen en aanvaard: ' || u.judgement_motivation
        when u.judgement = 'verworpen' then 'door de inspectie gewogen en verworpen: ' || u.judgement_motivation
        when u.rule_status = 'verlopen' then 'toelichting verlopen: ' || u.rule_reason
        else 'toelichting geldig: ' || u.rule_reason
    end as status_reason
from ruled as u
left join shared as s on u.wave = s.wave and u.text_key = s.text_key
