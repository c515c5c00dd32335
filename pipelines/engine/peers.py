"""Similar regions: each region's nearest neighbours on the standardised risk basis.

Issue 17, point 8: the comparison group analysts know from Fingertips'
nearest neighbours (CIPFA) and waarstaatjegemeente's comparison groups.
Each feature of the risk basis (e.g. log population, high-risk sites,
large events) is z-scored over the regions (mean 0, population standard
deviation 1; a feature without variation is left out), distances are
Euclidean on those z-scores, and for each region the ``k`` (5) nearest
other regions are listed, ties broken by region code. Regions with a
missing feature are left out (they have no position on the basis).
"""

from __future__ import annotations

import numpy as np

__all__ = ["standardise", "nearest_peers"]


def standardise(features) -> np.ndarray:
    """z-score each column (ddof 0); constant or all-NaN columns are dropped."""
    x = np.asarray(features, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    mu = np.nanmean(x, axis=0) if x.size else np.zeros(x.shape[1])
    sd = np.nanstd(x, axis=0) if x.size else np.zeros(x.shape[1])
    keep = np.isfinite(sd) & (sd > 0)
    return (x[:, keep] - mu[keep]) / sd[keep]


def nearest_peers(codes, features, k: int = 5) -> list[tuple[str, int, str, float]]:
    """Return rows ``(region_code, rank, peer_code, distance)``, rank 1..k.

    ``codes`` has one code per row of ``features`` (regions x features).
    Ordered by region code, then rank. Fewer than k+1 usable regions give
    as many peers as there are.
    """
    codes = [str(c) for c in codes]
    x = np.asarray(features, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if len(codes) != x.shape[0]:
        raise ValueError("codes and features differ in length")
    ok = np.all(np.isfinite(x), axis=1)
    idx = [i for i in range(len(codes)) if ok[i]]
    z = standardise(x[idx])
    sub = [codes[i] for i in idx]
    rows: list[tuple[str, int, str, float]] = []
    if not sub:
        return rows
    d = np.sqrt(((z[:, None, :] - z[None, :, :]) ** 2).sum(axis=2))
    # Sorted by code once, each row ordered by (distance rounded to 12 places, code): a stable argsort on the
    # rounded distances of code-ordered columns breaks ties by code. Vectorised: 2,500 regions in well under a
    # second, where a Python sort per region took minutes.
    order = np.argsort(np.array(sub, dtype=object), kind="stable")
    names = [sub[i] for i in order]
    dd = np.round(d[np.ix_(order, order)], 12)
    np.fill_diagonal(dd, np.inf)  # never one's own peer
    n_peers = min(k, len(names) - 1)
    nearest = np.argsort(dd, axis=1, kind="stable")[:, :n_peers]
    for a, row in enumerate(nearest):
        for rank, j in enumerate(row, start=1):
            rows.append((names[a], rank, names[j], float(d[order[a], order[j]])))
    return rows
