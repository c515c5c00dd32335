"""The size of the variation per wave x indicator, and each region's nearest peers.

Issue 17, points 5, 7 and 8, from the finished register and the risk basis:

* :func:`variation_size`: one row per wave x indicator with the number of
  tests (regions with a verdict other than ``onvoldoende_gegevens``), the
  false alarms expected by chance at the 99.8 % limits, the P90/P10 ratio of
  the register's ``value``, McPherson's systematic component of variation
  (SCV, for the count model's O/E only), the untrimmed between-region
  variance on the natural scale (:func:`pipelines.engine.variation.tau2_natural`)
  and, for the score the least-squares model predicts, the method-against-risk
  comparison of :func:`pipelines.engine.riskfit.method_vs_risk`;
* :func:`region_peers`: per wave x region the ``k`` nearest other regions on
  the standardised risk basis (:func:`pipelines.engine.peers.nearest_peers`);
* :func:`region_distances`: the same for every other region (the learning
  marts look beyond the peers, nearest first).

Pure: DataFrames in, DataFrames out; :mod:`pipelines.engine.build` writes them
as ``int_variation_size``, ``int_region_peers`` and ``int_region_distances``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from pipelines.contract import indicators, verdicts
from pipelines.contract.learning import NEAREST_CONSIDERED
from pipelines.engine import peers, riskfit, variation

__all__ = [
    "SIZE_SCHEMA",
    "PEERS_SCHEMA",
    "LEVEL",
    "N_PEERS",
    "PEER_FEATURES",
    "variation_size",
    "region_peers",
    "region_distances",
]

#: The two-sided level of the verdicts' outer limits (register: 99.8 %).
LEVEL = 0.998
#: Peers listed per region.
N_PEERS = 5
#: The risk basis the peers and the method-against-risk test use (as riskmodel.RISK_BASIS).
PEER_FEATURES = ("log_population", "high_risk_sites", "large_events")

_MVR = (
    "n_methods",
    "adj_r2_method",
    "adj_r2_risk",
    "r2_full",
    "f_method_given_risk",
    "p_method_given_risk",
    "f_risk_given_method",
    "p_risk_given_method",
)

SIZE_SCHEMA: dict[str, str] = {
    "wave": "integer",
    "indicator_id": "varchar",
    "n_tests": "integer",
    "expected_false_alarms": "double",
    "p90_p10_ratio": "double",
    "scv": "double",
    "tau2_natural": "double",
    "n_methods": "integer",
    "adj_r2_method": "double",
    "adj_r2_risk": "double",
    "r2_full": "double",
    "f_method_given_risk": "double",
    "p_method_given_risk": "double",
    "f_risk_given_method": "double",
    "p_risk_given_method": "double",
}

PEERS_SCHEMA: dict[str, str] = {
    "wave": "integer",
    "region_code": "varchar",
    "rank": "integer",
    "peer_code": "varchar",
    "distance": "double",
    "features": "varchar",
}


def _tau2_kind(indicator_id: str) -> str | None:
    """``ratio`` for the count model's O/E, ``proportion`` for a national proportion, else None."""
    if indicator_id == indicators.COUNT_MODEL_ID:
        return "ratio"
    ind = indicators.BY_ID.get(indicator_id)
    return "proportion" if ind is not None and ind.norm_type == "landelijk" else None


def _score_of_the_wave(basis: pd.DataFrame) -> pd.DataFrame:
    """The risk basis rows whose assessment is of the wave itself (as int_risk_probability takes them)."""
    if "basis_wave" in basis.columns:
        return basis[basis["basis_wave"] == basis["wave"]]
    return basis


def variation_size(register: pd.DataFrame, basis: pd.DataFrame, level: float = LEVEL) -> pd.DataFrame:
    """One row per wave x indicator of ``register`` with the columns of :data:`SIZE_SCHEMA`.

    Args:
        register: the variation register (``wave``, ``indicator_id``, ``value``,
            ``numerator``, ``denominator``, ``verdict``).
        basis: the risk basis per wave x region (``wave``, ``region_code``,
            ``method``, ``probability_score`` and :data:`PEER_FEATURES`; with
            ``basis_wave``, only the rows whose assessment is of the wave).

    SCV and tau^2 use whatever ``numerator``/``denominator`` the register holds
    (for the count model O and E); null where they do not apply or cannot be
    computed (fewer than two usable regions).
    """
    score = _score_of_the_wave(basis)
    rows = []
    for (wave, ind), f in register.groupby(["wave", "indicator_id"], sort=True):
        n_tests = int((f["verdict"].notna() & (f["verdict"] != verdicts.MISSING)).sum())
        row: dict = dict(
            wave=wave,
            indicator_id=ind,
            n_tests=n_tests,
            expected_false_alarms=variation.expected_false_alarms(n_tests, level),
            p90_p10_ratio=variation.p90_p10_ratio(f["value"]),
            scv=math.nan,
            tau2_natural=math.nan,
            **{c: math.nan for c in _MVR},
        )
        kind = _tau2_kind(ind)
        if kind == "ratio":
            row["scv"] = variation.systematic_component(f["numerator"], f["denominator"])
        if kind is not None:
            row["tau2_natural"] = variation.tau2_natural(f["numerator"], f["denominator"], kind)
        if ind == indicators.SCORE_MODEL_ID:
            b = score[score["wave"] == wave]
            fit = riskfit.method_vs_risk(
                b["probability_score"].to_numpy(dtype=float),
                b["method"].tolist(),
                b[list(PEER_FEATURES)].to_numpy(dtype=float),
            )
            row.update({c: fit[c] for c in _MVR})
        rows.append(row)
    return pd.DataFrame(rows, columns=list(SIZE_SCHEMA))


def _used_features(x: np.ndarray) -> list[str]:
    """The features :func:`peers.standardise` keeps for the regions with every feature: those that vary."""
    x = x[np.all(np.isfinite(x), axis=1)]
    if len(x) == 0:
        return []
    sd = x.std(axis=0)
    return [name for name, s in zip(PEER_FEATURES, sd, strict=True) if np.isfinite(s) and s > 0]


def region_peers(basis: pd.DataFrame, k: int = N_PEERS) -> pd.DataFrame:
    """Per wave x region its ``k`` nearest regions on the z-scored risk basis of that wave.

    Returns the columns of :data:`PEERS_SCHEMA`, ordered by wave, region, rank.
    A region with a feature missing in a wave has no rows and is nobody's peer
    in that wave; a wave in which no feature varies has no rows at all (every
    distance would be 0). ``features`` names the features that counted.
    """
    out = []
    for wave, f in basis.groupby("wave", sort=True):
        x = f[list(PEER_FEATURES)].to_numpy(dtype=float)
        used = _used_features(x)
        if not used:
            continue
        for code, rank, peer, dist in peers.nearest_peers(f["region_code"].tolist(), x, k=k):
            out.append((wave, code, rank, peer, dist, ", ".join(used)))
    return pd.DataFrame(out, columns=list(PEERS_SCHEMA))


def region_distances(basis: pd.DataFrame, k: int = NEAREST_CONSIDERED) -> pd.DataFrame:
    """Per wave x region the ``k`` nearest other regions with a complete risk basis, nearest first (rank 1..k).

    The ranks and distances of :func:`region_peers` (whose rows are those with rank up to ``N_PEERS``); ``k``
    is the learning matches' reach (contract.learning.NEAREST_CONSIDERED: every region of a 25-region set).
    """
    return region_peers(basis, k=k)
