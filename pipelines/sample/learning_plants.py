"""The planted learning (issue 21, docs/learning.md): three regions whose lessons the learning marts must read.

With the last wave L:

- :func:`_g_takes_over_and_resolves` (region A, see :data:`HOSTS`): one ring-model cell off the norm in L-1 only, without a
  note (``ring_conformity`` afwijking_niet_onderbouwd in L-1, conform in L). After the simulation
  (:func:`_learning_after_simulation`) A records in L one lesson on the ring model taken over from its most
  similar region on the risk basis of L-1 that keeps the ring model's norm: ``learning_matches`` names that
  region first for the deviation, ``deviation_followup`` says ``opgelost`` with one lesson from a match.
- B, the region of ``_g_ring_conf_niet`` and ``_g_lessons_none`` (ring cell off the norm in L-1 and L, no lesson
  taken over from L-4): its lessons of L are on anything but the ring model, so the deviation of L-1 is
  ``aanhoudend`` without any lesson on its subject.
- :func:`_g_shares_takes_nothing` (region C): every lesson of every wave shared via the virtual office, none taken
  over (one in L-3, so only L's window is empty: ``lessons_from_others`` afwijking_niet_onderbouwd in L);
  ``lesson_roles`` calls it ``deelt`` in each of those waves, with nothing taken over.

What the marts must say is written as ``learning.csv`` beside the planted verdicts (:func:`_write_learning`).
"""

from __future__ import annotations

import math

import numpy as np

from pipelines.contract import indicators as ids
from pipelines.contract import learning as L
from pipelines.sample.helpers import _rng
from pipelines.sample.names import (
    CHARS,
    FOLLOW_DONE,
    LESSONS,
    RING,
    RING_CHAR,
    RISK,
    SHARED_VK,
    SRC_OTHER,
    TOK_OTHER,
    UNSUBSTANTIATED,
)
from pipelines.sample.plants import _Planter
from pipelines.sample.reasons_truth import _write_csv
from pipelines.sample.text import _LESSON_NOTES, _fmt

LEARNING_COLUMNS = ("wave", "region_code", "indicator_id", "mart", "column", "expected", "note")
#: design.roles labels of the three plants
TAKES_OVER = "learning: takes over a lesson and resolves"
PERSISTS = "ring_conformity niet + lessons none + contradiction"
SHARES = "learning: shares much, takes over nothing"
_RING = ids.RING_CONFORMITY


def _g_takes_over_and_resolves(p: _Planter, r: str) -> None:
    cells = p.modal_ring or p.all_ring
    key = cells[min(2, len(cells) - 1)]  # not the cell of _g_ring_conf_niet: the national mode stays clear
    p.d.add(p.d.ring_override, (r, p.L - 1), {key: (p.ring_other(key), None, None)})
    p.plant(
        r,
        _RING,
        UNSUBSTANTIATED,
        [p.L - 1],
        f"Ring cell {'/'.join(key)} off the norm in {p.L - 1} only; in {p.L} a lesson on the ring model taken "
        "over from its most similar region keeping the norm.",
    )
    p.d.roles[TAKES_OVER] = r


def _g_shares_takes_nothing(p: _Planter, r: str) -> None:
    p.forbid(r, p.yrs(2, 0), TOK_OTHER)
    p.require(r, p.yrs(3, 3), TOK_OTHER)
    # shared in every wave: a share that jumps to all would be a plausibility warning without a plant
    for y in p.d.waves:
        p.d.lesson_attr.setdefault((r, y), {})["gedeeld"] = "vk"
    p.plant(
        r,
        ids.LESSONS_FROM_OTHERS,
        UNSUBSTANTIATED,
        [p.L],
        f"Shares every lesson via the virtual office; takes none over in {p.L - 2}-{p.L} (last in {p.L - 3}).",
    )
    p.d.roles[SHARES] = r


#: The rule groups whose regions get the two learning plants of their own: groups that touch neither the ring
#: model's conformity nor the lessons (the clean regions carry the implausible returns, which move no verdict).
HOSTS = {TAKES_OVER: "equipment valid until passed", SHARES: "ex_with_ncc same reason three waves"}


def _plant_learning(p: _Planter) -> None:
    """Hand out the two learning plants of their own to the regions of :data:`HOSTS` (when the design has them)."""
    if len(p.d.waves) < 4:
        return
    if HOSTS[TAKES_OVER] in p.d.roles:
        _g_takes_over_and_resolves(p, p.d.roles[HOSTS[TAKES_OVER]])
    if HOSTS[SHARES] in p.d.roles:
        _g_shares_takes_nothing(p, p.d.roles[HOSTS[SHARES]])


def _basis(sim, t: int) -> tuple[list[str], list[list[float]]]:
    """The risk basis of wave ``t`` as the pipeline's peers take it: log population, high-risk sites, events."""
    pops = {r.code: r.population for r in sim.regions}
    codes, rows = [], []
    for c in sim.codes:
        rw = sim.world.get((c, t))
        if rw is None or not rw.rows.get(RISK.name):
            continue
        risk = rw.rows[RISK.name][0]
        codes.append(c)
        rows.append([math.log(pops[c]), risk["hoogrisico_objecten"], risk["grootschalige_evenementen"]])
    return codes, rows


def _nearest(code: str, codes: list[str], rows: list[list[float]], k: int = 5) -> list[tuple[int, str]]:
    """The ``k`` nearest regions to ``code`` on the z-scored basis (ties by code), as the engine's peers
    (pipelines.engine.peers, a room the sample may not import)."""
    x = np.asarray(rows, dtype=float)
    sd = x.std(axis=0)
    keep = sd > 0
    z = (x[:, keep] - x[:, keep].mean(axis=0)) / sd[keep]
    i = codes.index(code)
    dist = np.sqrt(((z - z[i]) ** 2).sum(axis=1))
    order = sorted((round(float(dist[j]), 12), codes[j]) for j in range(len(codes)) if j != i)
    return [(rank, c) for rank, (_, c) in enumerate(order[:k], start=1)]


def _keeps_ring_norm(sim, code: str, years) -> int:
    """Waves of ``years`` in which the region's ring grid is the norm in every cell."""
    n = 0
    for y in years:
        rw = sim.world.get((code, y))
        if rw is not None and all(v["toegang"] == sim.ring_target[k] for k, v in rw.grids[RING.name].items()):
            n += 1
    return n


def _learning_after_simulation(sim) -> list[dict]:
    """Record the lessons the learning plants need in the simulated world; returns the rows of learning.csv."""
    d = sim.d
    a, b, c = d.roles.get(TAKES_OVER), d.roles.get(PERSISTS), d.roles.get(SHARES)
    last = d.waves[-1]
    rows: list[dict] = []
    rng = _rng(sim.seed, "learning")
    ring_planted = {p.region for p in d.plants if p.indicator == _RING}
    if a is not None and (a, last) in sim.world:
        t = last - 1
        codes, feats = _basis(sim, t)
        peers = _nearest(a, codes, feats) if a in codes else []
        window = [y for y in (t - 2, t - 1, t) if y in d.waves]
        good = [(-_keeps_ring_norm(sim, peer, window), rank, peer) for rank, peer in peers if peer not in ring_planted]
        if not good or good[0][0] == 0:
            raise AssertionError(f"sample: no peer of {a} keeps the ring model's norm in {t}")
        source = min(good)[2]
        lessons = sim.world[(a, last)].rows[LESSONS.name]
        label = "het ringenmodel"
        lessons.append(
            {
                "les_id": _les_id_next(sim, a, last, lessons),
                "bron": SRC_OTHER,
                "bron_oefening_id": None,
                "bijzonderheid": RING_CHAR,
                "omschrijving": _fmt(rng, _LESSON_NOTES["other"], label=label, other=sim.names[source]),
                "gedeeld": SHARED_VK,
                "opvolging": FOLLOW_DONE,
                "overgenomen_van": source,
            }
        )
        why = f"{source} is {a}'s most similar region on the risk basis of {t} that keeps the ring model's norm."
        rows += [
            _row(t, a, _RING, "learning_matches", "match_code", source, why + " Match 1."),
            _row(t, a, _RING, "deviation_followup", "followup_status", L.RESOLVED, "Conform again in the next wave."),
            _row(t, a, _RING, "deviation_followup", "n_from_matches", "1", "The lesson came from a match."),
        ]
    if b is not None and (b, last) in sim.world:
        other = next(ch for ch in CHARS if ch != RING_CHAR)
        for les in sim.world[(b, last)].rows[LESSONS.name]:
            if les["bijzonderheid"] == RING_CHAR:
                les["bijzonderheid"] = other
        t = last - 1
        rows += [
            _row(t, b, _RING, "deviation_followup", "followup_status", L.PERSISTS, "Off the norm again, no note."),
            _row(t, b, _RING, "deviation_followup", "n_lessons_on_subject", "0", "No lesson on the ring model."),
            _row(t, b, _RING, "deviation_followup", "n_taken_over", "0", "No lesson taken over."),
        ]
    if c is not None:
        for t in (w for w in d.waves[-3:] if (c, w) in sim.world):
            rows += [
                _row(t, c, "", "lesson_roles", "role", L.SHARES, "Every lesson shared via the virtual office."),
                _row(t, c, "", "lesson_roles", "n_taken_over", "0", "Takes no lesson over."),
            ]
    return rows


def _les_id_next(sim, code: str, t: int, lessons: list[dict]) -> str:
    from pipelines.sample.simulation import _les_id

    return _les_id(sim.bases[code].lesson_style, t, len(lessons) + 1)


def _row(wave, region, indicator, mart, column, expected, note) -> dict:
    return {
        "wave": wave,
        "region_code": region,
        "indicator_id": indicator,
        "mart": mart,
        "column": column,
        "expected": expected,
        "note": note,
    }


def _write_learning(rows: list[dict], path) -> None:
    _write_csv(rows, LEARNING_COLUMNS, path)
