"""The raw folder as a hostile place: links, pipes, odd names, files swapped after they were listed.

Extends tests/ingest/test_ingest.py::test_ignored_files_are_reported_and_never_read (a lock file, .DS_Store, a
.docx and a symbolic link to a CSV outside the folder). Nothing outside data/raw is ever read, nothing
blocks, every name can be stored and printed, and a file that is refused (too large, unreadable) keeps
the region's earlier data instead of making the region "missing".
"""

from __future__ import annotations

import os
import random
import shutil
import string
import threading
from pathlib import Path

import duckdb
import pytest

from pipelines import sample
from pipelines.contract.codebook import MODULES
from pipelines.ingest.discovery import discover_wave
from pipelines.ingest.loader import ingest_wave
from pipelines.ingest.readers import Limits, read_export, read_workbooks
from pipelines.ingest.warehouse import ensure_schema
from tests.ingest.corpus import write_plain
from tests.support import read_sheets

WAVE = 2024
SEED = 31
MARKER = "GEHEIM-BUITEN-DATA-RAW"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    root = tmp_path_factory.mktemp("files-pristine")
    regions = sample.make_regions(4, SEED)
    sample.generate(root / "xlsx", [WAVE], seed=SEED, regions=regions, form="xlsx")
    sample.generate(root / "csv", [WAVE], seed=SEED, regions=regions, form="csv")
    return root, [r.code for r in regions]


@pytest.fixture
def world(tmp_path, pristine):
    root, codes = pristine
    shutil.copytree(root / "xlsx", tmp_path / "raw")
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    yield tmp_path / "raw", codes, con
    con.close()


def workbook_of(raw: Path, code: str) -> Path:
    return next((raw / str(WAVE)).glob(f"{code}_*.xlsx"))


def status(con) -> dict:
    return {
        (r[0], r[1]): r[2:]
        for r in con.execute(
            "select region_code, module, status, earlier_data_in_use, message, source_file from stg_submission_status "
            "where wave = ?",
            [WAVE],
        ).fetchall()
    }


def staged_rows(con) -> list:
    return [con.execute(f"select * from {m.table} order by all").fetchall() for m in MODULES.values()]


def everything_staged(con) -> str:
    return repr(staged_rows(con) + [con.execute("select * from stg_problems").fetchall()])


def finishes(fn, seconds: float = 20):
    """Run ``fn`` in a thread; fail (instead of hanging the suite) when it blocks."""
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:  # handed to the test's thread
            out["error"] = exc

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"blocked for more than {seconds} s"
    if "error" in out:
        raise out["error"]
    return out["value"]


def outside_workbook(tmp_path: Path, template: Path) -> Path:
    """A valid workbook outside the raw folder, carrying a marker that must never reach the warehouse."""
    sheets = read_sheets(template)
    sheets["lessen"][0]["omschrijving"] = MARKER
    sheets["risico"][0]["toelichting"] = MARKER
    path = tmp_path / "buiten" / template.name
    path.parent.mkdir(exist_ok=True)
    write_plain(path, sheets)
    return path


def test_links_and_dotdot_never_reach_outside_the_raw_folder(world, tmp_path):
    raw, codes, con = world
    folder = raw / str(WAVE)
    target = workbook_of(raw, codes[2])
    outside = outside_workbook(tmp_path, target)
    target.unlink()
    os.symlink(os.path.relpath(outside, folder), folder / target.name)  # ../../buiten/R0003_...xlsx
    (folder / "lessen.csv").symlink_to(folder / workbook_of(raw, codes[0]).name)  # a link inside the folder, too
    (tmp_path / "buiten" / "2023").mkdir()
    shutil.copy(outside, tmp_path / "buiten" / "2023" / outside.name)
    os.symlink(tmp_path / "buiten" / "2023", raw / "2023")  # a wave that is a link

    result = finishes(lambda: ingest_wave(con, raw, WAVE, codes))
    ignored = {f.rel: f.reason for f in result.files if f.kind == "genegeerd"}
    assert set(ignored) == {f"{WAVE}/{target.name}", f"{WAVE}/lessen.csv"}
    assert all("symbolische koppeling" in r for r in ignored.values())
    assert {s[0] for k, s in status(con).items() if k[0] == codes[2]} == {"ontbreekt"}
    assert MARKER not in everything_staged(con)
    assert con.execute("select count(*) from stg_module_loads where wave = 2023").fetchone()[0] == 0


def test_lock_temp_and_misnamed_files_are_ignored_and_reported(world):
    raw, codes, con = world
    folder = raw / str(WAVE)
    valid = workbook_of(raw, codes[0])
    names = {
        f"~${valid.name}": valid.read_bytes(),  # Excel's lock file, here even a real workbook: still not read
        f".~lock.{valid.name}#": b"Jan,host,01.01.2024 10:00,",  # LibreOffice's lock file
        f"{valid.name}.tmp": valid.read_bytes(),
        "Thumbs.db": b"\x00" * 64,
        "desktop.ini": b"[.ShellClassInfo]\r\n",
        "R9999_onbekende-regio.xlsx": valid.read_bytes(),
        f"{codes[1]}1_geen-scheiding.xlsx": valid.read_bytes(),  # R00021: not region R0002
        "lessen.csv.bak": b"regio_code\r\n",
        "lessen (1).csv": b"regio_code\r\n",
    }
    for name, data in names.items():
        (folder / name).write_bytes(data)
    (folder / "oud").mkdir()
    shutil.copy(valid, folder / "oud" / valid.name)
    os.mkfifo(folder / "meta.csv")  # a pipe: reading it would wait forever

    result = finishes(lambda: ingest_wave(con, raw, WAVE, codes))
    ignored = {f.rel: f.reason for f in result.files if f.kind == "genegeerd"}
    assert set(ignored) == {f"{WAVE}/{n}" for n in [*names, "oud", "meta.csv"]}
    assert all(reason for reason in ignored.values())
    warned = {p.file for p in result.problems if p.rule == "bestand.genegeerd" and not p.is_error}
    assert warned == set(ignored)
    assert {s[0] for s in status(con).values()} == {"geladen"}  # no conflict from a lock file or a copy


def test_names_that_are_not_text_are_escaped_and_the_files_still_read(world):
    raw, codes, con = world
    folder = os.fsencode(raw / str(WAVE))
    renames = {
        codes[0]: b"_fryl\xe2n.xlsx",  # Latin-1 byte, not UTF-8 (a zip extracted on another system)
        codes[1]: b"_regel\nnieuw.xlsx",  # a line break: would forge a line in the run's output
        codes[2]: "_\u202egnp.xlsx".encode(),
    }  # right-to-left override: shows as 'xlsx.png'
    for code, suffix in renames.items():
        os.rename(os.fsencode(workbook_of(raw, code)), os.path.join(folder, os.fsencode(code) + suffix))
    Path(os.fsdecode(os.path.join(folder, b"notities-\xff\xfe.txt"))).write_bytes(b"x")

    result = ingest_wave(con, raw, WAVE, codes)  # a name that is not UTF-8 used to crash the whole run
    rels = [f.rel for f in result.files]
    assert f"{WAVE}/{codes[0]}_fryl\\xe2n.xlsx" in rels
    assert f"{WAVE}/{codes[1]}_regel\\x0anieuw.xlsx" in rels
    assert f"{WAVE}/{codes[2]}_\\u202egnp.xlsx" in rels
    assert f"{WAVE}/notities-\\xff\\xfe.txt" in rels
    assert all(r.isprintable() for r in rels)
    assert {s[0] for s in status(con).values()} == {"geladen"}
    named = {p.file for p in result.problems if p.rule == "bestand.naam"}
    assert len(named) == 4 and not any(p.is_error for p in result.problems)
    stored = [r for (r,) in con.execute("select distinct source_file from stg_lessons").fetchall()]
    assert all(r.isprintable() for r in stored)


def test_a_file_swapped_after_listing_is_not_followed_and_never_blocks(world, pristine, tmp_path):
    """Discovery saw regular files; by the time they are read one is a link out and one a pipe."""
    raw, codes, con = world
    folder = raw / str(WAVE)
    workbook = workbook_of(raw, codes[0])
    outside = outside_workbook(tmp_path, workbook)
    export = folder / "lessen.csv"
    shutil.copy(pristine[0] / "csv" / str(WAVE) / "lessen.csv", export)
    files, _ = discover_wave(raw, WAVE, codes)
    assert {f.rel for f in files if f.kind != "genegeerd"} >= {f"{WAVE}/{workbook.name}", f"{WAVE}/lessen.csv"}

    workbook.unlink()
    workbook.symlink_to(outside)
    export.unlink()
    os.mkfifo(export)
    read = finishes(lambda: read_workbooks([(workbook, workbook.name)]))
    assert read[workbook.name][0] == {} and read[workbook.name][1][0].rule == "bestand.onleesbaar"
    table, problems = finishes(lambda: read_export(export, "lessen.csv"))
    assert table is None and problems[0].rule == "bestand.onleesbaar"

    from pipelines.ingest.discovery import sha256_of

    with pytest.raises(OSError):
        finishes(lambda: sha256_of(export))


def _pad(path: Path, kilobytes: int) -> None:
    """Make a workbook larger with an extra sheet (ignored by the reader) of random text."""
    sheets = read_sheets(path)
    rnd = random.Random(1)
    sheets["bijlage"] = [{"tekst": "".join(rnd.choices(string.ascii_letters, k=1000))} for _ in range(kilobytes)]
    write_plain(path, sheets)


def test_a_refused_file_keeps_the_regions_earlier_data(world, monkeypatch):
    """Too large, or unreadable: the region's modules are rejected, not missing, so nothing is deleted."""
    raw, codes, con = world
    ingest_wave(con, raw, WAVE, codes)
    before = staged_rows(con)
    _pad(workbook_of(raw, codes[0]), 400)

    import pipelines.ingest.discovery as discovery

    real = discovery.sha256_of
    unreadable = workbook_of(raw, codes[1])

    def sha256_of(path):
        if Path(path) == unreadable:
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(discovery, "sha256_of", sha256_of)
    limits = Limits(max_file_bytes=200 * 1024)
    assert workbook_of(raw, codes[0]).stat().st_size > limits.max_file_bytes > unreadable.stat().st_size
    result = ingest_wave(con, raw, WAVE, codes, limits=limits)
    st = status(con)
    for code, rule in ((codes[0], "bestand.te_groot"), (codes[1], "bestand.onleesbaar")):
        for module in MODULES:
            s = st[(code, module)]
            assert s[0] == "afgewezen" and s[1] is True and "blijven in gebruik" in s[2], (code, module, s)
        assert [p.rule for p in result.problems if p.region_code == code and p.is_error] == [rule]
    assert {st[(c, m)][0] for c in codes[2:] for m in MODULES} == {"geladen"}
    assert staged_rows(con) == before  # nothing deleted, nothing rewritten
    assert con.execute("select count(*) from stg_module_loads").fetchone()[0] == len(codes) * len(MODULES)
