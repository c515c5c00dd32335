"""Verdicts and their one-sentence Dutch explanations, vectorised over a frame.

The verdict rules are the methodology's (``docs/method.md``):

* a value outside the 99.8% limits (or, for a uniform norm, not meeting the
  norm) on the unfavourable side of the indicator's polarity is a deviation:
  ``afwijking_onderbouwd`` where the indicator's substantiation holds,
  ``afwijking_niet_onderbouwd`` otherwise;
* outside the 99.8% limits on the favourable side: ``gunstige_afwijking``
  (uniform norms have no favourable side: meeting or exceeding them is
  ``conform``);
* no value: ``onvoldoende_gegevens``;
* otherwise ``conform``. Outside the 95% limits but inside the 99.8% limits is
  reported as an early signal (``signal_95``) and does not change the verdict.

A sentence states the value against the norm or limits (:mod:`pipelines.engine.sentences`),
then what follows from it (here); its Dutch numbers come from :mod:`pipelines.engine.phrases`.
Nothing here imports Dagster or touches the database.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.contract import statuses as S
from pipelines.contract import verdicts as V
from pipelines.contract.catalogues import readable
from pipelines.contract.indicators import (
    BY_ID,
    EQUIPMENT_PARITY,
    PLAN_UNEXERCISED_UNSUBSTANTIATED,
    POLARITY_NL,
    RING_CONFORMITY,
)
from pipelines.contract.reasons import ACCEPTED, REASON_INDICATORS
from pipelines.engine.phrases import nl_range, plural, text_series
from pipelines.engine.sentences import subject

VERDICTS = V.VERDICTS
UNFAVOURABLE = V.UNFAVOURABLE
DIRECTIONS = V.DIRECTIONS
POLARITIES = tuple(POLARITY_NL)


# --------------------------------------------------------------------------
# Verdicts
# --------------------------------------------------------------------------


def decide(value, lower_998, upper_998, lower_95, upper_95, target, limit_based, polarity, substantiated):
    """Verdict, direction and early signal per row (all arguments array-like, same length).

    ``limit_based`` rows compare ``value`` with the limits; the other rows
    (uniform norms) compare it with ``target``: for polarity ``higher`` a value
    below the target is a deviation, for ``lower`` one above it, for ``both``
    either. Missing limits never flag a row.

    Returns ``(verdict, direction, signal_95)`` as object arrays; direction and
    signal are ``'hoger'``/``'lager'`` or None.
    """
    value = np.asarray(value, dtype=float)
    lo, hi = np.asarray(lower_998, dtype=float), np.asarray(upper_998, dtype=float)
    lo95, hi95 = np.asarray(lower_95, dtype=float), np.asarray(upper_95, dtype=float)
    target = np.asarray(target, dtype=float)
    limit_based = np.asarray(limit_based, dtype=bool)
    polarity = np.asarray(polarity, dtype=object)
    subst = np.asarray(pd.Series(substantiated).fillna(False).astype(bool))
    with np.errstate(invalid="ignore"):
        low = np.where(limit_based, value < lo, value < target)
        high = np.where(limit_based, value > hi, value > target)
        low95 = limit_based & (value < lo95) & ~low
        high95 = limit_based & (value > hi95) & ~high
    low = np.nan_to_num(low, nan=0).astype(bool)
    high = np.nan_to_num(high, nan=0).astype(bool)
    unfav = np.select([polarity == "higher", polarity == "lower"], [low, high], default=low | high)
    fav = limit_based & np.select([polarity == "higher", polarity == "lower"], [high, low], default=False)
    missing = ~np.isfinite(value)
    verdict = np.select(
        [missing, unfav & subst, unfav, fav],
        [V.MISSING, V.SUBSTANTIATED, V.UNJUSTIFIED, V.FAVOURABLE],
        default=V.CONFORM,
    ).astype(object)
    none = np.array(None, dtype=object)  # numpy's typed where() wants an array, not a bare None
    direction = np.where(~missing & (unfav | fav), np.where(high, V.HIGHER, V.LOWER), none).astype(object)
    signal = np.where(~missing & (low95 | high95), np.where(high95, V.HIGHER, V.LOWER), none).astype(object)
    return verdict, direction, signal


# --------------------------------------------------------------------------
# Explanations
# --------------------------------------------------------------------------

#: Why a deviation is or is not substantiated, per indicator: (holds, does not hold), from the contract.
#: Indicators without phrases allow no substantiation.
SUBSTANTIATION_PHRASES = {i.id: i.substantiation_phrases for i in BY_ID.values() if i.substantiation_phrases}
NO_SUBSTANTIATION = "voor deze indicator telt een toelichting niet als rechtvaardiging"
#: Indicators whose deviation a region's reason can justify, weighed by the rules (docs/verdicts.md 5a).
REASONED = frozenset(REASON_INDICATORS) - {PLAN_UNEXERCISED_UNSUBSTANTIATED}

MODULE_WORDS = {
    "oefeningen": "oefeningen",
    "planvorming": "planvorming",
    "risico": "risicobeoordeling",
    "ringenmodel": "ringenmodel",
    "middelen": "middelen",
    "lessen": "lessen",
}


def _reason_phrases(ind: str, f: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """What the region's reasons say, as weighed (int_reason_verdicts): (they count, they do not)."""
    note = f["reason_note"].fillna("geen toelichting").astype(str).map(readable)
    status = f["reason_status"].fillna("geen").astype(str)
    single = ind not in (RING_CONFORMITY, EQUIPMENT_PARITY)
    if single:
        yes = "de toelichting van de regio telt (" + note + ")"
        no = text_series(
            np.where(status == "geen", "de regio gaf geen toelichting", "de toelichting telt niet (" + note + ")"),
            f.index,
        )
    else:
        yes = "elke afwijkende cel heeft een toelichting die telt (" + note + ")"
        no = "niet elke afwijkende cel heeft een toelichting die telt (" + note + ")"
    return text_series(yes, f.index), text_series(no, f.index)


def _outcome(ind: str, f: pd.DataFrame, limit_based: bool) -> pd.Series:
    """The part that says on which side of the limits or the norm the value lies and what follows."""
    verdict = f["verdict"].astype(object)
    direction = f["direction"].astype(object)
    yes, no = SUBSTANTIATION_PHRASES.get(ind, (None, NO_SUBSTANTIATION))
    model = ind in BY_ID and BY_ID[ind].norm_type == "model"
    if ind in REASONED and "reason_note" in f:
        yes, no = _reason_phrases(ind, f)
    elif ind == PLAN_UNEXERCISED_UNSUBSTANTIATED:
        no = "bijzonderheden met een toelichting die telt zijn al buiten de telling gelaten"
    elif model and ind in SUBSTANTIATION_PHRASES:  # say what is missing in the risk assessment
        detail = f["detail"].fillna("").astype(str).map(readable)
        no = no + text_series(np.where(detail != "", " (" + detail + ")", ""), f.index)
    if limit_based:
        side = np.where(direction == V.HIGHER, "boven de bovengrens", "onder de ondergrens")
        signal = f["signal_95"].astype(object)
        if model:
            l95 = nl_range(f["lower_95"], f["upper_95"])
        else:
            l95 = nl_range(f["lower_95"], f["upper_95"], 1, percent=True)
        word = np.where(signal == V.HIGHER, "hoge", "lage")
        conform = text_series(
            np.where(
                signal.notna(),
                "binnen de 99,8%-grenzen, maar buiten de 95%-grenzen ("
                + l95
                + "): conform, met een vroeg signaal (aan de "
                + pd.Series(word, index=f.index)
                + " kant)",
                "binnen de 99,8%-grenzen: conform",
            ),
            f.index,
        )
    else:
        side = np.where(direction == V.HIGHER, "boven de norm", "onder de norm")
        conform = text_series("voldoet aan de norm: conform", f.index)
    side = text_series(side, f.index)
    favourable = side + ": gunstige afwijking, een praktijk waar anderen van kunnen leren"
    weighed = f["reason_status"].eq(ACCEPTED) if "reason_status" in f else pd.Series(False, index=f.index)
    closing = text_series(
        np.where(
            weighed,
            ": afwijking onderbouwd, door de inspectie aanvaard",
            ": afwijking onderbouwd, ter weging door de analist",
        ),
        f.index,
    )
    justified = side + ", maar " + ("" if yes is None else yes) + closing
    unjustified = side + " en " + no + ": afwijking niet onderbouwd"
    return text_series(
        np.select(
            [verdict == V.CONFORM, verdict == V.FAVOURABLE, verdict == V.SUBSTANTIATED, verdict == V.UNJUSTIFIED],
            [conform, favourable, justified, unjustified],
            default="",
        ),
        f.index,
    )


def explain(frame: pd.DataFrame, norm_types: dict[str, str], lookback: int = 2) -> pd.Series:
    """One Dutch sentence per row of a register frame that has a value.

    ``frame`` needs the register's columns (value, numerator, denominator,
    target, limits, verdict, direction) and ``signal_95``, ``detail``,
    ``window_waves``, ``n_window_waves``, ``basis_wave``, ``norm_source``.
    Rows whose verdict is ``onvoldoende_gegevens`` get an empty string here;
    :func:`explain_missing` writes theirs.
    """
    out = pd.Series("", index=frame.index, dtype=object)
    has = frame["verdict"] != V.MISSING
    for ind, f in frame[has].groupby("indicator_id", sort=False):
        limit_based = norm_types[ind] in ("model", "landelijk")
        out.loc[f.index] = subject(ind, f, lookback) + "; " + _outcome(ind, f, limit_based) + "."
    return out


def explain_missing(frame: pd.DataFrame) -> pd.Series:
    """The sentence for an ``onvoldoende_gegevens`` row, from ``missing_reason``."""
    return (
        "Voor "
        + frame["region_code"].astype(str)
        + " in "
        + frame["wave"].astype(int).astype(str)
        + " is geen oordeel mogelijk: "
        + frame["missing_reason"].fillna("de gegevens ontbreken").astype(str)
        + "."
    )


def status_phrase(module: pd.Series, status: pd.Series, n_errors: pd.Series) -> pd.Series:
    """Why a module is not in use, from its submission status."""
    word = module.map(lambda m: MODULE_WORDS.get(m, m)).astype(object)
    n = pd.to_numeric(n_errors, errors="coerce").fillna(0).astype(int)
    errs = n.astype(str) + " " + plural(n, "fout", "fouten")
    extra = text_series(np.where(word != module, " (" + word + ")", ""), module.index)
    base = "de module '" + module.astype(str) + "'" + extra
    why = [(" " + p).partition("{errors}") for p in S.NOT_IN_USE.values()]  # the phrase around the error count
    return text_series(
        np.select(
            [status == code for code in S.NOT_IN_USE],
            [base + before + (errs + after if mark else "") for before, mark, after in why],
            default=base + " " + S.NOT_IN_USE_OTHERWISE,
        ),
        module.index,
    )
