"""`regiobench validate`: a region checks its workbook before sending it; no warehouse, no Dagster.

Run in this process (``cli.main``), so Great Expectations is imported once for the session rather than once
per case; the command as a separate process is run by tests/core/test_privacy.py.
"""

from __future__ import annotations

import shutil

import pytest

from pipelines import sample
from pipelines.app import cli
from tests.support import ROOT, gx, read_sheets

WORKBOOK = next((ROOT / "data" / "raw" / "2025").glob("VR13_*.xlsx"))


@pytest.fixture
def validate(tmp_path, monkeypatch, capsys):
    """``regiobench validate PATH`` started in ``tmp_path``: (exit code, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)

    def run(path):
        code = cli.main(["validate", str(path)])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


@gx
def test_clean_workbook_passes(tmp_path, validate):
    target = tmp_path / "2025" / WORKBOOK.name
    target.parent.mkdir()
    shutil.copy(WORKBOOK, target)
    code, out, err = validate(target)
    assert code == 0, out + err
    assert "in orde" in out and "0 fout(en)" in out
    assert not (tmp_path / "data").exists()  # touched nothing


@gx
def test_broken_workbook_lists_every_problem_and_exits_1(tmp_path, validate):
    target = tmp_path / "2025" / WORKBOOK.name
    target.parent.mkdir()
    sheets = read_sheets(WORKBOOK)
    sheets["risico"][0]["kans_score"] = 9
    sheets["middelen"][4]["discipline"] = "brandwer"
    sheets["oefeningen"][0]["datum"] = "2019-05-01"
    sample.write_workbook(target, sheets)
    code, out, _ = validate(target)
    assert code == 1
    assert "4 fout(en)" in out  # the misspelt discipline also leaves its combination missing
    assert "de combinatie 'brandweer, manschap, tourniquet' (discipline x functie x middel) ontbreekt" in out
    assert "blad 'risico', rij 2, kolom 'kans_score'" in out and "'9'" in out
    assert "blad 'middelen', rij 6, kolom 'discipline'" in out and "'brandwer'" in out
    assert "blad 'oefeningen', rij 2, kolom 'datum'" in out and "2019" in out


@gx  # the command imports GX before it looks at the paths
def test_missing_file_is_an_error(tmp_path, validate):
    code, _, err = validate(tmp_path / "VR01_bestaat_niet.xlsx")
    assert code == 1
    assert "VR01_bestaat_niet.xlsx: bestand bestaat niet" in err


@gx
def test_the_analysts_judgements_are_checked_row_by_row(tmp_path, validate):
    """wegingen.csv given to validate: every row a run would ignore is named; an unknown region fails it."""
    target = tmp_path / "wegingen.csv"
    target.write_text(
        "wave,region_code,indicator_id,cell,judgement,motivation\n"
        "2025,VR99,equipment_parity,manschap/helm,aanvaard,Ja.\n"
        "2025,VR01,equipment_parity,manschap/helm,misschien,Ja.\n"
        "2025,VR01,equipment_parity,manschap/helm,verworpen,Nee.\n",
        encoding="utf-8",
    )
    code, out, _ = validate(target)
    assert code == 1
    assert "1 weging(en) bruikbaar, 2 fout(en)" in out
    assert "rij 2, kolom 'region_code': onbekende regio 'VR99'" in out and "rij 3, kolom 'judgement'" in out
    target.write_text(target.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert validate(target)[0] == 0


def _with_earlier_waves(tmp_path, edit):
    """VR13's workbooks of 2022-2024 copied under tmp_path/raw, and its 2025 workbook changed by ``edit``."""
    for year in (2022, 2023, 2024):
        (tmp_path / "raw" / str(year)).mkdir(parents=True)
        source = next((ROOT / "data" / "raw" / str(year)).glob("VR13_*.xlsx"))
        shutil.copy(source, tmp_path / "raw" / str(year) / source.name)
    target = tmp_path / "raw" / "2025" / WORKBOOK.name
    target.parent.mkdir()
    sheets = read_sheets(WORKBOOK)
    edit(sheets)
    sample.write_workbook(target, sheets)
    return target


@gx
def test_a_return_far_off_its_earlier_waves_is_warned_about_without_failing(tmp_path, validate):
    """docs/plausibility.md: the ring model answered 'vrij' everywhere, where 2024 had other answers in 5 of 9
    rows; the comparison reads the earlier waves beside the file's year folder."""

    def everything_free(sheets):
        for row in sheets["ringenmodel"]:
            row["toegang"] = "vrij"

    target = _with_earlier_waves(tmp_path, everything_free)
    code, out, _ = validate(target)
    assert code == 0, out  # a warning never fails the check
    assert f"Plausibiliteit 2025: vergeleken met de eerdere aanleveringen in {tmp_path / 'raw'}" in out
    assert "peiljaren 2022, 2023, 2024" in out
    assert "2025/VR13_amsterdam-amstelland.xlsx: 0 fout(en), 1 waarschuwing(en)" in out
    assert (
        "blad 'ringenmodel', kolom 'toegang': waarschuwing: controleer de aanlevering: 5 van de 9 rijen van de "
        "module ringenmodel hebben een ander antwoord in de kolom 'toegang' dan in 2024 (56 %)"
    ) in out


@gx
def test_a_return_that_contradicts_itself_is_warned_about_even_without_earlier_waves(tmp_path, validate, capsys):
    """Adopted on the last day of the year, after the survey was filled in; --raw names a folder without waves,
    so the ring model is compared with nothing."""

    def adopted_late(sheets):
        sheets["risico"][0]["datum_vastgesteld"] = "2025-12-31"

    target = _with_earlier_waves(tmp_path, adopted_late)
    empty = tmp_path / "leeg"
    empty.mkdir()
    capsys.readouterr()
    code = cli.main(["validate", str(target), "--raw", str(empty)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "geen eerdere peiljaren in" in out and "alleen op tegenstrijdigheden" in out
    assert (
        "blad 'risico', rij 2, kolom 'datum_vastgesteld': waarschuwing: controleer de aanlevering: vastgesteld op "
        in out
    )
    assert "na de datum van invullen" in out and "ringenmodel" not in out
