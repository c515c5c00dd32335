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

Nothing here imports Dagster or touches the database.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from numpy.dtypes import StringDType

from pipelines.contract import verdicts as V
from pipelines.contract.indicators import BY_ID, POLARITY_NL

VERDICTS = V.VERDICTS
UNFAVOURABLE = V.UNFAVOURABLE
DIRECTIONS = V.DIRECTIONS
POLARITIES = tuple(POLARITY_NL)

_SWAP = str.maketrans({",": ".", ".": ","})


# --------------------------------------------------------------------------
# Dutch number formatting
# --------------------------------------------------------------------------


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


def shorten_list(text: pd.Series, keep: int = 4) -> pd.Series:
    """Keep the first ``keep`` items of a ', '-separated list and say how many more there are."""
    text = text.fillna("").astype(str)
    parts = text.str.split(", ")
    n = parts.str.len().fillna(0).astype(int)
    head = parts.str.slice(0, keep).str.join(", ")
    more = n - keep
    tail = pd.Series(np.where(more > 0, " en nog " + more.astype(str), ""), index=text.index, dtype=object)
    return (head + tail).where(text != "", "")


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
    direction = np.where(~missing & (unfav | fav), np.where(high, V.HIGHER, V.LOWER), None).astype(object)
    signal = np.where(~missing & (low95 | high95), np.where(high95, V.HIGHER, V.LOWER), None).astype(object)
    return verdict, direction, signal


# --------------------------------------------------------------------------
# Explanations
# --------------------------------------------------------------------------

#: Why a deviation is or is not substantiated, per indicator: (holds, does not hold), from the contract.
#: Indicators without phrases allow no substantiation.
SUBSTANTIATION_PHRASES = {i.id: i.substantiation_phrases for i in BY_ID.values() if i.substantiation_phrases}
NO_SUBSTANTIATION = "een onderbouwing kan deze afwijking niet rechtvaardigen"

#: How the uniform norm reads in a sentence, from the contract.
NORM_PHRASES = {i.id: i.norm_phrase for i in BY_ID.values() if i.norm_phrase is not None}

MODULE_WORDS = {
    "oefeningen": "oefeningen",
    "planvorming": "planvorming",
    "risico": "risicobeoordeling",
    "ringenmodel": "ringenmodel",
    "middelen": "middelen",
    "lessen": "lessen",
}


def _s(x, index) -> pd.Series:
    return pd.Series(x, index=index, dtype=object)


def _window_phrase(f: pd.DataFrame, lookback: int) -> pd.Series:
    """'in de peiljaren 2023, 2024 en 2025', saying so where the region has fewer waves."""
    n = pd.to_numeric(f["n_window_waves"], errors="coerce").fillna(0).astype(int)
    listed = nl_list(f["window_waves"])
    full = lookback + 1
    one = "in " + listed + " (alleen dit peiljaar beschikbaar van de laatste " + str(full) + ")"
    some = "in " + listed + " (" + n.astype(str) + " van de laatste " + str(full) + " peiljaren beschikbaar)"
    allw = "in de peiljaren " + listed
    return _s(np.select([n >= full, n == 1], [allw, one], default=some), f.index)


class _Parts:
    """The phrases a sentence is made of, for one indicator's rows ``f``.

    Each indicator uses only some phrases: those that cost time are built when
    called (at 2,500 regions each costs about a second over the register).
    """

    def __init__(self, ind: str, f: pd.DataFrame, lookback: int):
        self.ind, self.f, self.lookback = ind, f, lookback
        self.R = f["region_code"].astype(str)
        self.W = f["wave"].astype(int).astype(str)
        self.num = nl_numbers(f["numerator"], 0)
        self.detail = f["detail"].fillna("").astype(str)
        self.norm = " (norm: " + NORM_PHRASES.get(ind, "") + ")"

    def den(self):
        return nl_numbers(self.f["denominator"], 0)

    def lim(self):
        return nl_range(self.f["lower_998"], self.f["upper_998"])

    def limp(self):
        return nl_range(self.f["lower_998"], self.f["upper_998"], 1, percent=True)

    def win(self):
        return _window_phrase(self.f, self.lookback)

    def modal(self):
        return _s(np.where(self.f["norm_source"].astype(object) == "modaal", ", deels modaal", ""), self.f.index)

    def share(self, text):
        return (
            text
            + " ("
            + nl_percent(self.f["value"])
            + "; landelijk "
            + nl_percent(self.f["target"])
            + ", 99,8%-grenzen "
            + self.limp()
            + ")"
        )


# The sentence of each indicator: a function _subject_<indicator id> (tests/contract/test_contract.py checks
# that there is one for every indicator of pipelines.contract.indicators and none for another).


def _subject_ex_count(c: _Parts) -> pd.Series:
    f = c.f
    basis = pd.to_numeric(f["basis_wave"], errors="coerce")
    carried = _s(
        np.where(
            basis.notna() & (basis != f["wave"]),
            " (risicobeoordeling uit " + basis.fillna(0).astype(int).astype(str) + ")",
            "",
        ),
        f.index,
    )
    return (
        c.R
        + " hield in "
        + c.W
        + " "
        + c.num
        + " "
        + plural(f["numerator"], "oefening", "oefeningen")
        + " waar op grond van het risicoprofiel"
        + carried
        + " "
        + nl_numbers(f["denominator"], 1)
        + " werden verwacht (O/E "
        + nl_numbers(f["value"], 2)
        + "; 99,8%-grenzen "
        + c.lim()
        + ")"
    )


def _subject_risk_probability(c: _Parts) -> pd.Series:
    return (
        c.R
        + " schat de kans op een aanslag in "
        + c.W
        + " op "
        + nl_numbers(c.f["value"], 0)
        + ", waar het risicoprofiel "
        + nl_numbers(c.f["target"], 2)
        + " doet verwachten (99,8%-grenzen "
        + c.lim()
        + ")"
    )


def _subject_ex_multidisciplinary_share(c: _Parts) -> pd.Series:
    return c.share(c.R + ": " + c.num + " van " + c.den() + " oefeningen in " + c.W + " waren multidisciplinair")


def _subject_ex_evaluated_share(c: _Parts) -> pd.Series:
    return c.share(c.R + " evalueerde " + c.num + " van " + c.den() + " oefeningen in " + c.W)


def _subject_plan_coverage(c: _Parts) -> pd.Series:
    return c.share(c.R + " beoefende " + c.win() + " " + c.num + " van de " + c.den() + " bijzonderheden uit het plan")


def _subject_lessons_shared_share(c: _Parts) -> pd.Series:
    return c.share(c.R + " deelde " + c.num + " van " + c.den() + " lessen in " + c.W + " via het virtueel kantoor")


def _subject_lessons_followed_up_share(c: _Parts) -> pd.Series:
    return c.share(c.R + " voerde bij " + c.num + " van " + c.den() + " lessen in " + c.W + " de opvolging uit")


def _subject_ex_strategic(c: _Parts) -> pd.Series:
    return (
        c.R
        + " hield "
        + c.win()
        + " "
        + c.num
        + " "
        + plural(c.f["numerator"], "oefening", "oefeningen")
        + " op strategisch niveau"
        + c.norm
    )


def _subject_ex_with_ncc(c: _Parts) -> pd.Series:
    return (
        c.R
        + " hield "
        + c.win()
        + " "
        + c.num
        + " "
        + plural(c.f["numerator"], "oefening", "oefeningen")
        + " met de nationale crisisorganisatie"
        + c.norm
    )


def _subject_plan_unexercised_unsubstantiated(c: _Parts) -> pd.Series:
    which = _s(np.where(c.detail != "", " (" + shorten_list(c.detail) + ")", ""), c.f.index)
    return (
        c.R
        + " heeft "
        + c.num
        + " van de "
        + c.den()
        + " bijzonderheden uit het plan "
        + c.win()
        + " niet beoefend zonder onderbouwing"
        + which
        + c.norm
    )


def _subject_risk_substantiated(c: _Parts) -> pd.Series:
    ok = _s(np.where(pd.to_numeric(c.f["value"]) >= 1, "is", "is niet"), c.f.index)
    return (
        "De risicobeoordeling van "
        + c.R
        + " in "
        + c.W
        + " ("
        + c.detail
        + ") "
        + ok
        + " onderbouwd en vastgesteld"
        + c.norm
    )


def _subject_ring_conformity(c: _Parts) -> pd.Series:
    which = _s(np.where(c.detail != "", "; afwijkend: " + shorten_list(c.detail), ""), c.f.index)
    return (
        c.R
        + " volgt in "
        + c.num
        + " van de "
        + c.den()
        + " cellen van het ringenmodel de norm ("
        + nl_percent(c.f["value"])
        + which
        + "; norm: "
        + NORM_PHRASES[c.ind]
        + c.modal()
        + ")"
    )


def _subject_ring_exercised(c: _Parts) -> pd.Series:
    done = _s(np.where(pd.to_numeric(c.f["value"]) >= 1, "wel", "niet"), c.f.index)
    return c.R + " heeft het ringenmodel " + c.win() + " " + done + " beoefend" + c.norm


def _subject_equipment_parity(c: _Parts) -> pd.Series:
    which = _s(np.where(c.detail != "", "; onder de norm: " + shorten_list(c.detail), ""), c.f.index)
    return (
        c.R
        + " haalt in "
        + c.num
        + " van de "
        + c.den()
        + " cellen van functie en middel de norm ("
        + nl_percent(c.f["value"])
        + which
        + "; norm: "
        + NORM_PHRASES[c.ind]
        + c.modal()
        + ")"
    )


def _subject_lessons_from_others(c: _Parts) -> pd.Series:
    return (
        c.R
        + " nam "
        + c.win()
        + " "
        + c.num
        + " "
        + plural(c.f["numerator"], "les", "lessen")
        + " over van een andere regio"
        + c.norm
    )


#: indicator id -> the function that writes its sentence.
SUBJECTS = {
    name.removeprefix("_subject_"): fn
    for name, fn in dict(globals()).items()
    if name.startswith("_subject_") and callable(fn)
}


def _subject(ind: str, f: pd.DataFrame, lookback: int) -> pd.Series:
    """The part of the sentence that states the value and the norm or limits."""
    c = _Parts(ind, f, lookback)
    if ind in SUBJECTS:
        return SUBJECTS[ind](c)
    return c.R + " heeft in " + c.W + " de waarde " + nl_numbers(f["value"], 2)


def _outcome(ind: str, f: pd.DataFrame, limit_based: bool) -> pd.Series:
    """The part that says on which side of the limits or the norm the value lies and what follows."""
    verdict = f["verdict"].astype(object)
    direction = f["direction"].astype(object)
    yes, no = SUBSTANTIATION_PHRASES.get(ind, (None, NO_SUBSTANTIATION))
    model = ind in BY_ID and BY_ID[ind].norm_type == "model"
    if model:  # say what is missing in the risk assessment
        detail = f["detail"].fillna("").astype(str)
        no = no + _s(np.where(detail != "", " (" + detail + ")", ""), f.index)
    if limit_based:
        side = np.where(direction == V.HIGHER, "boven de bovengrens", "onder de ondergrens")
        signal = f["signal_95"].astype(object)
        if model:
            l95 = nl_range(f["lower_95"], f["upper_95"])
        else:
            l95 = nl_range(f["lower_95"], f["upper_95"], 1, percent=True)
        word = np.where(signal == V.HIGHER, "hoge", "lage")
        conform = _s(
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
        conform = _s("voldoet aan de norm: conform", f.index)
    side = _s(side, f.index)
    favourable = side + ": gunstige afwijking, een praktijk waar anderen van kunnen leren"
    justified = side + ", maar " + (yes or "") + ": afwijking onderbouwd, ter weging door de analist"
    unjustified = side + " en " + no + ": afwijking niet onderbouwd (ongerechtvaardigde variatie)"
    return _s(
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
        out.loc[f.index] = _subject(ind, f, lookback) + "; " + _outcome(ind, f, limit_based) + "."
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
    extra = _s(np.where(word != module, " (" + word + ")", ""), module.index)
    base = "de module '" + module.astype(str) + "'" + extra
    return _s(
        np.select(
            [status == "afgewezen", status == "conflict", status == "ontbreekt"],
            [
                base + " is afgewezen (" + errs + ") en er zijn geen eerder geladen gegevens",
                base + " is niet geladen, omdat er meerdere werkboeken van de regio zijn (conflict)",
                base + " is niet aangeleverd (status ontbreekt)",
            ],
            default=base + " is niet aangeleverd",
        ),
        module.index,
    )
