"""Each indicator's SQL model on tiny hand-made staging data, with the expected values written here."""

from __future__ import annotations

import math

import pytest

from pipelines.engine import build as engine
from tests.engine import engine_data as T

REGIONS = [("VR01", "Een", 600_000), ("VR02", "Twee", 300_000), ("VR03", "Drie", 900_000)]


@pytest.fixture
def con():
    c = T.new_warehouse(REGIONS)
    yield c
    c.close()


def run(con, table: str, lookback: int = engine.LOOKBACK) -> dict:
    """Run ``table`` (and what it needs); return {(wave, region): row dict}."""
    engine.run_intermediate(con, lookback, only=[table])
    df = con.execute(f"select * from {table}").df()
    return {(int(r["wave"]), r["region_code"]): r for r in df.to_dict("records")}


def nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# --------------------------------------------------------------------------
# oefenen
# --------------------------------------------------------------------------


def test_ex_count_zero_with_module_and_no_row_without(con):
    T.load(con, 2024, "VR01", "oefeningen", [T.exercise(i) for i in range(3)])
    T.load(con, 2024, "VR02", "oefeningen", [])  # header-only sheet: held no exercise
    T.load(con, 2024, "VR03", "risico", [T.risk()])  # no oefeningen module at all
    T.load(con, 2024, "VR01", "risico", [T.risk()])
    T.load(con, 2024, "VR02", "risico", [T.risk(method="geen")])
    rows = run(con, "int_ex_count")
    assert set(rows) == {(2024, "VR01"), (2024, "VR02")}
    assert rows[(2024, "VR01")]["value"] == 3 and rows[(2024, "VR01")]["numerator"] == 3
    assert rows[(2024, "VR02")]["value"] == 0
    assert rows[(2024, "VR01")]["indicator_id"] == "ex_count"
    # the risk assessment is the basis of the expectation, never a reason to fall short of it (issue 18)
    assert bool(rows[(2024, "VR01")]["substantiated"]) is False
    assert rows[(2024, "VR01")]["substantiation"] is None
    assert "regionaal_risicoprofiel" in rows[(2024, "VR01")]["detail"]  # the basis is still named
    assert bool(rows[(2024, "VR02")]["substantiated"]) is False  # method 'geen'


def test_ex_count_uses_latest_earlier_risk_assessment(con):
    T.load(con, 2023, "VR01", "risico", [T.risk(method="geen")])
    T.load(con, 2024, "VR01", "oefeningen", [T.exercise(1)])
    T.load(con, 2025, "VR01", "risico", [T.risk()])
    rows = run(con, "int_ex_count")
    basis = {
        (int(r[0]), r[1]): r[2]
        for r in con.execute(
            "select wave, region_code, basis_wave from int_risk_basis where region_code = 'VR01'"
        ).fetchall()
    }
    assert basis[(2024, "VR01")] == 2023  # carried forward, not taken from the later 2025
    assert basis[(2023, "VR01")] == 2023 and basis[(2025, "VR01")] == 2025
    assert bool(rows[(2024, "VR01")]["substantiated"]) is False
    assert "methode geen" in rows[(2024, "VR01")]["detail"]


def test_ex_multidisciplinary_share(con):
    T.load(
        con,
        2024,
        "VR01",
        "oefeningen",
        [
            T.exercise(1, disciplines=("brandweer", "politie")),
            T.exercise(2, disciplines=("politie",)),
            T.exercise(3, disciplines=("politie", "politie")),  # one discipline named twice: not multidisciplinary
            T.exercise(4, disciplines=("ghor", "gemeente", "om")),
        ],
    )
    T.load(con, 2024, "VR02", "oefeningen", [])
    rows = run(con, "int_ex_multidisciplinary_share")
    r = rows[(2024, "VR01")]
    assert (r["numerator"], r["denominator"], r["value"]) == (2, 4, 0.5)
    r = rows[(2024, "VR02")]
    assert r["denominator"] == 0 and nan(r["value"])


def test_ex_evaluated_share(con):
    T.load(
        con,
        2024,
        "VR01",
        "oefeningen",
        [T.exercise(1, evaluated=True), T.exercise(2, evaluated=False), T.exercise(3, evaluated=True)],
    )
    r = run(con, "int_ex_evaluated_share")[(2024, "VR01")]
    assert (r["numerator"], r["denominator"]) == (2, 3)
    assert r["value"] == pytest.approx(2 / 3)


def test_ex_strategic_last_three_waves_and_what_the_region_has(con):
    for w in (2021, 2022, 2023, 2024):
        T.load(con, w, "VR01", "oefeningen", [T.exercise(1, level="strategisch" if w == 2021 else "tactisch")])
    # VR02 misses 2022: its 2023 window is 2021 and 2023 only
    for w in (2021, 2023):
        T.load(con, w, "VR02", "oefeningen", [T.exercise(1, level="operationeel")])
    T.status(con, 2022, "VR02", "oefeningen", "ontbreekt")
    rows = run(con, "int_ex_strategic")
    assert [rows[(w, "VR01")]["value"] for w in (2021, 2022, 2023, 2024)] == [1, 1, 1, 0]
    assert [rows[(w, "VR01")]["n_window_waves"] for w in (2021, 2022, 2023, 2024)] == [1, 2, 3, 3]
    assert rows[(2024, "VR01")]["window_waves"] == "2022, 2023, 2024"
    assert (2022, "VR02") not in rows
    assert rows[(2023, "VR02")]["window_waves"] == "2021, 2023" and rows[(2023, "VR02")]["n_window_waves"] == 2
    assert rows[(2023, "VR01")]["numerator"] == 1 and rows[(2023, "VR01")]["denominator"] == 3


def test_window_length_is_a_bound_parameter(con):
    for w in (2021, 2022):
        T.load(con, w, "VR01", "oefeningen", [T.exercise(1, level="strategisch" if w == 2021 else "tactisch")])
    assert run(con, "int_ex_strategic", lookback=2)[(2022, "VR01")]["value"] == 1
    assert run(con, "int_ex_strategic", lookback=0)[(2022, "VR01")]["value"] == 0


def test_ex_with_ncc_and_its_substantiation(con):
    T.load(con, 2024, "VR01", "oefeningen", [T.exercise(1, ncc=False)])
    T.load(
        con,
        2024,
        "VR01",
        "planvorming",
        T.plan(
            in_plan={"nationale_opschaling": True},
            substantiated={"nationale_opschaling": True},
            texts={"nationale_opschaling": "Belegd bij de landelijke eenheid."},
        ),
    )
    T.load(con, 2024, "VR02", "oefeningen", [T.exercise(1, ncc=True), T.exercise(2, ncc=True)])
    T.load(con, 2024, "VR03", "oefeningen", [T.exercise(1)])
    T.load(con, 2024, "VR03", "planvorming", T.plan(substantiated={"nationale_opschaling": False}))
    rows = run(con, "int_ex_with_ncc")
    assert rows[(2024, "VR01")]["value"] == 0
    assert bool(rows[(2024, "VR01")]["substantiated"]) is True
    assert rows[(2024, "VR01")]["substantiation"] == "Belegd bij de landelijke eenheid."
    assert rows[(2024, "VR02")]["value"] == 1 and rows[(2024, "VR02")]["numerator"] == 2
    assert bool(rows[(2024, "VR03")]["substantiated"]) is False


# --------------------------------------------------------------------------
# planvorming
# --------------------------------------------------------------------------


def _plan_world(con):
    T.load(con, 2020, "VR01", "oefeningen", [T.exercise(1, chars=["massaslachtoffers"])])  # outside the 2023 window
    T.load(con, 2021, "VR01", "oefeningen", [])
    T.load(con, 2022, "VR01", "oefeningen", [T.exercise(1, chars=["cbrn"])])
    T.load(con, 2023, "VR01", "oefeningen", [T.exercise(1, chars=["ringenmodel", "informatiedeling"])])
    T.load(
        con,
        2023,
        "VR01",
        "planvorming",
        T.plan(
            in_plan={"ringenmodel": True, "cbrn": True, "nazorg": True, "massaslachtoffers": True},
            substantiated={"nazorg": True, "massaslachtoffers": False},
            texts={"nazorg": "GGD doet dit."},
        ),
    )
    T.load(con, 2023, "VR02", "planvorming", T.plan(in_plan={"cbrn": True}))  # no oefeningen module in 2023


def test_plan_coverage(con):
    _plan_world(con)
    rows = run(con, "int_plan_coverage")
    r = rows[(2023, "VR01")]
    assert (r["numerator"], r["denominator"], r["value"]) == (2, 4, 0.5)  # ringenmodel, cbrn of 4 in the plan
    assert r["window_waves"] == "2021, 2022, 2023"
    assert (2023, "VR02") not in rows  # needs 'oefeningen' in use in the wave


def test_plan_unexercised_unsubstantiated(con):
    _plan_world(con)
    r = run(con, "int_plan_unexercised_unsubstantiated")[(2023, "VR01")]
    assert r["value"] == 1  # massaslachtoffers; nazorg is substantiated
    assert r["detail"] == "massaslachtoffers: geen toelichting"
    assert r["denominator"] == 4


def test_plan_exercise_matrix_statuses(con):
    _plan_world(con)
    engine.run_intermediate(con, only=["int_plan_characteristics", "int_reasons"])
    engine.run_sql_model(
        con, "marts.plan_exercise_matrix", engine.MART_SQL["marts.plan_exercise_matrix"], engine.sql_parameters()
    )
    got = dict(
        con.execute(
            "select characteristic, status from marts.plan_exercise_matrix where wave = 2023 and region_code = 'VR01'"
        ).fetchall()
    )
    assert got["ringenmodel"] == "beoefend" and got["cbrn"] == "beoefend"
    assert got["nazorg"] == "onderbouwd" and got["massaslachtoffers"] == "niet_beoefend"
    assert got["informatiedeling"] == "niet_in_plan"  # exercised, but not in the plan
    vr02 = dict(
        con.execute(
            "select characteristic, status from marts.plan_exercise_matrix where region_code = 'VR02'"
        ).fetchall()
    )
    assert vr02["cbrn"] is None and vr02["nazorg"] == "niet_in_plan"


# --------------------------------------------------------------------------
# risico
# --------------------------------------------------------------------------


def test_risk_substantiated_and_probability(con):
    T.load(con, 2024, "VR01", "risico", [T.risk(kans=4)])
    T.load(con, 2024, "VR02", "risico", [T.risk(method="geen", kans=2)])
    T.load(con, 2024, "VR03", "risico", [T.risk(adopted=False, kans=5)])
    T.load(con, 2025, "VR01", "risico", [T.risk(present=False, kans=1)])
    rs = run(con, "int_risk_substantiated")
    assert {k: v["value"] for k, v in rs.items()} == {
        (2024, "VR01"): 1,
        (2024, "VR02"): 0,
        (2024, "VR03"): 0,
        (2025, "VR01"): 0,
    }
    assert "niet bestuurlijk vastgesteld" in rs[(2024, "VR03")]["detail"]
    assert "geen schriftelijke onderbouwing" in rs[(2025, "VR01")]["detail"]
    rp = run(con, "int_risk_probability")
    assert {k: v["value"] for k, v in rp.items()} == {
        (2024, "VR01"): 4,
        (2024, "VR02"): 2,
        (2024, "VR03"): 5,
        (2025, "VR01"): 1,
    }
    assert [bool(rp[k]["substantiated"]) for k in sorted(rp)] == [True, False, False, False]


# --------------------------------------------------------------------------
# ringenmodel and middelen: norms, modal fallback, cells
# --------------------------------------------------------------------------

RING_NORMS = {
    ("hot", "brandweer"): "geen",
    ("hot", "ambulance"): "geen",
    ("hot", "politie"): "met_bescherming",
    ("cold", "brandweer"): "vrij",
    ("cold", "ambulance"): "vrij",
    ("cold", "politie"): "vrij",
}
NATIONAL = {
    **RING_NORMS,
    ("warm", "brandweer"): "met_bescherming",
    ("warm", "ambulance"): "onder_dekking",
    ("warm", "politie"): "vrij",
}


def _ring_con(access_by_region: dict, notes_by_region: dict | None = None):
    c = T.new_warehouse(REGIONS, ring_norms=RING_NORMS)
    for region, changes in access_by_region.items():
        T.load(c, 2024, region, "ringenmodel", T.ring({**NATIONAL, **changes}, (notes_by_region or {}).get(region)))
    return c


def test_ring_norm_falls_back_to_the_mode_marked_modaal():
    c = _ring_con(
        {
            "VR01": {},
            "VR02": {},
            "VR03": {("warm", "brandweer"): "onder_dekking", ("hot", "brandweer"): "onder_dekking"},
        }
    )
    engine.run_intermediate(c, only=["int_ring_model_norms"])
    norms = {
        (z, d): (a, s)
        for z, d, a, s in c.execute(
            "select zone, discipline, norm_access, norm_source from int_ring_model_norms where wave = 2024"
        ).fetchall()
    }
    assert norms[("warm", "brandweer")] == ("met_bescherming", "modaal")  # 2 of 3 regions
    assert norms[("warm", "politie")] == ("vrij", "modaal")
    assert norms[("hot", "brandweer")] == ("geen", "vastgesteld")  # the file wins, whatever the mode


def test_ring_mode_tie_takes_the_lower_access():
    c = T.new_warehouse(REGIONS[:2], ring_norms=RING_NORMS)
    T.load(c, 2024, "VR01", "ringenmodel", T.ring({**NATIONAL, ("warm", "ambulance"): "vrij"}))
    T.load(c, 2024, "VR02", "ringenmodel", T.ring({**NATIONAL, ("warm", "ambulance"): "onder_dekking"}))
    engine.run_intermediate(c, only=["int_ring_model_norms"])
    got = c.execute(
        "select norm_access, norm_source from int_ring_model_norms "
        "where wave = 2024 and zone = 'warm' and discipline = 'ambulance'"
    ).fetchone()
    assert got == ("onder_dekking", "modaal")


def test_ring_conformity_any_difference_counts_and_notes_substantiate():
    c = _ring_con(
        {
            "VR01": {},
            "VR02": {("hot", "politie"): "vrij"},  # more access than the fixed norm, no note
            "VR03": {("warm", "ambulance"): "geen", ("cold", "politie"): "met_bescherming"},
        },  # less access, both noted
        {"VR03": {("warm", "ambulance"): "Regionale afspraak.", ("cold", "politie"): "Tijdelijk."}},
    )
    rows = run(c, "int_ring_conformity")
    assert rows[(2024, "VR01")]["value"] == 1 and rows[(2024, "VR01")]["numerator"] == 9
    r2 = rows[(2024, "VR02")]
    assert (r2["numerator"], r2["denominator"]) == (8, 9) and bool(r2["substantiated"]) is False
    assert r2["detail"] == "hot/politie vrij in plaats van met_bescherming"
    r3 = rows[(2024, "VR03")]
    assert r3["numerator"] == 7 and bool(r3["substantiated"]) is True
    assert r3["substantiation"] == "cold/politie: Tijdelijk.; warm/ambulance: Regionale afspraak."
    assert r3["norm_source"] == "modaal"  # the warm cells' norm is the mode
    cells = c.execute(
        "select zone, discipline, deviates, deviation_direction from int_ring_model_cells "
        "where region_code = 'VR02' and deviates"
    ).fetchall()
    assert cells == [("hot", "politie", True, "meer toegang")]


def _eq_norms():
    from pipelines.contract.codebook import MODULES

    return {k: "persoonlijk" for k in MODULES["middelen"].expected_grid() if k[2] == "tourniquet"}


def test_equipment_mode_tie_takes_the_higher_level_and_fixed_norm_wins():
    c = T.new_warehouse(REGIONS[:2], equipment_norms=_eq_norms())
    T.load(
        c,
        2024,
        "VR01",
        "middelen",
        T.equipment({("manschap", "helm"): "per_voertuig", ("manschap", "tourniquet"): "op_afroep"}),
    )
    T.load(c, 2024, "VR02", "middelen", T.equipment({("manschap", "tourniquet"): "op_afroep"}))
    engine.run_intermediate(c, only=["int_equipment_norms"])
    norms = {
        (r, i): (lvl, s)
        for r, i, lvl, s in c.execute(
            "select role, item, norm_level, norm_source from int_equipment_norms where wave = 2024"
        ).fetchall()
    }
    assert norms[("manschap", "helm")] == ("persoonlijk", "modaal")  # tie per_voertuig/persoonlijk: the higher
    assert norms[("manschap", "tourniquet")] == ("persoonlijk", "vastgesteld")  # both regions differ: file wins
    assert norms[("bevelvoerder", "helm")] == ("persoonlijk", "modaal")


def test_equipment_parity_counts_below_only():
    c = T.new_warehouse(REGIONS, equipment_norms=_eq_norms())
    T.load(c, 2024, "VR01", "middelen", T.equipment(default="per_voertuig"))  # modal level everywhere
    T.load(
        c,
        2024,
        "VR02",
        "middelen",
        T.equipment(
            {("manschap", "helm"): "op_afroep", ("noodhulp", "helm"): "persoonlijk"},  # one below, one above
            default="per_voertuig",
        ),
    )
    T.load(
        c,
        2024,
        "VR03",
        "middelen",
        T.equipment(
            {("manschap", "helm"): "niet", ("ovd_g", "chest_seal"): "op_afroep"},
            {("manschap", "helm"): "Aanschaf in 2025.", ("ovd_g", "chest_seal"): "Centrale voorraad."},
            default="per_voertuig",
        ),
    )
    rows = run(c, "int_equipment_parity")
    # tourniquet: fixed norm persoonlijk, everyone per_voertuig: 8 cells below for all
    r1 = rows[(2024, "VR01")]
    assert (r1["numerator"], r1["denominator"]) == (56, 64) and bool(r1["substantiated"]) is False
    r2 = rows[(2024, "VR02")]
    assert r2["numerator"] == 55  # the cell above the norm is not counted against it
    r3 = rows[(2024, "VR03")]
    assert r3["numerator"] == 54 and bool(r3["substantiated"]) is False  # tourniquet cells have no note
    above = c.execute("select count(*) from int_equipment_cells where region_code = 'VR02' and above_norm").fetchone()
    assert above == (1,)


def test_equipment_parity_substantiated_when_every_cell_below_has_a_note():
    c = T.new_warehouse(REGIONS, equipment_norms={})  # no fixed norms: all modal
    T.load(c, 2024, "VR01", "middelen", T.equipment())
    T.load(c, 2024, "VR02", "middelen", T.equipment())
    T.load(
        c,
        2024,
        "VR03",
        "middelen",
        T.equipment({("ovd_p", "helm"): "per_voertuig"}, {("ovd_p", "helm"): "Besluit directie."}),
    )
    rows = run(c, "int_equipment_parity")
    r = rows[(2024, "VR03")]
    assert r["numerator"] == 63 and bool(r["substantiated"]) is True
    assert r["substantiation"] == "ovd_p/helm: Besluit directie."
    assert r["norm_source"] == "modaal"


def test_ring_exercised(con):
    T.load(con, 2023, "VR01", "oefeningen", [T.exercise(1, chars=["ringenmodel"])])
    T.load(con, 2024, "VR01", "oefeningen", [])
    T.load(con, 2024, "VR02", "oefeningen", [T.exercise(1, chars=["cbrn"])])
    T.load(con, 2024, "VR02", "planvorming", T.plan(substantiated={"ringenmodel": True}))
    T.load(con, 2024, "VR03", "oefeningen", [T.exercise(1)])
    rows = run(con, "int_ring_exercised")
    assert rows[(2024, "VR01")]["value"] == 1  # exercised in 2023, inside the window
    assert rows[(2024, "VR02")]["value"] == 0 and bool(rows[(2024, "VR02")]["substantiated"]) is True
    assert rows[(2024, "VR03")]["value"] == 0 and bool(rows[(2024, "VR03")]["substantiated"]) is False


# --------------------------------------------------------------------------
# leren
# --------------------------------------------------------------------------


def test_lesson_shares(con):
    T.load(
        con,
        2024,
        "VR01",
        "lessen",
        [
            T.lesson(1, shared="virtueel_kantoor", follow_up="uitgevoerd"),
            T.lesson(2, shared="email", follow_up="gepland"),
            T.lesson(3, shared="virtueel_kantoor", follow_up="geen"),
            T.lesson(4, shared="niet", follow_up="uitgevoerd"),
            T.lesson(5, shared="overleg", follow_up="uitgevoerd"),
        ],
    )
    T.load(con, 2024, "VR02", "lessen", [])
    s = run(con, "int_lessons_shared_share")
    assert (s[(2024, "VR01")]["numerator"], s[(2024, "VR01")]["denominator"]) == (2, 5)
    assert s[(2024, "VR01")]["value"] == pytest.approx(0.4)
    assert nan(s[(2024, "VR02")]["value"])
    f = run(con, "int_lessons_followed_up_share")
    assert (f[(2024, "VR01")]["numerator"], f[(2024, "VR01")]["value"]) == (3, pytest.approx(0.6))


def test_lessons_from_others_in_the_window(con):
    T.load(con, 2021, "VR01", "lessen", [T.lesson(1, source="andere_regio", taken_from="VR02")])
    T.load(con, 2022, "VR01", "lessen", [T.lesson(1)])
    T.load(con, 2023, "VR01", "lessen", [T.lesson(1, source="andere_regio", taken_from="VR03"), T.lesson(2)])
    T.load(con, 2024, "VR01", "lessen", [T.lesson(1)])
    rows = run(con, "int_lessons_from_others")
    assert [rows[(w, "VR01")]["value"] for w in (2021, 2022, 2023, 2024)] == [1, 1, 2, 1]
    assert rows[(2023, "VR01")]["detail"] == "VR02, VR03"
    assert rows[(2023, "VR01")]["denominator"] == 4


# --------------------------------------------------------------------------
# the union
# --------------------------------------------------------------------------


def test_int_indicators_has_every_indicator_with_the_common_columns(con):
    for region in ("VR01", "VR02"):
        for module in ("oefeningen", "planvorming", "risico", "ringenmodel", "middelen", "lessen"):
            rows = {
                "oefeningen": [T.exercise(1)],
                "planvorming": T.plan(),
                "risico": [T.risk()],
                "ringenmodel": T.ring(NATIONAL),
                "middelen": T.equipment(),
                "lessen": [T.lesson(1)],
            }[module]
            T.load(con, 2024, region, module, rows)
    engine.run_intermediate(con)
    cols = [r[0] for r in con.execute("describe int_indicators").fetchall()]
    assert cols[:8] == [
        "wave",
        "region_code",
        "indicator_id",
        "value",
        "numerator",
        "denominator",
        "substantiated",
        "substantiation",
    ]
    ids = {r[0] for r in con.execute("select distinct indicator_id from int_indicators").fetchall()}
    assert ids == set(engine.INDICATOR_IDS)
    assert con.execute("select count(*) from int_indicators").fetchone()[0] == 2 * len(engine.INDICATOR_IDS)


def test_sql_files_are_lower_case_and_named_by_their_table():
    for name, sql in {**engine.INT_SQL, **engine.MART_SQL}.items():
        assert name == name.lower()
        assert "{" not in engine._strip_comments(sql), f"{name}: looks like Python formatting"
        assert sql.lstrip().startswith("--"), f"{name}: starts with a comment saying what it is"
    assert all(n.startswith("int_") for n in engine.INT_SQL)
