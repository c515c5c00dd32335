"""The first half of each verdict's sentence: what the region's value is, against the norm or limits.

One function ``_subject_<indicator id>`` per indicator writes it from the phrases of :class:`_Parts`;
:mod:`pipelines.engine.explain` adds the second half (which side of the limits, and what follows).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from pipelines.contract.catalogues import readable
from pipelines.contract.indicators import BY_ID
from pipelines.engine.phrases import nl_list, nl_numbers, nl_percent, nl_range, plural, shorten_list, text_series

#: How the uniform norm reads in a sentence, from the contract.
NORM_PHRASES = {i.id: i.norm_phrase for i in BY_ID.values() if i.norm_phrase is not None}


def _window_phrase(f: pd.DataFrame, lookback: int) -> pd.Series:
    """'in de peiljaren 2023, 2024 en 2025', saying so where the region has fewer waves."""
    n = pd.to_numeric(f["n_window_waves"], errors="coerce").fillna(0).astype(int)
    listed = nl_list(f["window_waves"])
    full = lookback + 1
    one = "in " + listed + " (alleen dit peiljaar beschikbaar van de laatste " + str(full) + ")"
    some = "in " + listed + " (" + n.astype(str) + " van de laatste " + str(full) + " peiljaren beschikbaar)"
    allw = "in de peiljaren " + listed
    return text_series(np.select([n >= full, n == 1], [allw, one], default=some), f.index)


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
        # the codes in the detail (ovd_p/helm op_afroep) in words: the sentence is read and quoted by people
        self.detail = f["detail"].fillna("").astype(str).map(readable)
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
        return text_series(
            np.where(self.f["norm_source"].astype(object) == "modaal", ", deels modaal", ""), self.f.index
        )

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
    carried = text_series(
        np.where(
            basis.notna() & (basis != f["wave"]),
            " (risicobeoordeling uit " + basis.fillna(0).astype(int).astype(str) + ")",
            "",
        ),
        f.index,
    )
    # judged on the window's waves pooled; the single wave follows, with its own test where it is outside
    n = pd.to_numeric(f["n_window_waves"], errors="coerce").fillna(1)
    pooled = n > 1
    together = text_series(np.where(pooled, " samen", ""), f.index)
    side = f["wave_direction"].astype(object)
    own = text_series(
        np.where(
            side == "lager",
            ", onder de eigen 99,8%-grens van dat peiljaar",
            np.where(side == "hoger", ", boven de eigen 99,8%-grens van dat peiljaar", ""),
        ),
        f.index,
    )
    single = text_series(
        np.where(
            pooled,
            "; in "
            + c.W
            + " alleen "
            + nl_numbers(f["wave_numerator"], 0)
            + " waar "
            + nl_numbers(f["wave_denominator"], 1)
            + " verwacht"
            + own,
            "",
        ),
        f.index,
    )
    return (
        c.R
        + " hield "
        + c.win()
        + together
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
        + single
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
    which = text_series(np.where(c.detail != "", " (" + shorten_list(c.detail, sep="; ") + ")", ""), c.f.index)
    return (
        c.R
        + " heeft "
        + c.num
        + " van de "
        + c.den()
        + " bijzonderheden uit het plan "
        + c.win()
        + " niet beoefend zonder toelichting die telt"
        + which
        + c.norm
    )


def _subject_risk_substantiated(c: _Parts) -> pd.Series:
    ok = text_series(np.where(pd.to_numeric(c.f["value"]) >= 1, "is", "is niet"), c.f.index)
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
    which = text_series(np.where(c.detail != "", "; afwijkend: " + shorten_list(c.detail), ""), c.f.index)
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
    done = text_series(np.where(pd.to_numeric(c.f["value"]) >= 1, "wel", "niet"), c.f.index)
    return c.R + " heeft het ringenmodel " + c.win() + " " + done + " beoefend" + c.norm


def _subject_equipment_parity(c: _Parts) -> pd.Series:
    which = text_series(np.where(c.detail != "", "; onder de norm: " + shorten_list(c.detail), ""), c.f.index)
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


def subject(ind: str, f: pd.DataFrame, lookback: int) -> pd.Series:
    """The part of the sentence that states the value and the norm or limits."""
    c = _Parts(ind, f, lookback)
    if ind in SUBJECTS:
        return SUBJECTS[ind](c)
    return c.R + " heeft in " + c.W + " de waarde " + nl_numbers(f["value"], 2)
