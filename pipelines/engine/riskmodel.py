"""The risk model: what a region's risk basis leads one to expect.

Two risk-adjusted indicators compare a region with what its own risk basis
predicts: ``ex_count`` (exercises held) and ``risk_probability`` (the
self-assessed probability of an attack, ``kans_score``). The risk basis is

    log(population), hoogrisico_objecten (high_risk_sites),
    grootschalige_evenementen (large_events)

and nothing else: the method of the risk assessment is deliberately *not* in
the model, because the methodology does not accept it as a justification.

Both models are fitted on all waves together, with a term per wave
(``C(wave)``). With 25 regions a model fitted on one wave absorbs the very
deviations it should reveal; pooling the waves makes a region's expected value
in one wave depend only slightly on its own value in that wave (its leverage
is about p / (25 x waves)), while the wave term lets the national level move
from year to year.

* ``ex_count``: Poisson GLM with log link,
  ``count ~ log_population + high_risk_sites + large_events + C(wave)``;
  the expected count E is the fitted mean. Because of the wave terms the
  expected counts of a wave add up to its observed total (sum O = sum E).
* ``risk_probability``: ordinary least squares with the same right-hand side;
  the expected score is the fitted value, the residual standard deviation
  ``sigma = sqrt(RSS / (n - p))`` is pooled over all waves, each region's
  z-score is ``residual / sigma`` and the limits are ``fitted +/- z_q sigma``.

Pure numpy/pandas/statsmodels; no Dagster, no database.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

RISK_BASIS = ("log_population", "high_risk_sites", "large_events")


@dataclass
class ModelFit:
    """Fitted values for the rows given (NaN where a row could not be used)."""

    fitted: np.ndarray
    n_obs: int
    n_waves: int
    columns: list[str] = field(default_factory=list)
    params: dict[str, float] = field(default_factory=dict)
    residual_sd: float = float("nan")
    converged: bool = False
    message: str = ""


def design_matrix(frame: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Intercept, the risk basis and one indicator per wave but the first.

    Columns of the risk basis without any variation are left out (they would
    only duplicate the intercept). With one wave there is no wave term.
    """
    cols: list[np.ndarray] = [np.ones(len(frame))]
    names = ["const"]
    for c in RISK_BASIS:
        x = frame[c].to_numpy(dtype=float)
        if np.nanstd(x) > 0:
            cols.append(x)
            names.append(c)
    waves = np.sort(frame["wave"].unique())
    wave = frame["wave"].to_numpy()
    for w in waves[1:]:
        cols.append((wave == w).astype(float))
        names.append(f"C(wave)[{int(w)}]")
    return np.column_stack(cols), names


def _usable(frame: pd.DataFrame, y: str) -> np.ndarray:
    arr = frame[[y, *RISK_BASIS]].to_numpy(dtype=float)
    return np.isfinite(arr).all(axis=1)


def preload() -> None:
    """Import the statsmodels parts the models use (over a second) ahead of the first fit.

    For a process that has idle time before it builds the marts, such as a run
    waiting for its validation worker.
    """
    from statsmodels.genmod.families import Poisson  # noqa: F401
    from statsmodels.genmod.generalized_linear_model import GLM  # noqa: F401
    from statsmodels.regression.linear_model import OLS  # noqa: F401


def fit_count_model(frame: pd.DataFrame, y: str = "observed") -> ModelFit:
    """Poisson GLM of counts ``y`` on the risk basis and C(wave); E per row.

    A wave in which no region has a single count has no level to estimate (its
    wave term would be minus infinity): its rows get no expected value.
    """
    fitted = np.full(len(frame), np.nan)
    ok = _usable(frame, y)
    totals = frame.loc[ok].groupby("wave")[y].transform("sum")
    ok[ok] = (totals > 0).to_numpy()
    sub = frame[ok]
    n_waves = int(sub["wave"].nunique())
    if len(sub) == 0:
        return ModelFit(fitted, 0, 0, message="geen bruikbare waarnemingen (of in geen peiljaar een oefening)")
    X, names = design_matrix(sub)
    if len(sub) <= X.shape[1]:
        return ModelFit(fitted, len(sub), n_waves, names, message="te weinig waarnemingen voor het model")
    yv = sub[y].to_numpy(dtype=float)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Imported here: statsmodels takes over a second to import, which every Dagster process
            # (the UI, the daemon, each run) would otherwise pay on loading the definitions.
            from statsmodels.genmod.families import Poisson
            from statsmodels.genmod.generalized_linear_model import GLM

            res = GLM(yv, X, family=Poisson()).fit(maxiter=100)
    except (ValueError, np.linalg.LinAlgError) as exc:  # a degenerate panel: report, do not guess
        return ModelFit(fitted, len(sub), n_waves, names, message=f"het model kon niet worden geschat: {exc}")
    mu = np.asarray(res.fittedvalues, dtype=float)
    fitted[ok] = np.where(np.isfinite(mu), mu, np.nan)
    converged = bool(getattr(res, "converged", True))
    return ModelFit(
        fitted,
        len(sub),
        n_waves,
        names,
        dict(zip(names, map(float, res.params))),
        converged=converged,
        message="" if converged else "het model convergeerde niet volledig",
    )


def fit_score_model(frame: pd.DataFrame, y: str = "observed") -> ModelFit:
    """Least squares of ``y`` on the risk basis and C(wave); fitted values and pooled residual sd."""
    fitted = np.full(len(frame), np.nan)
    ok = _usable(frame, y)
    sub = frame[ok]
    n_waves = int(sub["wave"].nunique())
    if len(sub) == 0:
        return ModelFit(fitted, 0, 0, message="geen bruikbare waarnemingen")
    X, names = design_matrix(sub)
    if len(sub) <= X.shape[1]:
        return ModelFit(fitted, len(sub), n_waves, names, message="te weinig waarnemingen voor het model")
    yv = sub[y].to_numpy(dtype=float)
    try:
        from statsmodels.regression.linear_model import OLS  # imported here: see fit_count_model

        res = OLS(yv, X).fit()
    except (ValueError, np.linalg.LinAlgError) as exc:
        return ModelFit(fitted, len(sub), n_waves, names, message=f"het model kon niet worden geschat: {exc}")
    fitted[ok] = np.asarray(res.fittedvalues, dtype=float)
    sd = float(np.sqrt(res.scale)) if res.df_resid > 0 else float("nan")
    return ModelFit(
        fitted, len(sub), n_waves, names, dict(zip(names, map(float, res.params))), residual_sd=sd, converged=True
    )


def r2_by_wave(wave, y, fitted) -> pd.Series:
    """Per wave: the squared correlation of the observed values with the expected ones.

    Within a wave the expected values differ only by the risk basis, so this is
    the share of the between-region variance that the risk basis explains.
    NaN where a wave has fewer than three regions or no variation.
    """
    d = pd.DataFrame({"wave": np.asarray(wave), "y": np.asarray(y, float), "f": np.asarray(fitted, float)}).dropna()
    if d.empty:
        return pd.Series(dtype=float)
    d["yf"], d["yy"], d["ff"] = d.y * d.f, d.y * d.y, d.f * d.f
    g = d.groupby("wave").agg(
        n=("y", "size"), sy=("y", "sum"), sf=("f", "sum"), syf=("yf", "sum"), syy=("yy", "sum"), sff=("ff", "sum")
    )
    cov = g.syf - g.sy * g.sf / g.n
    vy = g.syy - g.sy**2 / g.n
    vf = g.sff - g.sf**2 / g.n
    with np.errstate(invalid="ignore", divide="ignore"):
        r2 = cov**2 / (vy * vf)
    r2[(g.n < 3) | ~(vy > 1e-12) | ~(vf > 1e-12)] = np.nan
    return r2.clip(0.0, 1.0)


def eta2_by_wave(wave, y, group) -> pd.Series:
    """Per wave: the share of the between-region variance of ``y`` explained by ``group`` alone.

    The R^2 of a one-way analysis of variance (eta squared): between-group sum
    of squares over total sum of squares. NaN where the wave has no variation.
    """
    d = pd.DataFrame({"wave": np.asarray(wave), "y": np.asarray(y, float), "g": np.asarray(group, object)})
    d = d[np.isfinite(d.y) & d.g.notna()]
    if d.empty:
        return pd.Series(dtype=float)
    wave_mean = d.groupby("wave").y.transform("mean")
    group_mean = d.groupby(["wave", "g"]).y.transform("mean")
    d["tot"] = (d.y - wave_mean) ** 2
    d["between"] = (group_mean - wave_mean) ** 2
    g = d.groupby("wave")[["tot", "between"]].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        eta = g.between / g.tot
    eta[~(g.tot > 1e-12)] = np.nan
    return eta.clip(0.0, 1.0)
