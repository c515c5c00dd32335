-- judgement_problems: every row of data/reference/wegingen.csv that does not
-- count, and why (docs/verdicts.md 5a): the rows the reader ignored
-- (ref_judgements.problem_rule) and the judgements of a reason that is not in
-- the register (no such deviation, or the region gave no reason for it).
select
    line as row_number,
    problem_column as column_name,
    problem_value as value,
    problem_rule as rule,  -- noqa: RF04
    problem_message as message,
    cast(null as integer) as wave,
    cast(null as varchar) as region_code
from ref_judgements
where problem_rule is not null
union all
select
    j.line as row_number,
    'cell' as column_name,
    j.cell as value,
    'weging.geen_toelichting' as rule,  -- noqa: RF04
    j.region_code || ' gaf in ' || j.wave || ' geen toelichting bij ' || j.indicator_id || ' ' || j.cell
    || ' voor een afwijking; er is niets te wegen en de rij is genegeerd' as message,
    j.wave,
    j.region_code
from ref_judgements as j
where
    j.problem_rule is null
    and not exists (
        select 1 from int_reasons as r
        where
            r.reason_given and r.wave = j.wave and r.region_code = j.region_code
            and r.indicator_id = j.indicator_id and r.cell = j.cell
    )
order by row_number, rule
