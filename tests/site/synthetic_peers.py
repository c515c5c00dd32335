"""marts.region_peers for the synthetic warehouse: per wave each region's nearest regions on its risk basis,
found by the engine's own function on the synthetic risk returns (tests/site/synthetic.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.engine import spread


def peers_mart(risk: pd.DataFrame, ref: pd.DataFrame) -> pd.DataFrame:
    basis = risk.merge(ref[["region_code", "population"]], on="region_code", how="left")
    basis = basis.assign(log_population=np.log(basis["population"].astype(float)))
    peers = spread.region_peers(basis[["wave", "region_code", *spread.PEER_FEATURES]])
    names = dict(zip(ref["region_code"], ref["region_name"], strict=True))
    peers = peers.assign(region_name=peers["region_code"].map(names), peer_name=peers["peer_code"].map(names))
    return peers[["wave", "region_code", "region_name", "rank", "peer_code", "peer_name", "distance", "features"]]
