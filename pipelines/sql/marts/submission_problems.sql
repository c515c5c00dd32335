-- submission_problems: every error and warning found in every source file, one
-- row per problem (stg_problems), so that a region and an analyst can see what to
-- fix; and every plausibility warning on a loaded return (int_plausibility,
-- severity $warning, rule plausibel.*: docs/plausibility.md). row_number is the
-- row as Excel (or a text editor) numbers it; sheet, row_number, column_name and
-- value are null where a problem concerns the whole file or sheet. Ordered by
-- where the problem is, then by what it is.
select
    p.wave,
    p.region_code,
    p.module,
    p.source_file,
    p.sheet,
    p.row_number,
    p.column_name,
    p.value,
    p.rule,
    p.severity,
    p.message
from stg_problems as p
union all
select
    w.wave,
    w.region_code,
    w.module,
    w.source_file,
    w.sheet,
    w.row_number,
    w.column_name,
    w.value,
    w.rule,
    $warning as severity,
    w.message
from int_plausibility as w
-- the order applies to the union as a whole
order by
    wave nulls first, region_code nulls first, module nulls first, source_file nulls first,
    sheet nulls first, row_number nulls first, column_name nulls first, rule nulls first,
    severity nulls first, message nulls first, value nulls first
