-- region_peers: per wave and region its nearest regions on the standardised
-- risk basis (computed in pipelines/engine/spread.py as int_region_peers);
-- here only the region names are added. A region without a complete risk
-- basis in a wave has no rows.
select
    p.wave,
    p.region_code,
    r.region_name,
    p.rank,
    p.peer_code,
    q.region_name as peer_name,
    p.distance,
    p.features
from int_region_peers as p
left join ref_regions as r on p.region_code = r.region_code
left join ref_regions as q on p.peer_code = q.region_code
order by p.wave, p.region_code, p.rank
