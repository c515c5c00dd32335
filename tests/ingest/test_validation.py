"""GX validation (pipelines.ingest.validation): every codebook rule is found, at the right place.

The corpus of broken files is generated here: a valid return per region is
built from the codebook (all grid rows, one risico row, two exercises, two
lessons), written with the sample generator's writers, and each case changes
one thing in its own region's workbook. All workbooks of the corpus are
checked in one ``validate_paths`` call (one GX run per module for all of
them), so every case also shows that a failure lands in the right file.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import warnings

import pytest

from pipelines.contract.catalogues import CATALOGUES, ROLE_DISCIPLINE
from pipelines.contract.codebook import MODULES
from pipelines.core.problems import ERROR, WARNING, quote
from pipelines.sample import write_export
from tests.ingest.validation_cases import (
    CASES,
    CODES,
    HEADERS,
    WAVE,
    excel_row,
    frames_of,
    row_of,
    valid_return,
    write_return,
)
from tests.support import ROOT, gx

# Great Expectations (pipelines.ingest.validation, seconds to import) is imported by the fixtures and tests
# that use it, not when the suite is collected.


@gx
def test_the_corpus_breaks_every_rule():
    from pipelines.ingest.validation import RULES

    rules = {e[0] for _name, fn in CASES for e in fn(valid_return("VR02"), "VR02")}
    rules |= {"regio_bekend", "verplicht"}  # also broken by the export (regio_code itself)
    assert rules == set(RULES)


@pytest.fixture(scope="module")
def validator():
    from pipelines.ingest.validation import GXValidator

    return GXValidator()


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reference")
    lines = ["region_code,region_name,population"] + [f"{c},Regio {c},{100_000 + i}" for i, c in enumerate(CODES)]
    (folder / "regions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, reference, validator):
    """Every case's workbook, a valid one and a broken export, checked in one call."""
    from pipelines.ingest.validation import validate_paths

    root = tmp_path_factory.mktemp("corpus")
    wave_dir = root / "werkboeken" / str(WAVE)
    expected, paths = {}, []
    paths.append(write_return(wave_dir / "VR01_valide.xlsx", valid_return("VR01")))
    for (name, fn), code in zip(CASES, CODES[1:]):
        sheets = valid_return(code)
        found = fn(sheets, code)
        path = write_return(wave_dir / f"{code}_{name}.xlsx", sheets)
        paths.append(path)
        expected[name] = (f"{WAVE}/{path.name}", code, found, sheets)

    # The survey-tool export: all modules of one valid region; meta.csv also has a row of an
    # unknown region and one without a region code.
    export_dir = root / "export" / str(WAVE)
    code = CODES[-1]
    sheets = valid_return(code)
    for name, rows in sheets.items():
        rows = [{"regio_code": code, **r} for r in rows]
        if name == "meta":
            rows += [{**rows[0], "regio_code": "VR99"}, {**rows[0], "regio_code": None}]
        write_export(
            export_dir / f"{name}.csv", rows, delimiter=";", encoding="cp1252", header=["regio_code", *HEADERS[name]]
        )
        paths.append(export_dir / f"{name}.csv")
    # Two valid workbooks of one region in one wave: a conflict, but each is checked on its own.
    twice = CODES[-2]
    for name in ("a", "b"):
        paths.append(write_return(wave_dir / f"{twice}_{name}.xlsx", valid_return(twice)))
    problems = validate_paths(paths, reference, validator=validator)
    return problems, expected


def _located(problems, file):
    return sorted(((p.rule, p.sheet, p.row, p.column, p.value) for p in problems if p.file == file), key=repr)


@gx
@pytest.mark.parametrize("name", [name for name, _fn in CASES])
def test_each_broken_rule_is_found_at_its_place(corpus, name):
    from pipelines.ingest.validation import RULES

    problems, expected = corpus
    file, code, found, _sheets = expected[name]
    want = [
        (rule, sheet, None if i is None else excel_row(i), column, value) for rule, sheet, i, column, value in found
    ]
    assert _located(problems, file) == sorted(want, key=repr)
    for p in (p for p in problems if p.file == file):
        assert p.severity == ERROR
        assert p.region_code == code
        assert p.module == p.sheet
        assert p.rule in RULES
        assert (p.value if p.value is not None else quote(None)) in p.message


@gx
def test_valid_workbook_gives_no_problem(corpus):
    problems, expected = corpus
    assert [p for p in problems if p.file == f"{WAVE}/VR01_valide.xlsx"] == []
    # Every region of the corpus has OEF-1 and LES-1, checked in one run: keys are unique per
    # region, not across regions (the expected lists of the cases hold no such 'uniek').
    assert not [
        p
        for p in problems
        if p.rule == "uniek" and p.file != expected["uniek"][0] and p.file != expected["uniek_samengesteld"][0]
    ]


@gx
def test_message_names_rule_and_allowed_values(corpus):
    problems, expected = corpus
    file = expected["catalogus_rasterveld"][0]
    [p] = [p for p in problems if p.file == file and p.rule == "catalogus"]
    assert p.message == "waarde 'brandwer' staat niet in de lijst 'discipline' (brandweer, ambulance, politie)"
    [p] = [p for p in problems if p.file == expected["functie_discipline"][0] and p.rule == "functie_discipline"]
    assert "'manschap'" in p.message and "'brandweer'" in p.message and "noodhulp, ovd_p" in p.message
    [p] = [p for p in problems if p.file == expected["bereik_max"][0]]
    assert "1 tot en met 5" in p.message
    [p] = [p for p in problems if p.file == expected["datum_peiljaar"][0]]
    assert str(WAVE) in p.message
    [p] = [p for p in problems if p.file == expected["bron_oefening_onbekend"][0]]
    assert "OEF-1, OEF-2" in p.message  # the exercises the region does have
    ps = [p for p in problems if p.file == expected["uniek"][0]]
    assert all("rij 2, 3" in p.message for p in ps)


@gx
def test_export_rows_without_or_with_unknown_region(corpus):
    problems, _ = corpus
    assert _located(problems, f"{WAVE}/meta.csv") == [
        ("regio_bekend", "meta", 3, "regio_code", "VR99"),
        ("verplicht", "meta", 4, "regio_code", None),
    ]
    [unknown] = [p for p in problems if p.file == f"{WAVE}/meta.csv" and p.rule == "regio_bekend"]
    assert unknown.region_code == "VR99" and "VR01" in unknown.message and "VR25" in unknown.message
    # The export's other modules (lessons checked against oefeningen.csv) are valid.
    assert [p for p in problems if p.file.endswith(".csv") and p.file != f"{WAVE}/meta.csv"] == []


@gx
def test_two_workbooks_of_one_region_conflict_but_are_checked_apart(corpus):
    problems, _ = corpus
    twice = CODES[-2]
    got = [(p.file, p.rule, p.region_code) for p in problems if p.file.startswith(f"{WAVE}/{twice}")]
    assert got == [
        (f"{WAVE}/{twice}_a.xlsx", "werkboek.conflict", twice),
        (f"{WAVE}/{twice}_b.xlsx", "werkboek.conflict", twice),
    ]  # no 'uniek' or 'een_rij' across them


@gx
def test_problems_are_sorted_by_file_sheet_row(corpus):
    problems, _ = corpus
    keys = [(p.file, p.sheet or "", p.row is not None, p.row or 0) for p in problems]
    assert keys == sorted(keys)


# ---------------------------------------------------------------------------
# The validator itself
# ---------------------------------------------------------------------------


@gx
def test_each_failure_goes_to_its_own_region_silently(validator, capfd, tmp_path, monkeypatch):
    a, b, c = valid_return("VR05"), valid_return("VR06"), valid_return("VR07")
    a["oefeningen"].append({**a["oefeningen"][1], "oefening_id": "OEF-3"})
    a["risico"][0]["kans_score"] = "7"
    b["lessen"][0]["bron_oefening_id"] = "OEF-3"  # an exercise of VR05, not of VR06
    i = row_of(c["ringenmodel"], zone="warm", discipline="ambulance")
    c["ringenmodel"][i]["toegang"] = "deels"
    frames = frames_of({"VR05": a, "VR06": b, "VR07": c})
    monkeypatch.chdir(tmp_path)
    capfd.readouterr()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problems = validator(WAVE, frames, CODES)
    got = sorted((p.region_code, p.file, p.module, p.row, p.column, p.rule, p.value) for p in problems)
    assert got == [
        ("VR05", f"{WAVE}/VR05.xlsx", "risico", 2, "kans_score", "bereik", "7"),
        ("VR06", f"{WAVE}/VR06.xlsx", "lessen", 2, "bron_oefening_id", "bron_oefening", "OEF-3"),
        ("VR07", f"{WAVE}/VR07.xlsx", "ringenmodel", excel_row(i), "toegang", "catalogus", "deels"),
    ]
    # GX said nothing, warned nothing and wrote nothing (no gx/ folder, no data docs, no results)
    assert caught == []
    assert capfd.readouterr() == ("", "")
    assert list(tmp_path.iterdir()) == []


@gx
def test_results_are_kept_as_json(tmp_path):
    from pipelines.ingest.validation import GXValidator
    from pipelines.ingest.validation_runs import list_runs

    results = tmp_path / "gx"
    broken = valid_return("VR03")
    broken["risico"][0]["impact_score"] = "6"
    frames = frames_of({"VR03": broken})
    frames = {name: frames[name] for name in ("meta", "risico")}
    validator = GXValidator(results_dir=results)
    problems = validator.validate_waves([(WAVE, frames, None)], CODES, run_id="run-1")
    assert [(p.rule, p.column) for p in problems] == [("bereik", "impact_score")]
    [run] = list_runs(results)
    assert validator.last_run == run and run.endswith("_run-1")
    folder = results / "runs" / run
    assert sorted(p.name for p in folder.iterdir()) == ["meta.json", "risico.json", "run.json"]
    manifest = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert (manifest["run_id"], manifest["waves"], manifest["modules"], manifest["problems"]) == (
        "run-1",
        [WAVE],
        ["meta", "risico"],
        1,
    )
    risico = json.loads((folder / "risico.json").read_text(encoding="utf-8"))
    assert risico["success"] is False
    [failed] = [r for r in risico["results"] if not r["success"]]
    assert failed["expectation_config"]["type"] == "expect_column_values_to_be_between"
    assert failed["expectation_config"]["kwargs"]["column"] == "impact_score"
    assert failed["expectation_config"]["meta"]["regel"] == "bereik"
    [index] = failed["result"]["unexpected_index_list"]
    assert (index["regio_code"], index["_row"], index["_file"], index["impact_score"]) == (
        "VR03",
        2,
        f"{WAVE}/VR03.xlsx",
        6,
    )
    assert json.loads((folder / "meta.json").read_text(encoding="utf-8"))["success"] is True

    # The same waves checked again: a second run folder beside the first, which is left as it was.
    before = (folder / "risico.json").read_bytes()
    validator.validate_waves([(WAVE, frames, None)], CODES, run_id="run-1")
    runs = list_runs(results)
    assert len(runs) == 2 and run in runs and validator.last_run == runs[1] != run
    assert (folder / "risico.json").read_bytes() == before
    assert not list((results / "runs").glob(".tmp-*"))


@gx
def test_a_run_that_fails_half_way_leaves_no_result(tmp_path, monkeypatch):
    from pipelines.ingest.validation import GXValidator
    from pipelines.ingest.validation_runs import list_runs

    validator = GXValidator(results_dir=tmp_path)
    frames = frames_of({"VR03": valid_return("VR03")})

    def broken_save(folder, name, result):
        (folder / f"{name}.json").write_text("{")  # half a file, then the run dies
        raise OSError("schijf vol")

    monkeypatch.setattr(validator, "_save", broken_save)
    with pytest.raises(OSError):
        validator.validate_waves([(WAVE, frames, None)], CODES, run_id="kapot")
    assert list_runs(tmp_path) == [] and validator.last_run is None
    assert list((tmp_path / "runs").iterdir()) == []


@gx
def test_expectations_derive_from_the_codebook(validator):
    for name, module in MODULES.items():
        checks = {(c.rule, c.column) for c in validator.checks[name]}
        for f in module.stored_fields:
            assert (("verplicht", f.name) in checks) == f.required, (name, f.name)
            assert (("catalogus", f.name) in checks) == (f.kind in ("code", "codes")), (name, f.name)
            assert (("bereik", f.name) in checks) == (f.kind == "int" and (f.min, f.max) != (None, None))
        assert (("uniek", ", ".join(module.key)) in checks) == bool(module.key)
        assert (("een_rij", None) in checks) == (module.rows == "one")
        assert (("volledig", ", ".join(module.grid)) in checks) == bool(module.grid)
        suite = validator.definitions[name].suite
        assert len(suite.expectations) == len(validator.checks[name])
        for e in suite.expectations:
            if e.expectation_type == "expect_column_values_to_be_in_set" and e.column in module.field_names:
                field = module.field(e.column)
                if field.catalogue:
                    assert list(e.value_set) == list(CATALOGUES[field.catalogue].codes)
    assert ("functie_discipline", "functie") in {(c.rule, c.column) for c in validator.checks["middelen"]}
    assert set(ROLE_DISCIPLINE) == set(CATALOGUES["functie"].codes)


@gx
def test_wave_year_rule_needs_a_wave(tmp_path, reference, validator):
    from pipelines.ingest.validation import validate_paths

    rows = valid_return("VR08")["oefeningen"]
    rows[0]["datum"] = "2023-05-01"
    path = write_return(tmp_path / "los" / "VR08.xlsx", {"oefeningen": rows})  # a folder that is no year

    def found(problems):
        return [(p.rule, p.severity, p.file, p.row, p.value) for p in problems if p.rule != "blad.ontbreekt"]

    without = validate_paths([path], reference, validator=validator)
    assert found(without) == [("peiljaar.onbekend", WARNING, "VR08.xlsx", None, None)]
    [warning] = [p for p in without if p.rule == "peiljaar.onbekend"]
    assert "datum_peiljaar" in warning.message
    assert found(validate_paths([path], reference, wave=2023, validator=validator)) == [
        ("datum_peiljaar", ERROR, "VR08.xlsx", 3, "2024-03-15")
    ]
    assert found(validate_paths([path], reference, wave=2024, validator=validator)) == [
        ("datum_peiljaar", ERROR, "VR08.xlsx", 2, "2023-05-01")
    ]


@gx
def test_validate_paths_clean_and_broken_workbook(tmp_path, reference, validator):
    from pipelines.ingest.validation import validate_paths

    clean = write_return(tmp_path / "2024" / "VR09_utrecht.xlsx", valid_return("VR09"))
    sheets = valid_return("VR10")
    del sheets["lessen"]
    sheets["risico"][0].update(kans_score="zes", methode="gok")
    sheets["oefeningen"][1]["datum"] = "2022-01-01"
    broken = write_return(tmp_path / "2024" / "VR10.xlsx", sheets)
    problems = validate_paths([clean, broken], reference, validator=validator)
    assert [(p.file, p.sheet, p.row, p.column, p.rule) for p in problems] == [
        ("2024/VR10.xlsx", None, None, None, "blad.ontbreekt"),
        ("2024/VR10.xlsx", "oefeningen", 3, "datum", "datum_peiljaar"),
        ("2024/VR10.xlsx", "risico", 2, "kans_score", "type.geheel_getal"),  # the reader's; not repeated by GX
        ("2024/VR10.xlsx", "risico", 2, "methode", "catalogus"),
    ]
    assert problems[0].module == "lessen"
    assert all(p.region_code == "VR10" for p in problems)


@gx
def test_validate_paths_unknown_file_kinds(tmp_path, reference, validator):
    from pipelines.ingest.validation import validate_paths

    odd = tmp_path / "2024" / "VR77_nergens.xlsx"
    odd.parent.mkdir(parents=True)
    odd.write_bytes(b"not a workbook")
    notes = tmp_path / "2024" / "notities.txt"
    notes.write_text("x")
    problems = validate_paths([odd, notes, tmp_path / "2024" / "weg.xlsx"], reference, validator=validator)
    assert sorted((p.file, p.rule, p.severity) for p in problems) == [
        ("2024/VR77_nergens.xlsx", "bestand.genegeerd", ERROR),
        ("2024/notities.txt", "bestand.genegeerd", ERROR),
        ("2024/weg.xlsx", "bestand.ontbreekt", ERROR),
    ]


# ---------------------------------------------------------------------------
# Imports
# ---------------------------------------------------------------------------


def test_validation_never_imports_dagster():
    files = sorted((ROOT / "pipelines" / "ingest" / "validation").glob("*.py"))
    assert len(files) > 1
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not any(name.split(".")[0] == "dagster" for name in names), path


def test_ingest_does_not_load_great_expectations():
    code = "import sys, pipelines.ingest.loader, pipelines.ingest.readers; print('great_expectations' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
