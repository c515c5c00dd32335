"""Learning from each other (docs/learning.md): who to learn from, who learns from whom, and what became
of a deviation, on a small warehouse written by hand (a full engine.build_marts)."""

from __future__ import annotations

import pytest

from pipelines.contract import learning as L
from pipelines.contract.codebook import MODULES
from pipelines.core import paths
from pipelines.engine import build as engine
from tests.engine import engine_data as T

EQ, RING = "equipment_parity", "ring_conformity"
CODES = [f"VR0{i}" for i in range(1, 9)]
# only the population varies (the other risk-basis features are equal): VR01's nearest are VR02, VR03, ... in order
POPULATION = dict(zip(CODES, [600_000, 610_000, 650_000, 700_000, 750_000, 800_000, 2_000_000, 2_500_000]))
WAVES = (2022, 2023, 2024)
TQ = ("manschap", "tourniquet")
#: (region, wave) whose tourniquets are below the norm, without a reason
EQ_BELOW = {("VR01", 2022), ("VR01", 2023), ("VR02", 2022), ("VR05", 2023)}
#: (region, wave) -> (ring cells one step below the norm, with a reason); VR02's ring model is missing in 2023
RING_CELLS = [("hot", "brandweer"), ("hot", "ambulance"), ("hot", "politie")]
RING_DEV = {
    ("VR05", 2022): (1, True),  # substantiated, then no longer: verslechterd
    ("VR05", 2023): (1, False),
    ("VR06", 2022): (1, False),  # one cell, then three: severity x3, verslechterd
    ("VR06", 2023): (3, False),
    ("VR07", 2022): (1, False),  # then with a reason that counts: onderbouwd
    ("VR07", 2023): (1, True),
    ("VR08", 2023): (1, False),  # the same twice: aanhoudend, then the last wave: geen_gegevens
    ("VR08", 2024): (1, False),
    ("VR02", 2022): (1, False),  # next wave without a ring model: geen_gegevens
}
LESSONS = {
    ("VR03", 2022): [T.lesson(1, characteristic="massaslachtoffers")],
    ("VR03", 2023): [T.lesson(1, characteristic="nazorg")],
    ("VR04", 2023): [T.lesson(1, characteristic="ringenmodel", shared="email", follow_up="gepland")],
    ("VR04", 2024): [
        T.lesson(1, characteristic="cbrn"),
        T.lesson(2, source="andere_regio", taken_from="VR02", shared="niet", follow_up="gepland"),
    ],
    ("VR01", 2024): [
        T.lesson(1, source="andere_regio", taken_from="VR03", characteristic="massaslachtoffers", shared="niet"),
        T.lesson(2, shared="overleg"),
    ],
    ("VR05", 2024): [T.lesson(1, source="andere_regio", taken_from=None, shared="niet")],
    ("VR07", 2022): [T.lesson(1, characteristic="massaslachtoffers")],
}


def _world():
    ring_norms = {cell: "vrij" for cell in MODULES["ringenmodel"].expected_grid()}
    eq_norms = {k: "persoonlijk" for k in MODULES["middelen"].expected_grid() if k[2] == "tourniquet"}
    con = T.new_warehouse([(c, f"Regio {c}", POPULATION[c]) for c in CODES], ring_norms, eq_norms)
    for wave in WAVES:
        for c in CODES:
            T.load(con, wave, c, "risico", [T.risk(kans=2 + CODES.index(c) % 3)])
            below = {TQ: "op_afroep"} if (c, wave) in EQ_BELOW else {}
            T.load(con, wave, c, "middelen", T.equipment(below))
            if (c, wave) == ("VR02", 2023):
                T.status(con, wave, c, "ringenmodel", "ontbreekt")
            else:
                n, reason = RING_DEV.get((c, wave), (0, False))
                cells = RING_CELLS[:n]
                T.load(
                    con,
                    wave,
                    c,
                    "ringenmodel",
                    T.ring({k: "met_bescherming" for k in cells}, {k: "Pilot loopt." for k in cells} if reason else {}),
                )
            if (c, wave) == ("VR08", 2024):
                T.status(con, wave, c, "lessen", "ontbreekt")
            else:
                T.load(con, wave, c, "lessen", LESSONS.get((c, wave), []))
    engine.build_marts(con)
    return con


@pytest.fixture(scope="module")
def world():
    con = _world()
    yield con
    con.close()


def _rows(con, sql, params=()) -> list[dict]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _matches(con, wave, region, indicator=EQ):
    return _rows(
        con,
        "select * from marts.learning_matches where wave = ? and region_code = ? and indicator_id = ? "
        "order by match_rank",
        (wave, region, indicator),
    )


def test_the_regions_to_learn_from_are_peers_doing_well_steadiest_first(world):
    got = _matches(world, 2023, "VR01")
    # VR05 (a peer) deviates too, so it is left out; VR02, the nearest, was conform in 1 of 2 waves only
    assert [(m["match_code"], m["peer_rank"], m["n_good_waves"], m["n_waves_with_data"]) for m in got] == [
        ("VR03", 2, 2, 2),
        ("VR04", 3, 2, 2),
        ("VR06", 5, 2, 2),
    ]
    assert {m["n_candidates"] for m in got} == {6}
    assert {m["match_verdict"] for m in got} == {"conform"} and {m["verdict"] for m in got} == {
        "afwijking_niet_onderbouwd"
    }
    assert got[0]["why"].startswith("een van de 5 meest gelijkende regio's op het risicoprofiel (nr. 2, afstand ")
    assert "conform of gunstig in 2 van de 2 peiljaren met een oordeel in de laatste drie (2022, 2023)" in got[0]["why"]
    # in the first wave VR02 deviates itself: not a region to learn from; the three nearest others are
    assert [m["match_code"] for m in _matches(world, 2022, "VR01")] == ["VR03", "VR04", "VR05"]


def test_beyond_the_peers_the_others_come_by_distance(monkeypatch):
    monkeypatch.setattr(L, "MAX_MATCHES", 10)
    con = _world()
    got = _matches(con, 2023, "VR01")
    con.close()
    assert [m["match_code"] for m in got] == ["VR03", "VR04", "VR06", "VR02", "VR07", "VR08"]
    assert [m["peer_rank"] for m in got][-2:] == [None, None]
    assert [m["distance_rank"] for m in got] == [2, 3, 5, 1, 6, 7]
    assert got[-1]["why"].startswith("nr. 7 op het risicoprofiel (afstand ")


def test_a_match_carries_its_lessons_on_the_subject_of_the_deviation(world):
    vr03, vr04, vr06 = _matches(world, 2023, "VR01")
    assert vr03["subject"] == "massaslachtoffers, ringenmodel"
    # VR03's 2023 lesson is on nazorg: not on the subject of equipment
    assert (vr03["n_lessons"], vr03["n_lessons_shared"], vr03["n_lessons_followed_up"]) == (1, 1, 1)
    assert vr03["lesson_refs"] == "2022/LES-1"
    assert vr03["lessons"].startswith("2022, massaslachtoffers: les (gedeeld: virtueel kantoor; opvolging: uitgevoerd)")
    assert (vr04["n_lessons"], vr04["n_lessons_shared"], vr04["n_lessons_followed_up"]) == (1, 0, 0)
    assert "ringenmodel" in vr04["lessons"] and "gedeeld: email" in vr04["lessons"]
    assert (vr06["n_lessons"], vr06["lessons"]) == (0, None)
    ring = _matches(world, 2023, "VR08", RING)
    assert {m["subject"] for m in ring} == {"ringenmodel"}


def test_who_learns_from_whom(world):
    flows = _rows(world, "select * from marts.lesson_flows order by wave, from_region, to_region")
    assert [(f["wave"], f["from_region"], f["to_region"], f["n_lessons"]) for f in flows] == [
        (2024, "VR02", "VR04", 1),
        (2024, "VR03", "VR01", 1),
    ]
    vr03_vr01 = flows[1]
    # VR03 shared its lesson on massaslachtoffers via the virtual office in 2022: the office at work
    assert (vr03_vr01["n_shared_by_source"], vr03_vr01["n_followed_up"]) == (1, 1)
    assert vr03_vr01["lesson_characteristics"] == "massaslachtoffers"
    assert flows[0]["n_shared_by_source"] == 0


def test_roles_in_the_exchange(world):
    roles = {
        r["region_code"]: r for r in _rows(world, "select * from marts.lesson_roles where wave = 2024 order by all")
    }
    got = {c: r["role"] for c, r in roles.items()}
    assert got == {
        "VR01": L.TAKES_OVER,  # took over from VR03, shared nothing via the virtual office
        "VR02": L.SHARES,  # VR04 took a lesson over from it
        "VR03": L.SHARES,
        "VR04": L.BOTH,  # shared via the virtual office and took over from VR02
        "VR05": L.TAKES_OVER,  # from another region without saying which: no edge, still taken over
        "VR06": L.NEITHER,
        "VR07": L.NEITHER,
        "VR08": "onvoldoende_gegevens",  # its lessen module is missing
    }
    assert (roles["VR03"]["n_taken_by_others"], roles["VR03"]["taken_by"], roles["VR03"]["n_lessons"]) == (1, "VR01", 0)
    assert (roles["VR01"]["n_taken_over"], roles["VR01"]["taken_from"], roles["VR01"]["previous_role"]) == (
        1,
        "VR03",
        L.NEITHER,
    )
    assert (roles["VR05"]["n_taken_over"], roles["VR05"]["taken_from"]) == (1, None)
    assert (roles["VR08"]["n_lessons"], roles["VR08"]["n_taken_by_others"]) == (None, 0)
    assert roles["VR03"]["previous_role"] == L.SHARES  # in 2023 it shared its nazorg lesson via the office


def _followup(con):
    rows = _rows(con, "select * from marts.deviation_followup")
    return {(r["wave"], r["region_code"], r["indicator_id"]): r for r in rows}


def test_every_follow_up_status_is_reached(world):
    f = _followup(world)
    got = {k: r["followup_status"] for k, r in f.items() if k[2] in (EQ, RING)}
    assert got == {
        (2022, "VR01", EQ): L.PERSISTS,
        (2023, "VR01", EQ): L.RESOLVED,
        (2022, "VR02", EQ): L.RESOLVED,
        (2023, "VR05", EQ): L.RESOLVED,
        (2022, "VR05", RING): L.WORSENED,  # its reason no longer there
        (2023, "VR05", RING): L.RESOLVED,
        (2022, "VR06", RING): L.WORSENED,  # three cells where there was one
        (2023, "VR06", RING): L.RESOLVED,
        (2022, "VR07", RING): L.SUBSTANTIATED_NEXT,
        (2023, "VR07", RING): L.RESOLVED,
        (2023, "VR08", RING): L.PERSISTS,
        (2024, "VR08", RING): L.NO_DATA,  # the last wave
        (2022, "VR02", RING): L.NO_DATA,  # its ring model is missing the next wave
    }
    assert f[(2022, "VR06", RING)]["next_severity"] == pytest.approx(3 * f[(2022, "VR06", RING)]["severity"])
    assert f[(2022, "VR02", RING)]["next_verdict"] == "onvoldoende_gegevens"
    assert (f[(2024, "VR08", RING)]["next_wave"], f[(2024, "VR08", RING)]["n_lessons_on_subject"]) == (None, None)
    assert (f[(2022, "VR07", RING)]["n_reasons"], f[(2022, "VR07", RING)]["next_reason_status"]) == (1, "geldig")
    assert f[(2022, "VR07", RING)]["reasons"] == "hot/brandweer: geldig (Pilot loopt.)"


def test_the_follow_up_carries_the_lessons_in_between(world):
    f = _followup(world)
    resolved = f[(2023, "VR01", EQ)]
    # in 2024 VR01 took over VR03's lesson on massaslachtoffers, and VR03 was its first match in 2023
    assert (resolved["n_lessons_on_subject"], resolved["n_taken_over"], resolved["n_from_matches"]) == (1, 1, 1)
    assert (resolved["taken_from"], resolved["lesson_ids"], resolved["n_lessons_next_wave"]) == ("VR03", "LES-1", 2)
    assert "overgenomen van VR03" in resolved["lessons"]
    persists = f[(2022, "VR01", EQ)]  # no lesson at all in 2023
    assert (persists["n_lessons_on_subject"], persists["n_lessons_next_wave"], persists["lessons"]) == (0, 0, None)


def test_recommendation_course_and_national_count(world):
    rows = _rows(
        world,
        "select * from marts.recommendation_followup where recommendation = 3 and region_code in ('VR01', 'VR05') "
        "order by region_code, wave",
    )
    vr01 = [(r["wave"], r["status"], r["status_change"]) for r in rows if r["region_code"] == "VR01"]
    assert vr01 == [(2022, "aandacht", L.NO_DATA), (2023, "aandacht", L.UNCHANGED), (2024, "op_orde", L.IMPROVED)]
    vr05 = [r["status_change"] for r in rows if r["region_code"] == "VR05"]
    assert vr05 == [L.NO_DATA, L.WORSENED, L.IMPROVED]
    assert rows[2]["course"] == "2022: aandacht; 2023: aandacht; 2024: op_orde"
    assert (rows[2]["n_waves_op_orde"], rows[2]["n_waves_aandacht"]) == (1, 2)
    national = {r["wave"]: (r["n_regions_op_orde"], r["n_regions_aandacht"]) for r in rows}
    assert national == {2022: (6, 2), 2023: (6, 2), 2024: (8, 0)}
    outside = _rows(world, "select status_change from marts.recommendation_followup where recommendation = 9")
    assert {r["status_change"] for r in outside} == {None}


def _plan_world():
    """Three regions in 2024 without a risk assessment (so no distances): VR01 has cbrn and nazorg in its plan,
    exercised neither and substantiated nazorg; VR02 and VR03 exercised cbrn."""
    con = T.new_warehouse([("VR01", "Een", 600_000), ("VR02", "Twee", 300_000), ("VR03", "Drie", 900_000)])
    for c in ("VR01", "VR02", "VR03"):
        chars = () if c == "VR01" else ("cbrn",)
        T.load(con, 2024, c, "oefeningen", [T.exercise(1, chars=chars)])
        substantiated = {"nazorg": True} if c == "VR01" else {}
        in_plan = {"cbrn": True, "nazorg": c == "VR01"}
        T.load(con, 2024, c, "planvorming", T.plan(in_plan, substantiated, {"nazorg": "Gepland voor 2025."}))
    lessons = [T.lesson(1, characteristic="cbrn"), T.lesson(2, characteristic="nazorg")]
    T.load(con, 2024, "VR02", "lessen", lessons)
    engine.build_marts(con)
    return con


def test_a_plan_deviation_looks_for_lessons_on_its_own_cells():
    con = _plan_world()
    subjects = _rows(
        con,
        "select s.indicator_id, string_agg(s.characteristic, ', ' order by s.characteristic) as subject "
        "from int_deviation_subjects as s join int_indicator_definitions as d using (indicator_id) "
        "where s.region_code = 'VR01' and d.lesson_subject <> ? group by all",
        (L.FIXED,),
    )
    got = _matches(con, 2024, "VR01", "plan_unexercised_unsubstantiated")
    con.close()
    # nazorg has a reason that counts, so only cbrn is the deviation's own cell; plan_coverage takes both
    assert {r["indicator_id"]: r["subject"] for r in subjects} == {
        "plan_coverage": "cbrn, nazorg",
        "plan_unexercised_unsubstantiated": "cbrn",
    }
    assert [(m["match_code"], m["subject"], m["n_lessons"], m["distance"]) for m in got] == [
        ("VR02", "cbrn", 1, None),
        ("VR03", "cbrn", 0, None),
    ]
    assert got[0]["why"].startswith("geen afstand op het risicoprofiel")


def _subject_cell(indicator_id: str) -> str:
    codes, _ = L.LESSON_SUBJECTS[indicator_id]
    if indicator_id in L.SUBJECT_KIND:
        return f"`{L.SUBJECT_KIND[indicator_id]}`"
    if codes == L.ALL_CHARACTERISTICS:
        return "every characteristic"
    return ", ".join(f"`{c}`" for c in codes) or "none"


def test_the_subject_table_in_the_docs_is_the_contracts():
    text = (paths.PROJECT_ROOT / "docs" / "learning.md").read_text(encoding="utf-8")
    for ind, (_, why) in L.LESSON_SUBJECTS.items():
        assert f"| `{ind}` | {_subject_cell(ind)} | {why} |" in text, ind
