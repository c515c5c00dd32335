"""`regiobench validate`: a region checks its workbook before sending it; no warehouse, no Dagster."""

from __future__ import annotations

import shutil

from pipelines import sample
from tests.support import ROOT, read_sheets, run_cli

WORKBOOK = next((ROOT / "data" / "raw" / "2025").glob("VR13_*.xlsx"))


def test_clean_workbook_passes(tmp_path):
    target = tmp_path / "2025" / WORKBOOK.name
    target.parent.mkdir()
    shutil.copy(WORKBOOK, target)
    proc = run_cli("validate", str(target), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "in orde" in proc.stdout and "0 fout(en)" in proc.stdout
    assert not (tmp_path / "data").exists()  # touched nothing


def test_broken_workbook_lists_every_problem_and_exits_1(tmp_path):
    target = tmp_path / "2025" / WORKBOOK.name
    target.parent.mkdir()
    sheets = read_sheets(WORKBOOK)
    sheets["risico"][0]["kans_score"] = 9
    sheets["middelen"][4]["discipline"] = "brandwer"
    sheets["oefeningen"][0]["datum"] = "2019-05-01"
    sample.write_workbook(target, sheets)
    proc = run_cli("validate", str(target), cwd=tmp_path)
    assert proc.returncode == 1
    out = proc.stdout
    assert "4 fout(en)" in out  # the misspelt discipline also leaves its combination missing
    assert "de combinatie 'brandweer, manschap, tourniquet' (discipline x functie x middel) ontbreekt" in out
    assert "blad 'risico', rij 2, kolom 'kans_score'" in out and "'9'" in out
    assert "blad 'middelen', rij 6, kolom 'discipline'" in out and "'brandwer'" in out
    assert "blad 'oefeningen', rij 2, kolom 'datum'" in out and "2019" in out


def test_missing_file_is_an_error(tmp_path):
    proc = run_cli("validate", str(tmp_path / "VR01_bestaat_niet.xlsx"), cwd=tmp_path)
    assert proc.returncode == 1
