-- plan_exercise_matrix: per characteristic, whether it is in the plan, was
-- exercised in the last three waves, or was substantiated as not needing it.
-- Status: niet_in_plan before anything else (the plan indicators only look at
-- characteristics in the plan); null where 'oefeningen' is not in use.
select
    wave,
    region_code,
    characteristic,
    in_plan,
    exercised_3w,
    substantiated,
    case
        when not in_plan then 'niet_in_plan'
        when exercised_3w is null then null
        when exercised_3w then 'beoefend'
        when substantiated then 'onderbouwd'
        else 'niet_beoefend'
    end as status,
    substantiation_text,
    window_waves
from int_plan_characteristics
order by wave, region_code, characteristic
