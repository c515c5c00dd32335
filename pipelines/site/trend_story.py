"""The overview's trend: the national count of unjustified deviations per wave, and a Dutch sentence on what
drives the largest fall and the largest rise between two consecutive waves (which indicators and regions carry
the change, and what became of the previous wave's deviations), so that a reader who sees a dip is told why.
"""

from __future__ import annotations

import pandas as pd

from pipelines.contract import verdicts
from pipelines.site.labels import INDICATORS
from pipelines.site.labels import whole_nl as _nl

#: How many indicators and regions a sentence names as carrying a change.
NAMED = 3
KEYS = ["region_code", "indicator_id"]
#: The overview's marks per region and indicator: code -> (glyph, word, what it means). The same mark for
#: persistent as in the verdict matrix.
MARKS: dict[str, tuple[str, str, str]] = {
    "persistent": ("↻", "aanhoudend", "ongunstig in dit peiljaar en in minstens één van de twee peiljaren ervoor"),
    verdicts.IMPROVING: ("↗", verdicts.TREND_LABELS[verdicts.IMPROVING], "significant beter over de peiljaren tot nu"),
    verdicts.WORSENING: (
        "↘",
        verdicts.TREND_LABELS[verdicts.WORSENING],
        "significant slechter over de peiljaren tot nu",
    ),
}
#: What an earlier wave's unjustified deviation can have become, in the words of the sentence.
BECAME = {
    verdicts.CONFORM: verdicts.VERDICT_LABELS[verdicts.CONFORM],
    verdicts.FAVOURABLE: "gunstig",
    verdicts.SUBSTANTIATED: "onderbouwd",
    verdicts.MISSING: "zonder gegevens",
}


def _plural(n: int, one: str, many: str) -> str:
    return f"{_nl(n)} {one if n == 1 else many}"


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def national_counts(register: pd.DataFrame) -> pd.DataFrame:
    """Per wave: unjustified deviations, the regions with at least one, the regions judged, and the cells
    without a verdict for lack of data (a dip can be no more than a region that sent nothing)."""
    if register is None or register.empty:
        return pd.DataFrame(columns=["wave", "n_unjustified", "n_regions_unjustified", "n_regions", "n_missing"])
    r = register
    unj = r["verdict"] == verdicts.UNJUSTIFIED
    judged = r["verdict"] != verdicts.MISSING
    out = pd.DataFrame(
        {
            "n_unjustified": unj.groupby(r["wave"]).sum(),
            "n_regions_unjustified": r[unj].groupby("wave")["region_code"].nunique(),
            "n_regions": r[judged].groupby("wave")["region_code"].nunique(),
            "n_missing": (~judged).groupby(r["wave"]).sum(),
        }
    )
    out = out.reindex(sorted(r["wave"].unique())).fillna(0).astype(int)
    return out.rename_axis("wave").reset_index()


def _short(indicator_id: str) -> str:
    return str(INDICATORS.get(indicator_id, {}).get("short", indicator_id))


def _change(register: pd.DataFrame, a: int, b: int, names: dict[str, str]) -> str:
    """The sentence on the change from wave ``a`` to wave ``b``."""
    unj = register[register["verdict"] == verdicts.UNJUSTIFIED]
    na, nb = int((unj["wave"] == a).sum()), int((unj["wave"] == b).sum())
    fell = nb < na
    word = "daling" if fell else "stijging"
    parts = [
        f"De grootste {word} is van {a} naar {b}: van {_nl(na)} naar {_nl(nb)} niet onderbouwde afwijkingen "
        f"({'−' if fell else '+'}{_nl(abs(nb - na))})."
    ]
    # what the deviations of the earlier wave became, and how many are new
    before = unj[unj["wave"] == a][KEYS]
    after = register[register["wave"] == b][KEYS + ["verdict"]]
    fate = before.merge(after, on=KEYS, how="left")["verdict"].fillna(verdicts.MISSING)
    counts = fate.value_counts()
    became = [f"{_nl(counts[v])} {word}" for v, word in BECAME.items() if counts.get(v, 0)]
    stayed = int(counts.get(verdicts.UNJUSTIFIED, 0))
    if na:
        stay = f"{_nl(stayed)} {'bleef' if stayed == 1 else 'bleven'} niet onderbouwd"
        new = f"{_plural(nb - stayed, 'afwijking is', 'afwijkingen zijn')} nieuw"
        if became:
            parts.append(
                f"Van de {_nl(na)} van {a} waren er in {b} {_listing(became)}"
                + (f"; {stay}" if stayed else "")
                + f", en {new}."
            )
        else:
            parts.append(
                f"Van de {_nl(na)} van {a} {'bleef' if stayed == 1 else 'bleven'} er {_nl(stayed)} niet onderbouwd, en {new}."
            )
    per_ind = _diff(unj, a, b, "indicator_id", fell)
    if per_ind:
        parts.append("Het meest bij " + _listing([f"{_short(k)} ({_nl(x)} → {_nl(y)})" for k, x, y in per_ind]) + ".")
    per_reg = _diff(unj, a, b, "region_code", fell)
    if per_reg:
        parts.append(
            "Per regio: " + _listing([f"{names.get(k, k)} ({_nl(x)} → {_nl(y)})" for k, x, y in per_reg]) + "."
        )
    in_b = register[register["wave"] == b]
    judged = in_b[in_b["verdict"] != verdicts.MISSING]["region_code"]
    gone = sorted(set(in_b["region_code"]) - set(judged))
    if gone:
        parts.append(
            f"In {b} {'had' if len(gone) == 1 else 'hadden'} {_listing([names.get(c, c) for c in gone])} "
            "geen gegevens (geen aanlevering of alles afgewezen), dus ook geen oordeel."
        )
    return " ".join(parts)


def _diff(unj: pd.DataFrame, a: int, b: int, key: str, fell: bool) -> list[tuple[str, int, int]]:
    """The ``NAMED`` values of ``key`` whose count moved most in the direction of the change."""
    ca = unj[unj["wave"] == a][key].value_counts()
    cb = unj[unj["wave"] == b][key].value_counts()
    both = pd.DataFrame({"a": ca, "b": cb}).fillna(0).astype(int)
    both["d"] = both["b"] - both["a"]
    both = both[both["d"] < 0] if fell else both[both["d"] > 0]
    both = both.assign(k=both.index.astype(str), m=both["d"].abs()).sort_values(["m", "k"], ascending=[False, True])
    return [(k, int(x), int(y)) for k, x, y in both[["k", "a", "b"]].head(NAMED).itertuples(index=False)]


def change_story(register: pd.DataFrame, names: dict[str, str]) -> list[dict]:
    """The largest fall and the largest rise between consecutive waves (each only if there is one):
    ``[{"from": wave, "to": wave, "change": n, "text": Dutch sentences}]``, the fall first."""
    counts = national_counts(register)
    if len(counts) < 2:
        return []
    steps = [
        (int(b.wave), int(a.wave), int(b.n_unjustified - a.n_unjustified))
        for a, b in zip(counts.itertuples(), counts.iloc[1:].itertuples(), strict=False)
    ]
    out = []
    for pick, keep in ((min, lambda d: d < 0), (max, lambda d: d > 0)):
        # ties: the earliest step, so that the sentence does not change with the order of the rows
        best = pick(steps, key=lambda s: (s[2], s[0] if pick is min else -s[0]))
        if keep(best[2]):
            to, frm = best[0], best[1]
            out.append({"from": frm, "to": to, "change": best[2], "text": _change(register, frm, to, names)})
    return out


def markers(register: pd.DataFrame) -> pd.DataFrame:
    """The region-indicator pairs that carry a marker in a wave: a persistent unfavourable verdict, or a
    significant recent trend (improving or worsening). A register without either column marks nothing by it."""
    cols = ["wave", "region_code", "indicator_id", "verdict", "persistent", "trend"]
    if register is None or register.empty:
        return pd.DataFrame(columns=cols)
    r = register.assign(
        persistent=register["persistent"] if "persistent" in register.columns else False,
        trend=register["trend"] if "trend" in register.columns else None,
    )
    keep = r["persistent"].fillna(False).astype(bool) | r["trend"].isin([verdicts.IMPROVING, verdicts.WORSENING])
    return r.loc[keep, cols].sort_values(["wave", "region_code", "indicator_id"], kind="stable")
