-- submission_problems: every error and warning found in every source file, one
-- row per problem (stg_problems), so that a region and an analyst can see what to
-- fix; and every plausibility warning on a loaded return (int_plausibility,
-- severity $warning, rule plausibel.*: docs/plausibility.md). row_number is the
-- row as Excel (or a text editor) numbers it; sheet, row_number, column_name and
-- value are null where a problem concerns the whole file or sheet. Ordered by
-- where the problem is, then by what it is.
with problems as (
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
)

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
from problems as p
order by
    p.wave nulls first, p.region_code nulls first, p.module nulls first, p.source_file nulls first,
    p.sheet nulls first, p.row_number nulls first, p.column_name nulls first, p.rule nulls first,
    p.severity nulls first, p.message nulls first, p.value nulls first
