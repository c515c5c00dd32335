"""Reasons weighed (docs/verdicts.md 5a): the rules that let a reason lapse, the analyst's judgements,
the signals, and the verdicts that follow, on a small warehouse written by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.contract import reasons as R
from pipelines.contract.codebook import MODULES
from pipelines.engine import build as engine
from tests.engine import engine_data as T

REGIONS = [("VR01", "Een", 600_000), ("VR02", "Twee", 300_000), ("VR03", "Drie", 900_000)]
TQ = ("manschap", "tourniquet")  # norm 'persoonlijk' fixed below; 'op_afroep' is below it
CELL = "manschap/tourniquet"
EQ = "equipment_parity"


def _norms():
    return {k: "persoonlijk" for k in MODULES["middelen"].expected_grid() if k[2] == "tourniquet"}


def _judgement(line, wave, region, ind, cell, word, motivation="Motivering."):
    return (line, wave, region, ind, cell, word, motivation, "analist", "2026-01-05", None, None, None, None)


def _world(judgements=()):
    """Tourniquets below the norm:
    VR01 2021-2023 with the same text each wave (twice with other case/punctuation), conform in 2024;
    VR02 2022 only, a reason valid until 2021 that names 2020, the same text as VR01's in 2022;
    VR03 2021 without a reason, 2022 and 2023 with a reason."""
    con = T.new_warehouse(REGIONS, equipment_norms=_norms())
    below = {TQ: "op_afroep"}
    text = {2021: "Levering vertraagd.", 2022: "levering VERTRAAGD", 2023: "Levering vertraagd!"}
    for wave in (2021, 2022, 2023, 2024):
        vr01 = T.equipment(below, {TQ: text[wave]}) if wave < 2024 else T.equipment()
        T.load(con, wave, "VR01", "middelen", vr01)
        if wave == 2022:
            vr02 = T.equipment(below, {TQ: "Levering vertraagd; toegezegd in 2020."}, valid_until={TQ: 2021})
        else:
            vr02 = T.equipment()
        T.load(con, wave, "VR02", "middelen", vr02)
        if wave in (2021, 2022, 2023):
            T.load(con, wave, "VR03", "middelen", T.equipment(below, {TQ: "Budget volgt."} if wave > 2021 else {}))
        else:
            T.load(con, wave, "VR03", "middelen", T.equipment())
    T.set_judgements(con, list(judgements))
    engine.build_marts(con)
    return con


def _register(con):
    rows = con.execute(
        "select wave, region_code, indicator_id, cell, status, rule_status, deviation_waves_in_row, "
        "waves_same_text_in_row, first_wave_same_text, n_other_regions_same_text, years_named_past, "
        "status_reason, verdict from marts.substantiation_register"
    ).df()
    return {(r.wave, r.region_code, r.indicator_id, r.cell): r for r in rows.itertuples()}


def _verdicts(con, indicator=EQ):
    return dict(
        ((w, r), (v, e))
        for w, r, v, e in con.execute(
            "select wave, region_code, verdict, explanation from marts.variation_register where indicator_id = ?",
            [indicator],
        ).fetchall()
    )


@pytest.fixture(scope="module")
def plain():
    con = _world()
    yield con
    con.close()


def test_a_reason_carries_a_deviation_two_waves_and_lapses_in_the_third(plain):
    reg = _register(plain)
    got = [
        (reg[(w, "VR01", EQ, CELL)].status, reg[(w, "VR01", EQ, CELL)].deviation_waves_in_row)
        for w in (2021, 2022, 2023)
    ]
    assert got == [(R.VALID, 1), (R.VALID, 2), (R.LAPSED, 3)]
    assert "al 3 peiljaren op rij" in reg[(2023, "VR01", EQ, CELL)].status_reason
    verdicts = _verdicts(plain)
    assert verdicts[(2022, "VR01")][0] == "afwijking_onderbouwd"
    assert verdicts[(2023, "VR01")][0] == "afwijking_niet_onderbouwd"
    assert "al 3 peiljaren op rij" in verdicts[(2023, "VR01")][1]
    assert (2024, "VR01", EQ, CELL) not in reg  # conform: nothing to explain


def test_the_row_counts_the_deviation_not_the_reasons(plain):
    """VR03 gave no reason in 2021: its 2023 reason is still the third consecutive wave of the deviation."""
    reg = _register(plain)
    assert (2021, "VR03", EQ, CELL) not in reg
    assert reg[(2022, "VR03", EQ, CELL)].deviation_waves_in_row == 2 and reg[(2022, "VR03", EQ, CELL)].status == R.VALID
    assert reg[(2023, "VR03", EQ, CELL)].status == R.LAPSED
    assert (
        "geen toelichting" in _verdicts(plain)[(2021, "VR03")][1]
        or "toelichting" in _verdicts(plain)[(2021, "VR03")][1]
    )


def test_a_passed_validity_year_lapses_and_signals_stay_signals(plain):
    r = _register(plain)[(2022, "VR02", EQ, CELL)]
    assert (r.status, r.rule_status, r.deviation_waves_in_row) == (R.LAPSED, R.LAPSED, 1)
    assert "geldig tot 2021" in r.status_reason
    assert r.years_named_past == "2020"
    assert _verdicts(plain)[(2022, "VR02")][0] == "afwijking_niet_onderbouwd"


def test_the_same_text_is_recognised_across_case_and_punctuation(plain):
    reg = _register(plain)
    r = reg[(2023, "VR01", EQ, CELL)]
    assert (r.waves_same_text_in_row, r.first_wave_same_text) == (3, 2021)
    # VR02's text differs ("toegezegd in 2020"), so in 2022 nobody shares VR01's
    assert reg[(2022, "VR01", EQ, CELL)].n_other_regions_same_text == 0
    assert reg[(2022, "VR03", EQ, CELL)].n_other_regions_same_text == 0


def test_judgements_override_the_rules_both_ways_and_are_quoted():
    con = _world(
        [
            _judgement(2, 2023, "VR03", EQ, CELL, R.ACCEPTED, "Levering aantoonbaar besteld."),
            _judgement(3, 2022, "VR01", EQ, CELL, R.REJECTED, "Geen leverancier genoemd."),
        ]
    )
    reg, verdicts = _register(con), _verdicts(con)
    assert reg[(2023, "VR03", EQ, CELL)].status == R.ACCEPTED
    assert reg[(2023, "VR03", EQ, CELL)].rule_status == R.LAPSED  # what the rules alone say stays visible
    assert verdicts[(2023, "VR03")][0] == "afwijking_onderbouwd"
    assert "gewogen en aanvaard: Levering aantoonbaar besteld." in verdicts[(2023, "VR03")][1]
    assert verdicts[(2023, "VR03")][1].endswith("afwijking onderbouwd, door de inspectie aanvaard.")
    assert verdicts[(2022, "VR03")][1].endswith("afwijking onderbouwd, ter weging door de analist.")
    assert reg[(2022, "VR01", EQ, CELL)].status == R.REJECTED
    assert verdicts[(2022, "VR01")][0] == "afwijking_niet_onderbouwd"
    assert "gewogen en verworpen: Geen leverancier genoemd." in verdicts[(2022, "VR01")][1]
    assert con.execute("select count(*) from marts.judgement_problems").fetchone() == (0,)
    con.close()


def test_changing_one_judgement_changes_exactly_the_verdicts_it_names(plain):
    con = _world([_judgement(2, 2023, "VR01", EQ, CELL, R.ACCEPTED)])
    before = con.execute("select * from marts.variation_register order by all").df()
    base = plain.execute("select * from marts.variation_register order by all").df()
    changed = before.compare(base) if list(before.columns) == list(base.columns) else None
    assert changed is not None and not changed.empty
    rows = before.loc[changed.index, ["wave", "region_code", "indicator_id"]].drop_duplicates()
    assert [tuple(x) for x in rows.itertuples(index=False)] == [(2023, "VR01", EQ)]
    con.close()


def test_bad_judgement_rows_are_reported_and_ignored():
    con = _world(
        [
            _judgement(2, 2022, "VR01", EQ, CELL, R.ACCEPTED),  # fine
            _judgement(3, 2024, "VR01", EQ, CELL, R.REJECTED),  # conform in 2024: no reason to weigh
            _judgement(4, 2021, "VR03", EQ, CELL, R.ACCEPTED),  # a deviation, but no reason given
        ]
    )
    problems = con.execute("select row_number, rule from marts.judgement_problems order by row_number").fetchall()
    assert problems == [(3, "weging.geen_toelichting"), (4, "weging.geen_toelichting")]
    assert _verdicts(con)[(2021, "VR03")][0] == "afwijking_niet_onderbouwd"
    con.close()


def test_the_reader_of_wegingen_csv_names_every_bad_row(tmp_path):
    (tmp_path / R.JUDGEMENT_FILE).write_text(
        "wave,region_code,indicator_id,cell,judgement,motivation\n"
        "2024,VR01,equipment_parity,manschap/tourniquet,aanvaard,Goed.\n"
        "2024,VR99,equipment_parity,manschap/tourniquet,aanvaard,Goed.\n"
        "2024,VR01,ex_count,manschap/tourniquet,aanvaard,Goed.\n"
        "2024,VR01,ring_conformity,manschap/tourniquet,aanvaard,Goed.\n"
        "2024,VR01,equipment_parity,manschap/helm,misschien,Goed.\n"
        "2024,VR01,equipment_parity,manschap/helm,verworpen,\n"
        "twintig,VR01,equipment_parity,manschap/helm,verworpen,Nee.\n"
        "2023,VR02,ring_exercised,ringenmodel,verworpen,Nee.\n"
        "2023,VR02,ring_exercised,ringenmodel,aanvaard,Ja.\n",
        encoding="utf-8",
    )
    usable, problems = R.load_judgements(tmp_path, ["VR01", "VR02"])
    assert [(j.line, j.judgement) for j in usable] == [(2, R.ACCEPTED)]
    assert [(p.line, p.rule) for p in problems] == [
        (3, "weging.regio"),
        (4, "weging.indicator"),
        (5, "weging.cel"),
        (6, "weging.oordeel"),
        (7, "weging.motivering"),
        (8, "weging.peiljaar"),
        (9, "weging.dubbel"),
        (10, "weging.dubbel"),
    ]
    assert all(p.message.endswith("genegeerd") for p in problems)


def _plan_world(reason_text: str, valid_until=None):
    """VR01 plans 'nazorg' and never exercises it (2021-2023); its 2023 reason says something of 2022."""
    con = T.new_warehouse(REGIONS[:1])
    for wave in (2021, 2022, 2023):
        ex = T.exercise(wave, chars=("cbrn",))
        ex["exercise_date"] = dt.date(wave, 3, 1)
        T.load(con, wave, "VR01", "oefeningen", [ex])
        texts = {"nazorg": reason_text} if wave == 2023 else {}
        T.load(
            con,
            wave,
            "VR01",
            "planvorming",
            T.plan({"nazorg": True}, {"nazorg": wave == 2023}, texts, {"nazorg": valid_until} if valid_until else None),
        )
    engine.build_marts(con)
    return con


def test_a_reason_that_says_exercised_in_a_year_without_such_exercise_is_a_contradiction():
    con = _plan_world("Nazorg is in 2022 uitgebreid beoefend.")
    r = con.execute(
        "select contradiction, years_named_past, status, deviation_waves_in_row from marts.substantiation_register "
        "where wave = 2023 and cell = 'nazorg' and indicator_id = 'plan_unexercised_unsubstantiated'"
    ).fetchone()
    assert r[0] is not None and "2022" in r[0]
    assert r[1] == "2022"
    assert (r[2], r[3]) == (R.LAPSED, 3)  # in the plan, unexercised since 2021: the third wave
    value, detail = con.execute(
        "select value, explanation from marts.variation_register "
        "where wave = 2023 and indicator_id = 'plan_unexercised_unsubstantiated'"
    ).fetchone()
    assert value == 1 and "nazorg: toelichting verlopen" in detail
    matrix = con.execute(
        "select status, reason_status from marts.plan_exercise_matrix where wave = 2023 and characteristic = 'nazorg'"
    ).fetchone()
    assert matrix == ("niet_beoefend", R.LAPSED)  # a reason that no longer counts is no 'onderbouwd'
    con.close()


def test_a_reason_naming_a_year_without_exercise_words_is_no_contradiction():
    con = _plan_world("Besluit AB 2022-17: niet nodig.")
    r = con.execute(
        "select contradiction, years_named_past from marts.substantiation_register where wave = 2023 and cell = 'nazorg'"
    ).fetchone()
    assert r == (None, "2022")
    con.close()


def test_ex_count_cannot_be_substantiated_and_says_so():
    from pipelines.engine import explain

    assert explain.NO_SUBSTANTIATION == "voor deze indicator telt een toelichting niet als rechtvaardiging"
    assert "ex_count" not in R.REASON_INDICATORS


@pytest.mark.parametrize(
    "body, message",
    [
        ("rule,value\nmax_waves_in_row,2\nmax_waves_in_row,3\n", "twee keer"),
        ("rule,value\nmax_waves_in_row,2\nnieuwe_regel,1\n", "onbekende regel"),
        ("rule,value\n", "ontbreken"),
        ("rule,value\nmax_waves_in_row,twee\n", "geen geheel getal"),
        ("rule,value\nmax_waves_in_row,0\n", "minstens 1"),
    ],
)
def test_a_bad_rules_file_stops_the_run_with_a_dutch_reason(tmp_path, body, message):
    from pipelines.contract.reference import ReferenceError

    (tmp_path / R.RULES_FILE).write_text(body, encoding="utf-8")
    with pytest.raises(ReferenceError, match=message):
        R.load_substantiation_rules(tmp_path)
