-- submission_problems: every error and warning found in every source file, one
-- row per problem (stg_problems), so that a region and an analyst can see what to
-- fix. row_number is the row as Excel (or a text editor) numbers it; sheet,
-- row_number, column_name and value are null where a problem concerns the whole
-- file or sheet. Ordered by where the problem is, then by what it is.
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
order by
    p.wave nulls first, p.region_code nulls first, p.module nulls first, p.source_file nulls first,
    p.sheet nulls first, p.row_number nulls first, p.column_name nulls first, p.rule nulls first,
    p.severity nulls first, p.message nulls first, p.value nulls first
