-- The risk basis of every region in every wave: population (reference) and the
-- most recent risk assessment in use up to and including the wave
-- (basis_wave says which). risk_ok is the methodology's "risk_substantiated":
-- a method other than 'geen', a written substantiation, adopted by the board.
with regions as (
    select
        w.wave,
        r.region_code,
        r.population
    from int_waves as w
    cross join ref_regions as r
),

assessments as (
    select
        a.wave,
        a.region_code,
        a.method,
        a.probability_score,
        a.substantiation_present,
        a.board_adopted,
        a.adopted_on,
        a.high_risk_sites,
        a.large_events
    from stg_risk_assessments as a
    inner join stg_module_loads as l
        on a.wave = l.wave and a.region_code = l.region_code and l.module = 'risico'
    qualify row_number() over (partition by a.wave, a.region_code order by a.source_row) = 1
)

select
    g.wave,
    g.region_code,
    g.population,
    ln(g.population) as log_population,
    a.wave as basis_wave,
    a.method,
    a.probability_score,
    a.high_risk_sites,
    a.large_events,
    a.method is not null
    and a.method <> 'geen'
    and coalesce(a.substantiation_present, false)
    and coalesce(a.board_adopted, false) as risk_ok,
    case
        when a.wave is not null
            then
                'methode ' || a.method
                || case
                    when a.substantiation_present then ', schriftelijk onderbouwd' else
                        ', geen schriftelijke onderbouwing'
                end
                || case
                    when a.board_adopted
                        then
                            ', bestuurlijk vastgesteld'
                            || coalesce(' op ' || strftime(a.adopted_on, '%d-%m-%Y'), '')
                    else ', niet bestuurlijk vastgesteld'
                end
    end as risk_note
from regions as g
asof left join assessments as a
    on g.region_code = a.region_code and g.wave >= a.wave
