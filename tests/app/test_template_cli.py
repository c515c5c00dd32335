"""`regiobench template` (issue 20.1): one workbook per region, optionally with the previous wave's answers.

Run in this process (``cli.main``); the command reads the validation's wave-year rules, so it imports Great
Expectations: these tests are slow. The workbook itself is tested in tests/publish/test_template.py.
"""

from __future__ import annotations

import pytest

from pipelines.app import cli
from pipelines.contract.codebook import MODULES
from pipelines.contract.reference import load_regions
from pipelines.ingest.validation import validate_paths
from pipelines.publish.template import template_name
from tests.support import ROOT, gx

REGIONS = load_regions(ROOT / "data" / "reference")
pytestmark = gx


@pytest.fixture
def template(tmp_path, capsys):
    def run(*args: str):
        code = cli.main(["template", "--wave", "2026", "--out", str(tmp_path / "2026"), *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return run


def test_chosen_regions_get_one_workbook_each(tmp_path, template):
    code, out, _ = template("--region", "VR02", "--region", "vr05", "VR02")
    assert code == 0
    names = sorted(p.name for p in (tmp_path / "2026").iterdir())
    assert names == [template_name(r, 2026) for r in REGIONS if r.code in ("VR02", "VR05")]
    assert names[0] == "VR02_fryslan_2026.xlsx" and "2 werkboek(en)" in out


def test_an_unknown_region_writes_nothing(tmp_path, template):
    code, _, err = template("--region", "VR01", "VR99")
    assert code == 1 and "VR99" in err
    assert not (tmp_path / "2026").exists()


def test_an_existing_workbook_is_kept_unless_overwrite(tmp_path, template):
    target = tmp_path / "2026" / template_name(REGIONS[0], 2026)
    target.parent.mkdir()
    target.write_bytes(b"al ingevuld")
    code, _, err = template("--region", REGIONS[0].code)
    assert code == 1 and "niet overschreven" in err and target.read_bytes() == b"al ingevuld"
    code, _, _ = template("--region", REGIONS[0].code, "--overwrite")
    assert code == 0 and target.read_bytes().startswith(b"PK")


def test_a_missing_previous_wave_is_said_and_the_workbook_is_empty(tmp_path, template):
    code, out, err = template("--region", "VR01", "--prefill-from", "2024", "--raw", str(tmp_path / "leeg"))
    assert code == 0 and "niets overgenomen" in err and "leeg" in out


def test_every_region_of_the_sample_prefilled_from_2025_misses_only_the_date_of_filling_in(tmp_path, template):
    """The shipped sample's 2026 templates, read by the pipeline's reader and validation: only meta's date is open."""
    code, out, _ = template("--prefill-from", "2025")
    assert code == 0 and out.count("met de antwoorden van 2025") == len(REGIONS)
    paths = sorted((tmp_path / "2026").iterdir())
    assert [p.name for p in paths] == [template_name(r, 2026) for r in REGIONS]
    problems = validate_paths(paths, ROOT / "data" / "reference")
    errors = [(p.region_code, p.sheet, p.row, p.column, p.rule) for p in problems if p.is_error]
    meta = MODULES["meta"]
    (date,) = [f.name for f in meta.stored_fields if f.required]
    assert errors == [(r.code, meta.name, 2, date, "verplicht") for r in REGIONS]
    assert [p for p in problems if not p.is_error] == []  # the instruction sheet is skipped without a word
