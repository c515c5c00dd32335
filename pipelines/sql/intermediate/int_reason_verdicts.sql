-- Per wave x region x indicator with a deviation a reason can justify: whether
-- every deviating cell has a reason that counts (status geldig or aanvaard,
-- docs/verdicts.md 5a), the weakest status, and the Dutch note the sentence
-- quotes: for a single-cell indicator the status of its reason, otherwise the
-- cells whose reason does not count (or, when all count, every cell).
with cells as (
    select
        wave,
        region_code,
        indicator_id,
        cell,
        status,
        status_reason,
        coalesce(status in ('geldig', 'aanvaard'), false) as counts,
        case coalesce(status, 'geen')
            when 'geen' then 1 when 'verworpen' then 2 when 'verlopen' then 3 when 'geldig' then 4 else 5
        end as strength
    from int_reasons
)

select
    wave,
    region_code,
    indicator_id,
    bool_and(counts) as justified,
    count(*) as n_cells,
    count(*) filter (where counts) as n_cells_counting,
    arg_min(coalesce(status, 'geen'), strength) as reason_status,
    case
        when count(*) = 1 then any_value(status_reason)
        when bool_and(counts) then string_agg(cell || ': ' || status_reason, '; ' order by cell)
        else string_agg(cell || ': ' || status_reason, '; ' order by cell) filter (where not counts)
    end as reason_note
from cells
group by wave, region_code, indicator_id
