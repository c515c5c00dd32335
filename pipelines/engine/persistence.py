"""Windows, pooled counts, persistence and trends over the register's waves.

Issue 17, point 4, at the scale of the register (every region and indicator at
once); the statistics themselves are in :mod:`pipelines.engine.trend`.

* :func:`windows`: the waves of each wave's window, "this wave and the
  ``lookback`` before it" among the waves present (as
  ``int_wave_windows.sql`` does for the modules).
* :func:`pool_counts`: per region and wave, sum O and sum E over the window
  (waves where the region has no O or E are left out; ``n_window_waves``
  says how many entered). ``ex_count`` is judged on these.
* :func:`persistent_flags`: ``aanhoudend``, an unfavourable verdict in this
  wave and in at least one other of the window's waves (so at least two of
  the last three).
* :func:`trends`: the recent trend per region, indicator and wave over every
  wave up to that one: Poisson regression for ``ex_count`` (the single
  waves' O and E), chi-square for trend for the national proportions. No
  trend test is defined for uniform norms (yes/no or cells against a norm),
  the risk score, or an indicator judged on a window of waves (overlapping
  windows are not independent): their trend is null.

Pure Python: numpy and pandas.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from pipelines.contract import verdicts
from pipelines.engine.trend import count_trends, proportion_trends

#: An unfavourable verdict in at least this many of the window's waves (this one included) is persistent.
PERSISTENT_MIN_WAVES = 2


def windows(waves, lookback: int) -> dict[int, tuple[int, ...]]:
    """wave -> the waves of its window (itself and the ``lookback`` waves before it), ascending."""
    ws = sorted(int(w) for w in set(waves))
    return {w: tuple(ws[max(0, k - lookback) : k + 1]) for k, w in enumerate(ws)}


def pool_counts(frame: pd.DataFrame, window_of: dict[int, tuple[int, ...]]) -> pd.DataFrame:
    """Sum O and E over each row's window, for one count indicator.

    ``frame`` has ``wave``, ``region_code``, ``observed``, ``expected`` (one
    row per region and wave). Returns a frame on the same index with
    ``wave``, ``observed``, ``expected``, ``n_window_waves`` and
    ``window_waves`` ('2022, 2023, 2024'). A row whose own E is missing
    stays missing (no expectation this wave, so no verdict).
    """
    src = frame[["wave", "region_code", "observed", "expected"]]
    win = pd.DataFrame(
        [(w, s) for w, ss in window_of.items() for s in ss], columns=["wave", "source_wave"], dtype="int64"
    )
    left = src[["wave", "region_code"]].astype({"wave": "int64"}).reset_index(names="_row")
    right = src.rename(columns={"wave": "source_wave"}).astype({"source_wave": "int64"})
    pairs = left.merge(win, on="wave").merge(right, on=["source_wave", "region_code"])
    pairs = pairs[np.isfinite(pairs["observed"].astype(float)) & np.isfinite(pairs["expected"].astype(float))]
    pairs = pairs.sort_values(["_row", "source_wave"])
    g = pairs.groupby("_row")
    out = pd.DataFrame(index=frame.index)
    out["wave"] = frame["wave"]
    out["observed"] = g["observed"].sum().reindex(frame.index)
    out["expected"] = g["expected"].sum().reindex(frame.index)
    out["n_window_waves"] = g.size().reindex(frame.index)
    out["window_waves"] = g["source_wave"].agg(lambda s: ", ".join(str(int(v)) for v in s)).reindex(frame.index)
    own = frame["expected"].astype(float)
    missing = ~np.isfinite(own)
    out.loc[missing, ["observed", "expected"]] = np.nan
    out.loc[missing, ["n_window_waves", "window_waves"]] = None
    return out


def persistent_flags(reg: pd.DataFrame, window_of: dict[int, tuple[int, ...]]) -> pd.Series:
    """True where the row is unfavourable and so is at least one other wave of its window.

    ``reg`` has ``wave``, ``region_code``, ``indicator_id``, ``verdict``.
    """
    unfav = reg["verdict"].isin(verdicts.UNFAVOURABLE)
    key = reg[["region_code", "indicator_id"]].copy()
    key["wave"] = reg["wave"].astype("int64")
    hits = key[unfav.to_numpy()].assign(_hit=1)
    win = pd.DataFrame(
        [(w, s) for w, ss in window_of.items() for s in ss], columns=["wave", "source_wave"], dtype="int64"
    )
    counted = (
        key.reset_index(names="_row")
        .merge(win, on="wave")
        .merge(
            hits.rename(columns={"wave": "source_wave"}), on=["source_wave", "region_code", "indicator_id"], how="inner"
        )
        .groupby("_row")["_hit"]
        .sum()
        .reindex(reg.index, fill_value=0)
    )
    return (unfav & (counted >= PERSISTENT_MIN_WAVES)).astype(bool)


def _matrix(frame: pd.DataFrame, column: str, waves: list[int]) -> pd.DataFrame:
    return frame.pivot_table(index="region_code", columns="wave", values=column, aggfunc="first").reindex(columns=waves)


def trends(reg: pd.DataFrame, count_id: str) -> pd.DataFrame:
    """``trend``, ``trend_p_value`` and ``trend_n_waves`` for every register row (null where not defined).

    ``reg`` has the register's columns plus, for ``count_id``, the single
    waves' ``wave_numerator`` (O) and ``wave_denominator`` (E). Each row's
    trend uses its region's waves up to and including its own.
    """
    out = pd.DataFrame(index=reg.index, columns=["trend", "trend_p_value", "trend_n_waves"], dtype=object)
    single_wave = reg.groupby("indicator_id")["window_waves"].apply(lambda s: s.isna().all())
    for ind, f in reg.groupby("indicator_id", sort=False):
        polarity = f["polarity"].iloc[0]
        fn: Callable[..., dict]
        if ind == count_id:
            num, den, fn = "wave_numerator", "wave_denominator", count_trends
        elif f["norm_type"].iloc[0] == "landelijk" and bool(single_wave.get(ind, False)):
            num, den, fn = "numerator", "denominator", proportion_trends
        else:
            continue
        if polarity not in ("higher", "lower"):
            continue
        has = f[f["verdict"] != verdicts.MISSING]
        all_waves = sorted(int(w) for w in f["wave"].unique())
        o_all, e_all = _matrix(has, num, all_waves), _matrix(has, den, all_waves)
        for k, w in enumerate(all_waves):
            upto = all_waves[: k + 1]
            rows = f[f["wave"] == w]
            o = o_all[upto].reindex(rows["region_code"]).to_numpy(float)
            e = e_all[upto].reindex(rows["region_code"]).to_numpy(float)
            res = fn(np.array(upto, dtype=float), o, e, polarity)
            out.loc[rows.index, "trend"] = res["label"]
            out.loc[rows.index, "trend_p_value"] = res["p_value"]
            out.loc[rows.index, "trend_n_waves"] = res["n_waves"]
    return out
