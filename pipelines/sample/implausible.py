"""Two valid but implausible returns, and one file with several problems (issue 20, point 5).

The plants, on regions that carry no other plant (so no verdict of the ground
truth moves):

* *Equipment changed wholesale* (:func:`_plant_wholesale_equipment`): in the last
  wave one region answers every equipment cell whose norm is below the top level
  one level higher than the norm, and so than its own previous return: more than
  half of the 64 rows change (``plausibel.omslag``). Above the norm is never
  flagged, so ``equipment_parity`` stays conform.
* *A return that contradicts itself* (:func:`_plant_contradictions`): in the wave
  before the last one region dates the adoption of its risk assessment a week
  after the day it filled in the survey, and counts 0 items of an equipment cell
  it calls available (``plausibel.tegenstrijdig`` twice). Neither date nor number
  enters a verdict.
* *A file with several problems* (:func:`_plant_broken_file`): one region's
  workbook of the wave before the last has a meta sheet with a second row and an impossible date (two errors:
  the meta module is rejected, and no indicator reads it), a sheet that is not
  part of the survey and a column without a meaning (two warnings); the other six
  modules load.

Beside them the statistical plants (a wave without exercises, shares of 0 or
100 %, a plan coverage of 0) are implausible against the regions' own earlier
returns too: :mod:`pipelines.sample.plausibility_truth` computes every warning
the data give and names the plant behind it.
"""

from __future__ import annotations

import datetime as dt

from pipelines.sample.helpers import _level
from pipelines.sample.model import Design, ImplausiblePlant
from pipelines.sample.names import AVAIL, EQUIP, META, RISK
from pipelines.sample.plants import _Planter

#: The problem rules of the plausibility warnings planted here (pipelines.contract.plausibility.CHECKS).
TURN, CONTRADICTION = "plausibel.omslag", "plausibel.tegenstrijdig"
#: A sheet that is not part of the survey and a column no module has: the broken file's two warnings.
EXTRA_SHEET, EXTRA_COLUMN = "Opmerkingen", "opmerking"
#: How many days after filling in the survey the contradicting region says its risk assessment was adopted.
LATE_DAYS = 7


def _plant_wholesale_equipment(p: _Planter, region: str | None) -> None:
    d, L = p.d, p.L
    if region is None or L - 1 not in p.present:  # a wholesale change needs a previous return to differ from
        return
    top = len(AVAIL.codes) - 1
    cells = {k for k, v in p.eq_target.items() if _level(AVAIL, v) < top}
    d.add(d.equip_above, (region, L), cells)
    d.roles["equipment changed wholesale (plausibility)"] = region
    d.implausible.append(
        ImplausiblePlant(
            region,
            L,
            EQUIP.name,
            TURN,
            f"Every equipment cell below the top level answered one level above the norm in {L} ({len(cells)} of "
            f"{len(p.eq_target)} cells): valid, above the norm (never flagged), but most rows differ from {L - 1}.",
        )
    )


def _plant_contradictions(p: _Planter, region: str | None) -> None:
    d, t = p.d, p.L - 1
    if region is None or t not in p.present:
        return
    cell = next(k for k in EQUIP.expected_grid() if _level(AVAIL, p.eq_target[k]) > 0)
    d.contradict[(region, t)] = {"late_adoption_days": LATE_DAYS, "empty_cell": cell}
    d.roles["return contradicts itself (plausibility)"] = region
    d.implausible.append(
        ImplausiblePlant(
            region,
            t,
            RISK.name,
            CONTRADICTION,
            f"Risk assessment adopted {LATE_DAYS} days after the survey was filled in.",
        )
    )
    d.implausible.append(
        ImplausiblePlant(
            region,
            t,
            EQUIP.name,
            CONTRADICTION,
            f"{'/'.join(cell[1:])}: availability {p.eq_target[cell]} (the norm), but aantal 0.",
        )
    )


def _plant_broken_file(p: _Planter, region: str | None, workbook_wave: bool) -> None:
    """In the wave before the last (a rerun that reads the last wave again then finds no rejection in it)."""
    if region is None or not workbook_wave or p.L - 1 not in p.present:
        return
    p.d.broken_file = (region, p.L - 1)
    p.d.roles["file with several problems"] = region


def _contradict(d: Design, world) -> None:
    """Apply the planted contradictions to the world (after the discipline pass, which would repair them)."""
    for (code, t), what in d.contradict.items():
        rw = world.get((code, t))
        if rw is None:
            continue
        risk, meta = rw.rows[RISK.name][0], rw.rows[META.name][0]
        if not risk["bestuurlijk_vastgesteld"]:
            raise AssertionError(f"sample: {code} {t} should have an adopted risk assessment to contradict")
        late = meta["datum_ingevuld"] + dt.timedelta(days=what["late_adoption_days"])
        if late.year != t:
            raise AssertionError(f"sample: {code} {t}: an adoption date {late} leaves the wave year")
        risk["datum_vastgesteld"] = late
        cell = rw.grids[EQUIP.name][what["empty_cell"]]
        if _level(AVAIL, cell["beschikbaarheid"]) == 0:
            raise AssertionError(f"sample: {code} {t}: the emptied equipment cell should be available")
        cell["aantal"] = 0


def break_workbook(sheets: dict, header_order: dict, headers: dict, wave: int) -> None:
    """The broken file: meta gets a second row with an impossible date (31 November), an extra sheet and an extra
    column in oefeningen are added. ``headers``: field name -> the header as written, per module."""
    meta = sheets[META.name]
    second = dict(next(r for r in meta if r is not None))
    for field in META.fields:
        second.pop(headers[META.name].get(field.name), None)
    second[headers[META.name]["datum_ingevuld"]] = f"31-11-{wave}"
    meta.append(second)
    exercises = "oefeningen"
    rows = [r for r in sheets[exercises] if r is not None]
    if rows:
        rows[0][EXTRA_COLUMN] = "nog navragen bij de veiligheidsregio"
        header_order[exercises] = [*header_order[exercises], EXTRA_COLUMN]
    sheets[EXTRA_SHEET] = [{"opmerking": "Concept: nog na te lopen voor verzending."}]
    header_order[EXTRA_SHEET] = ["opmerking"]
