"""Dutch phrases made from numbers and lists, vectorised over pandas Series.

Decimal comma and a dot between thousands ('1.234,5'), percentages ('37,5%'), ranges
('0,31-2,10'), lists ('2023, 2024 en 2025') and singular or plural: the building blocks of
the engine's sentences (:mod:`pipelines.engine.sentences`, :mod:`pipelines.engine.explain`).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType

_SWAP = str.maketrans({",": ".", ".": ","})


def text_series(x, index) -> pd.Series:
    """``x`` (a scalar or an array) as a Series of objects on ``index``."""
    return pd.Series(x, index=index, dtype=object)


def nl_number(x, decimals: int = 2) -> str:
    """One number in Dutch notation: decimal comma, dot between thousands; '?' when missing."""
    if x is None:
        return "?"
    try:
        v = float(x)
    except (TypeError, ValueError):
        return "?"
    if not math.isfinite(v):
        return "?"
    v = round(v, decimals)
    if v == 0:
        v = 0.0  # no "-0,00"
    return f"{v:,.{decimals}f}".translate(_SWAP)


def nl_numbers(x, decimals: int = 2) -> pd.Series:
    """:func:`nl_number` over a Series (index kept), vectorised with numpy's string functions."""
    s = x if isinstance(x, pd.Series) else pd.Series(x)
    v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    finite = np.isfinite(v)
    scale = 10 ** int(decimals)
    q = np.zeros(v.shape, dtype=np.int64)
    q[finite] = np.round(np.abs(v[finite]) * scale).astype(np.int64)
    neg = finite & (v < 0) & (q > 0)
    whole, frac = q // scale, q % scale
    sd = StringDType()
    text = whole.astype(sd)
    big = whole >= 1000
    if big.any():  # thousands separated by a dot; rare, so formatted one by one
        text[big] = [f"{n:,}".replace(",", ".") for n in whole[big].tolist()]
    if decimals > 0:
        text = np.strings.add(np.strings.add(text, ","), np.strings.zfill(frac.astype(sd), int(decimals)))
    text = np.where(neg, np.strings.add(np.array("-", dtype=sd), text), text)
    text = np.where(finite, text, np.array("?", dtype=sd))
    return pd.Series(text.astype(object), index=s.index, dtype=object)


def nl_percent(x, decimals: int = 1) -> pd.Series:
    """Proportions as Dutch percentages ('37,5%')."""
    s = x if isinstance(x, pd.Series) else pd.Series(x)
    return nl_numbers(pd.to_numeric(s, errors="coerce").astype(float) * 100.0, decimals) + "%"


def nl_range(lower, upper, decimals: int = 2, percent: bool = False) -> pd.Series:
    """'0,31-2,10'; with a negative lower limit '-0,22 tot 4,92', so that the minus sign stays readable."""
    lo = lower if isinstance(lower, pd.Series) else pd.Series(lower)
    hi = upper if isinstance(upper, pd.Series) else pd.Series(upper, index=lo.index)
    if percent:
        a, b = nl_percent(lo, decimals), nl_percent(hi, decimals)
    else:
        a, b = nl_numbers(lo, decimals), nl_numbers(hi, decimals)
    neg = (pd.to_numeric(lo, errors="coerce") < 0).to_numpy()
    return pd.Series(np.where(neg, a + " tot " + b, a + "-" + b), index=lo.index, dtype=object)


def nl_list(labels: pd.Series) -> pd.Series:
    """'2023, 2024, 2025' -> '2023, 2024 en 2025'."""
    return labels.fillna("").astype(str).str.replace(r", ([^,]+)$", r" en \1", regex=True)


def plural(n: pd.Series, singular: str, many: str) -> pd.Series:
    n = pd.to_numeric(n, errors="coerce")
    return pd.Series(np.where(n == 1, singular, many), index=n.index, dtype=object)


def shorten_list(text: pd.Series, keep: int = 4, sep: str = ", ") -> pd.Series:
    """Keep the first ``keep`` items of a ``sep``-separated list and say how many more there are."""
    text = text.fillna("").astype(str)
    parts = text.str.split(sep, regex=False)
    n = parts.str.len().fillna(0).astype(int)
    head = parts.str.slice(0, keep).str.join(sep)
    more = n - keep
    tail = pd.Series(np.where(more > 0, " en nog " + more.astype(str), ""), index=text.index, dtype=object)
    return (head + tail).where(text != "", "")
