-- submission_status: what happened to every region's module and source file per
-- wave, with the region's name. earlier_data_in_use says, for a rejected file,
-- whether earlier data of that region, module and wave is still in use;
-- validation_run and validation_path: the Great Expectations run that checked
-- the rows, and its result file under the validation folder.
select
    s.wave,
    s.region_code,
    s.module,
    s.source_file,
    s.status,
    s.n_rows,
    s.n_errors,
    s.message,
    s.earlier_data_in_use,
    r.region_name,
    s.n_warnings,
    s.validation_run,
    s.validation_path
from stg_submission_status as s
left join ref_regions as r on s.region_code = r.region_code
order by s.wave, s.region_code, s.module, s.source_file
