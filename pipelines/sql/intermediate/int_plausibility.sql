-- Plausibility warnings (docs/plausibility.md): a return that passed every check
-- of the codebook but is implausible against the region's own previous returns,
-- or contradicts itself. One row per warning, with where it is (the module's file
-- and sheet; for a contradiction the row and column as Excel numbers them), the
-- rule (pipelines/contract/plausibility.py), what was found (finding) and the
-- message for the problems mart. The bounds are the analyst's, in
-- ref_plausibility_rules (data/reference/plausibility_rules.csv). A warning never
-- rejects a module and never changes a verdict. "Previous returns" are the waves
-- in which the region's module was loaded, so a wave the region did not send is
-- skipped, not counted as empty.
with rules as (
    select
        max(value) filter (where rule = 'previous_returns') as previous_returns,
        max(value) filter (where rule = 'min_previous_returns') as min_previous_returns,
        max(value) filter (where rule = 'count_min_expected') as count_min_expected,
        max(value) filter (where rule = 'count_drop_share') as count_drop_share,
        max(value) filter (where rule = 'count_rise_factor') as count_rise_factor,
        max(value) filter (where rule = 'share_min_denominator') as share_min_denominator,
        max(value) filter (where rule = 'share_jump') as share_jump,
        max(value) filter (where rule = 'grid_change_share') as grid_change_share
    from ref_plausibility_rules
),

loads as (
    select
        wave,
        region_code,
        module,
        source_file,
        source_sheet,
        n_rows,
        row_number() over (partition by region_code, module order by wave) as return_rank
    from stg_module_loads
),

-- the number of rows of a module with many rows, against its mean over the previous returns
count_history as (
    select
        c.wave,
        c.region_code,
        c.module,
        any_value(c.source_file) as source_file,
        any_value(c.source_sheet) as source_sheet,
        any_value(c.n_rows) as n_rows,
        avg(p.n_rows) as mean_rows,
        count(*) as n_previous,
        min(p.wave) as first_wave,
        max(p.wave) as last_wave
    from loads as c
    cross join rules as r
    inner join loads as p
        on
            c.region_code = p.region_code
            and c.module = p.module
            and p.return_rank between c.return_rank - r.previous_returns and c.return_rank - 1
    where c.module in ('oefeningen', 'lessen')
    group by c.wave, c.region_code, c.module
),

counts as (
    select
        h.wave,
        h.region_code,
        h.module,
        h.source_file,
        h.source_sheet as sheet,
        cast(null as integer) as row_number,
        cast(null as varchar) as column_name,
        cast(h.n_rows as varchar) as value,
        case when h.n_rows = 0 then 'plausibel.module_leeg' else 'plausibel.aantal_sprong' end as rule,
        case
            when h.n_rows = 0
                then
                    'de module ' || h.module || ' heeft geen enkele rij, tegen gemiddeld '
                    || replace(printf('%.1f', h.mean_rows), '.', ',') || ' rijen in '
            else
                'de module ' || h.module || ' heeft ' || h.n_rows || ' rijen, tegen gemiddeld '
                || replace(printf('%.1f', h.mean_rows), '.', ',') || ' in '
        end
        || h.first_wave || case when h.last_wave > h.first_wave then '-' || h.last_wave else '' end as finding
    from count_history as h
    cross join rules as r
    where
        h.n_previous >= r.min_previous_returns
        and h.mean_rows >= r.count_min_expected
        and (h.n_rows <= r.count_drop_share * h.mean_rows or h.n_rows >= r.count_rise_factor * h.mean_rows)
),

-- the shares compared nationally (norm type 'landelijk'), with the module they are first computed from
shares as (
    select
        i.wave,
        i.region_code,
        d.label as share_label,
        i.numerator,
        i.denominator,
        split_part(d.modules, ', ', 1) as module,
        row_number() over (partition by i.region_code, i.indicator_id order by i.wave) as share_rank,
        i.indicator_id
    from int_indicators as i
    inner join int_indicator_definitions as d on i.indicator_id = d.indicator_id
    where d.norm_type = 'landelijk' and i.denominator > 0
),

share_history as (
    select
        c.wave,
        c.region_code,
        c.indicator_id,
        any_value(c.share_label) as share_label,
        any_value(c.module) as module,
        any_value(c.numerator) as numerator,
        any_value(c.denominator) as denominator,
        sum(p.numerator) as previous_numerator,
        sum(p.denominator) as previous_denominator,
        count(*) as n_previous,
        min(p.wave) as first_wave,
        max(p.wave) as last_wave
    from shares as c
    cross join rules as r
    inner join shares as p
        on
            c.region_code = p.region_code
            and c.indicator_id = p.indicator_id
            and p.share_rank between c.share_rank - r.previous_returns and c.share_rank - 1
    group by c.wave, c.region_code, c.indicator_id
),

share_jumps as (
    select
        h.wave,
        h.region_code,
        h.module,
        l.source_file,
        l.source_sheet as sheet,
        cast(null as integer) as row_number,
        cast(null as varchar) as column_name,
        cast(h.numerator as bigint) || '/' || cast(h.denominator as bigint) as value,
        'plausibel.aandeel_sprong' as rule,
        h.share_label
        || ' '
        || cast(round(100 * h.numerator / h.denominator) as integer)
        || ' % ('
        || cast(h.numerator as bigint)
        || ' van ' || cast(h.denominator as bigint) || '), tegen '
        || cast(round(100 * h.previous_numerator / h.previous_denominator) as integer) || ' % in ' || h.first_wave
        || case when h.last_wave > h.first_wave then '-' || h.last_wave else '' end
        || ' (' || cast(h.previous_numerator as bigint) || ' van ' || cast(h.previous_denominator as bigint) || ')'
            as finding
    from share_history as h
    cross join rules as r
    inner join loads as l on h.wave = l.wave and h.region_code = l.region_code and h.module = l.module
    where
        h.n_previous >= r.min_previous_returns
        and h.denominator >= r.share_min_denominator
        and h.previous_denominator >= r.share_min_denominator
        and abs(h.numerator / h.denominator - h.previous_numerator / h.previous_denominator) >= r.share_jump
),

-- the answers of the grid modules, one per row of the grid
grid_answers as (
    select
        wave,
        region_code,
        'planvorming' as module,
        'in_plan' as column_name,
        characteristic as cell,
        cast(in_plan as varchar) as answer
    from stg_plan_characteristics
    union all
    select
        wave,
        region_code,
        'ringenmodel' as module,
        'toegang' as column_name,
        zone || '/' || discipline as cell,
        access as answer
    from stg_ring_model
    union all
    select
        wave,
        region_code,
        'middelen' as module,
        'beschikbaarheid' as column_name,
        role || '/' || item as cell,
        availability as answer
    from stg_equipment
),

grid_changes as (
    select
        c.wave,
        c.region_code,
        c.module,
        any_value(c.column_name) as column_name,
        any_value(cl.source_file) as source_file,
        any_value(cl.source_sheet) as source_sheet,
        any_value(pl.wave) as previous_wave,
        count(*) as n_cells,
        count(*) filter (where c.answer is distinct from p.answer) as n_changed
    from grid_answers as c
    inner join loads as cl on c.wave = cl.wave and c.region_code = cl.region_code and c.module = cl.module
    inner join loads as pl
        on c.region_code = pl.region_code and c.module = pl.module and pl.return_rank = cl.return_rank - 1
    inner join grid_answers as p
        on pl.wave = p.wave and c.region_code = p.region_code and c.module = p.module and c.cell = p.cell
    group by c.wave, c.region_code, c.module
),

grid_turns as (
    select
        g.wave,
        g.region_code,
        g.module,
        g.source_file,
        g.source_sheet as sheet,
        cast(null as integer) as row_number,
        g.column_name,
        g.n_changed || '/' || g.n_cells as value,
        'plausibel.omslag' as rule,
        g.n_changed || ' van de ' || g.n_cells || ' rijen van de module ' || g.module
        || ' hebben een ander antwoord in de kolom ''' || g.column_name || ''' dan in ' || g.previous_wave
        || ' (' || cast(round(100 * g.n_changed / g.n_cells) as integer) || ' %)' as finding
    from grid_changes as g
    cross join rules as r
    where g.n_changed >= r.grid_change_share * g.n_cells
),

-- a return that contradicts itself: available equipment counted as none, or none counted as some
equipment_contradictions as (
    select
        e.wave,
        e.region_code,
        'middelen' as module,
        e.source_file,
        e.source_sheet as sheet,
        e.source_row as row_number,
        'aantal' as column_name,
        cast(e.quantity as varchar) as value,
        'plausibel.tegenstrijdig' as rule,
        e.role || '/' || e.item || ': beschikbaarheid ''' || e.availability || ''' maar aantal ' || e.quantity
            as finding
    from stg_equipment as e
    inner join int_catalogue_levels as lv on lv.catalogue = 'beschikbaarheid' and e.availability = lv.code
    where (lv.level = 0 and e.quantity > 0) or (lv.level > 0 and e.quantity = 0)
),

-- a date of adoption without an adoption, or after the day the return was filled in
risk_contradictions as (
    select
        a.wave,
        a.region_code,
        'risico' as module,
        a.source_file,
        a.source_sheet as sheet,
        a.source_row as row_number,
        'datum_vastgesteld' as column_name,
        strftime(a.adopted_on, '%d-%m-%Y') as value,
        'plausibel.tegenstrijdig' as rule,
        case
            when not a.board_adopted
                then
                    'niet bestuurlijk vastgesteld, maar wel een datum van vaststelling ('
                    || strftime(a.adopted_on, '%d-%m-%Y') || ')'
            else
                'vastgesteld op ' || strftime(a.adopted_on, '%d-%m-%Y') || ', na de datum van invullen ('
                || strftime(m.completed_on, '%d-%m-%Y') || ')'
        end as finding
    from stg_risk_assessments as a
    left join stg_submission_meta as m on a.wave = m.wave and a.region_code = m.region_code
    where a.adopted_on is not null and (not a.board_adopted or a.adopted_on > m.completed_on)
),

warnings as (
    select * from counts
    union all
    select * from share_jumps
    union all
    select * from grid_turns
    union all
    select * from equipment_contradictions
    union all
    select * from risk_contradictions
)

select
    wave,
    region_code,
    module,
    source_file,
    sheet,
    row_number,
    column_name,
    value,
    rule,
    finding,
    'controleer de aanlevering: ' || finding as message
from warnings
order by wave, region_code, module, source_file, sheet, row_number nulls first, rule, finding
