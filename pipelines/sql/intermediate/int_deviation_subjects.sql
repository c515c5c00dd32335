-- Per wave x region x indicator the characteristics (bijzonderheid codes) a
-- lesson must carry to touch the subject of a deviation (docs/learning.md),
-- by int_indicator_definitions.lesson_subject: the indicator's fixed list
-- (int_lesson_subjects, from pipelines/contract/learning.py), or the region's
-- own plan: its characteristics not exercised in the last three waves
-- ('plan_niet_beoefend'), or the deviation's own cells, those without a reason
-- that counts ('afwijkende_cellen').
with region_waves as (
    select
        w.wave,
        r.region_code
    from int_waves as w
    cross join ref_regions as r
)

select
    rw.wave,
    rw.region_code,
    s.indicator_id,
    s.characteristic
from region_waves as rw
cross join int_lesson_subjects as s
inner join int_indicator_definitions as d
    on s.indicator_id = d.indicator_id and d.lesson_subject = 'bijzonderheden'
union all
select
    p.wave,
    p.region_code,
    d.indicator_id,
    p.characteristic
from int_plan_characteristics as p
inner join int_indicator_definitions as d on d.lesson_subject = 'plan_niet_beoefend'
where p.in_plan and p.exercised_3w = false
union all
select
    r.wave,
    r.region_code,
    r.indicator_id,
    r.cell as characteristic
from int_reasons as r
inner join int_indicator_definitions as d
    on r.indicator_id = d.indicator_id and d.lesson_subject = 'afwijkende_cellen'
where not coalesce(r.status in ('geldig', 'aanvaard'), false)
