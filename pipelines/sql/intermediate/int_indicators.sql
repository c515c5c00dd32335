-- All indicator values in one table: one row per wave x region x indicator for
-- which the region has the needed modules in use.
-- every indicator model has the same columns, united by name (hence select *)
select * from int_ex_count  -- noqa: AM04
union all by name
select * from int_ex_multidisciplinary_share
union all by name
select * from int_ex_strategic
union all by name
select * from int_ex_with_ncc
union all by name
select * from int_ex_evaluated_share
union all by name
select * from int_plan_coverage
union all by name
select * from int_plan_unexercised_unsubstantiated
union all by name
select * from int_risk_substantiated
union all by name
select * from int_risk_probability
union all by name
select * from int_ring_conformity
union all by name
select * from int_ring_exercised
union all by name
select * from int_equipment_parity
union all by name
select * from int_lessons_shared_share
union all by name
select * from int_lessons_followed_up_share
union all by name
select * from int_lessons_from_others
