"""Similar regions on a region page: the region beside its nearest regions by risk basis (marts.region_peers).

One pass over the peers and one over the register for all regions at once (a merge, then
:func:`~pipelines.site.data.pack_groups`), so 2,500 region pages cost no more than a few joins.
Rank 0 is the region itself, so that its own risk basis and values come in the same rows.
"""

from __future__ import annotations

import pandas as pd

from pipelines.site.data import SiteData, pack_groups

PEER_COLS = ["wave", "rank", "peer_code", "distance", "features", "population", "high_risk_sites", "large_events"]
PEER_VALUE_COLS = ["wave", "peer_code", "indicator_id", "value", "verdict"]
_BASIS = ["population", "high_risk_sites", "large_events"]


def peer_payloads(d: SiteData) -> tuple[dict, dict, dict, dict]:
    """({region: packed peers}, empty pack, {region: packed values of the region and its peers}, empty pack)."""
    if d.peers is None or not len(d.peers):
        return {}, {"n": 0, "c": {}}, {}, {"n": 0, "c": {}}
    peers = d.peers[["wave", "region_code", "rank", "peer_code", "distance", "features"]]
    own = peers.drop_duplicates(["wave", "region_code"]).assign(rank=0, distance=0.0)
    own = own.assign(peer_code=own["region_code"])
    rows = pd.concat([own, peers], ignore_index=True)
    if d.peer_basis is not None:
        basis = d.peer_basis.drop_duplicates(["wave", "region_code"]).rename(columns={"region_code": "peer_code"})
        rows = rows.merge(basis[["wave", "peer_code", *_BASIS]], how="left", on=["wave", "peer_code"])
    rows = rows.sort_values(["region_code", "wave", "rank"], kind="stable")
    by_region, empty = pack_groups(rows, "region_code", PEER_COLS)
    reg = d.marts["variation_register"][["wave", "region_code", "indicator_id", "value", "verdict"]]
    values = rows[["region_code", "wave", "peer_code"]].merge(
        reg.rename(columns={"region_code": "peer_code"}), how="inner", on=["wave", "peer_code"]
    )
    values_by, values_empty = pack_groups(values, "region_code", PEER_VALUE_COLS, ["wave", "peer_code"])
    return by_region, empty, values_by, values_empty
