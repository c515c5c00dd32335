"""National practice of the ring model and the equipment, and the regions' own variants of it.

:func:`_ring_targets` and :func:`_equipment_targets` give the practice the
regions converge to (the norm file where it sets a cell, a fixed fill
elsewhere); :func:`converge` draws and slowly drops a region's deviations from
it; :func:`equipment_cell` fills one role x item cell. Which deviations are
planted is decided in :mod:`pipelines.sample.plants`, not here.
"""

from __future__ import annotations

from pipelines.contract.catalogues import CATALOGUES, ROLE_DISCIPLINE
from pipelines.contract.reference import Region
from pipelines.sample.helpers import _code_at, _level, _pick, _rng
from pipelines.sample.names import ACCESS, AVAIL, CORE_DISCIPLINES, EQUIP, RING, ZONES
from pipelines.sample.text import _EQUIP_NOTES, _RING_NOTES, _fmt


def _ring_targets(norms) -> dict[tuple, str]:
    """The national practice the regions converge to: the norm file where it sets a cell, else a monotone fill
    (access never decreases from hot to cold: one level above the zone before, capped by the next fixed cell)."""
    target: dict[tuple, str] = {}
    top = len(ACCESS.codes) - 1
    grid = RING.expected_grid()
    i_zone, i_disc = RING.grid.index("zone"), RING.grid.index("discipline")
    for d in CORE_DISCIPLINES:
        keys = [next(k for k in grid if k[i_zone] == z and k[i_disc] == d) for z in ZONES]
        prev = -1
        for i, key in enumerate(keys):
            code = norms[key].code
            if code is not None:
                lvl = _level(ACCESS, code)
            else:
                nxt = next((_level(ACCESS, norms[k].code) for k in keys[i + 1 :] if norms[k].code), top)
                lvl = min(max(prev + 1, 0), nxt)
            target[key] = _code_at(ACCESS, lvl)
            prev = lvl
    return target


def _equipment_targets(norms) -> dict[tuple, str]:
    """National practice per role x item: a fixed draw per discipline and item, one level higher for the
    discipline's last (officer) role; the norm file wins where it sets a cell."""
    rng = _rng(0, "equipment-practice")
    grid = EQUIP.expected_grid()
    i_d, i_r, i_m = (EQUIP.grid.index(n) for n in ("discipline", "functie", "middel"))
    top = len(AVAIL.codes) - 1
    base = {
        (d, m): int(rng.choice(top + 1, p=[0.1, 0.3, 0.4, 0.2][: top + 1] if top == 3 else None))
        for d in CORE_DISCIPLINES
        for m in CATALOGUES["middel"].codes
    }
    officers = {d: [r for r, dd in ROLE_DISCIPLINE.items() if dd == d][-1] for d in CORE_DISCIPLINES}
    target = {}
    for key in grid:
        code = norms[key].code
        if code is None:
            lvl = base[(key[i_d], key[i_m])] + (1 if key[i_r] == officers[key[i_d]] else 0)
            code = _code_at(AVAIL, min(lvl, top))
        target[key] = code
    return target


def converge(rng, t, first, dev, module, target, cat, p0, k_range, both_ways):
    """A region's own variants of national practice: drawn in the first wave (a share ``p0`` of the regions
    has some, ``k_range`` cells each), dropped altogether or cell by cell in later waves, slowly until 2020."""
    top = len(cat.codes) - 1
    if t == first:
        dev = {}
        if rng.random() >= max(0.1, p0 - 0.12 * max(0, t - 2019)):
            return dev
        keys = module.expected_grid()
        k = int(rng.integers(k_range[0], k_range[1] + 1))
        for i in sorted(rng.permutation(len(keys))[:k].tolist()):
            key = keys[i]
            lvl = _level(cat, target[key])
            step = int(_pick(rng, [-1, 1])) if both_ways else (-1 if (lvl > 0 and rng.random() < 0.85) else 1)
            new = lvl + step if 0 <= lvl + step <= top else lvl - step
            if 0 <= new <= top and new != lvl:
                dev[key] = (_code_at(cat, new), None)
        for key in sorted(dev):  # about a third of the known deviations carry a note
            if rng.random() < 0.35:
                note = (
                    _fmt(
                        rng,
                        _RING_NOTES,
                        disc=key[module.grid.index("discipline")],
                        zone=key[module.grid.index("zone")],
                        prev=t - 2,
                        year=t - 1,
                    )
                    if module is RING
                    else _fmt(rng, _EQUIP_NOTES, year=t, next=t + 1)
                )
                dev[key] = (dev[key][0], note)
        return dev
    p_all = 0.08 if t <= 2020 else 0.3 if t == 2021 else 0.45 if t == 2022 else 0.7
    if rng.random() < p_all:
        return {}
    return {k: v for k, v in dev.items() if rng.random() >= 0.15}


def equipment_cell(rng, r: Region, level: str, note: str | None, until: int | None = None) -> dict:
    """One role x item cell at ``level``, with the region's note and the year it holds until (``geldig_tot``)."""
    lvl = _level(AVAIL, level)
    scale = r.population / 100_000
    if lvl == 0:
        aantal = 0 if rng.random() < 0.7 else None
        trained = False if rng.random() < 0.5 else None
    else:
        if lvl == len(AVAIL.codes) - 1:
            aantal = int(max(4, round(scale * rng.uniform(15, 60))))
        elif lvl == 2:
            aantal = int(max(2, round(scale * rng.uniform(3, 9))))
        else:
            aantal = int(rng.integers(6, 41))
        if rng.random() < 0.1:
            aantal = None
        u = rng.random()
        trained = True if u < 0.7 else False if u < 0.88 else None
    return {
        "beschikbaarheid": level,
        "aantal": aantal,
        "training_gevolgd": trained,
        "afwijking_toelichting": note,
        "geldig_tot": until if note else None,
    }
