-- Which special characteristics (bijzonderheden) a region exercised in the last
-- three waves: one row per wave x region x characteristic exercised.
with listed as (
    select
        wave,
        region_code,
        unnest(characteristics_exercised) as characteristic
    from int_exercise_window
    where characteristics_exercised is not null
)

select distinct
    wave,
    region_code,
    trim(characteristic) as characteristic
from listed
where characteristic is not null
