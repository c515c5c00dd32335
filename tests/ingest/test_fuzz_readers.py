"""Fuzzing the readers and the validator with hypothesis.

Properties, whatever the bytes: reading never raises, a file that cannot be read
is one problem naming the file, and a file that can be read gives problems that
point inside it (sheet, row, column). Through the whole ingest with the real
validator: every unit ends as loaded or rejected, never an exception, and the
region next to the fuzzed one always loads.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
import zipfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines import sample
from pipelines.contract.codebook import MODULES
from pipelines.ingest.loader import ingest_waves
from pipelines.ingest.readers import parse_module, read_export, read_workbook, read_workbooks
from pipelines.ingest.warehouse import ensure_schema
from tests.ingest.corpus import rebuild, write_plain
from tests.support import read_sheets

pytestmark = pytest.mark.slow  # hypothesis over whole corpora (over 150 s here): left out of make test-fast


def fuzz(examples: int):
    return settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), print_blob=True)


SEED = 23
WAVES = list(range(2019, 2025))


@pytest.fixture(scope="module")
def workbook(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-template")
    sample.generate(root, [2024], seed=SEED, regions=sample.make_regions(1, SEED), form="xlsx")
    return next((root / "2024").glob("*.xlsx"))


def assert_located(problems, rel, sheets=None):
    for p in problems:
        assert p.file == rel and p.rule and p.message.strip()
        if p.row is not None:
            assert p.row >= 1
        if sheets is not None and p.sheet is not None and p.rule not in ("blad.onbekend",):
            assert p.sheet in sheets, (p.sheet, sheets)


# ---------------------------------------------------------------------------- bytes named .xlsx


@fuzz(150)
@given(data=st.binary(max_size=4096), zip_magic=st.booleans())
def test_random_bytes_named_xlsx_are_one_clear_rejection(tmp_path_factory, data, zip_magic):
    path = tmp_path_factory.mktemp("rnd") / "VR01_x.xlsx"
    path.write_bytes((b"PK\x03\x04" if zip_magic else b"") + data)
    tables, problems = read_workbook(path, "2024/VR01_x.xlsx")
    assert tables == {}
    assert [p.rule for p in problems] in (["bestand.onleesbaar"], ["bestand.te_groot"])
    assert_located(problems, "2024/VR01_x.xlsx")


def _mutate(data: bytes, ops) -> bytes:
    out = bytearray(data)
    for kind, pos, blob in ops:
        at = pos % (len(out) + 1)
        if kind == "flip" and out:
            out[at % len(out)] ^= (blob[:1] or b"\xff")[0] or 1
        elif kind == "insert":
            out[at:at] = blob
        elif kind == "delete":
            del out[at : at + len(blob) + 1]
        elif kind == "truncate":
            del out[at:]
    return bytes(out)


MUTATION = st.lists(
    st.tuples(
        st.sampled_from(["flip", "insert", "delete", "truncate"]), st.integers(0, 1 << 20), st.binary(max_size=64)
    ),
    min_size=1,
    max_size=4,
)
XML_JUNK = st.sampled_from(
    [
        b"<",
        b">",
        b"&",
        b"&#0;",
        b"&#xD800;",
        b'<c r="XFD1048576"><v>1</v></c>',
        b"</row>",
        b'<row r="0">',
        b'<row r="-1">',
        b'<c r="A0">',
        b"<![CDATA[",
        b"<!--",
        b"\x00",
        b"\xff\xfe",
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]>',
        b"&a;",
        b"<f>1/0</f>",
        b' t="e"',
        b' t="d"',
        b"<v>1e308</v>",
        b"<v>NaN</v>",
        b"<is><t>x</t></is>",
    ]
)


@fuzz(12)
@given(
    batch=st.lists(
        st.tuples(st.booleans(), st.integers(0, 20), MUTATION, st.lists(XML_JUNK, max_size=4)), min_size=4, max_size=4
    )
)
def test_damaged_workbooks_never_raise_and_problems_point_inside(workbook, tmp_path_factory, batch):
    """Damage the zip itself, or one part's XML (recompressed, so it reaches the XML parser)."""
    folder = tmp_path_factory.mktemp("mut")
    with zipfile.ZipFile(workbook) as zf:
        names = [i.filename for i in zf.infolist()]
        contents = {n: zf.read(n) for n in names}
    items = []
    for k, (whole_zip, part_index, ops, junk) in enumerate(batch):
        path = folder / f"VR01_{k}.xlsx"
        if whole_zip:
            path.write_bytes(_mutate(workbook.read_bytes(), ops))
        else:
            part = names[part_index % len(names)]
            xml = _mutate(contents[part], ops)
            for j, bit in enumerate(junk):
                at = (ops[0][1] * (j + 1)) % (len(xml) + 1)
                xml = xml[:at] + bit + xml[at:]
            rebuild(workbook, path, {part: xml})
        items.append((path, path.name))
    results = read_workbooks(items)
    for _path, rel in items:
        tables, problems = results[rel]
        assert_located(problems, rel)
        for module, table in tables.items():
            assert module in MODULES
            assert all(len(r) == len(table.header) for r in table.rows)
            assert table.row_numbers == sorted(set(table.row_numbers)) and all(n >= 2 for n in table.row_numbers)
            frame, parsed = parse_module(table, MODULES[module], region_code="VR01")
            assert len(frame) == len(table.rows)
            assert_located(table.problems + parsed, rel)


# ---------------------------------------------------------------------------- bytes and text named .csv


def _read_and_parse(path: Path, module: str):
    table, problems = read_export(path, path.name)
    if table is None:
        assert len(problems) == 1 and problems[0].is_error
        assert_located(problems, path.name)
        return None, problems
    frame, parsed = parse_module(table, MODULES[module])
    assert len(frame) == len(table.rows)
    assert_located(problems + parsed, path.name)
    return frame, problems + parsed


@fuzz(200)
@given(data=st.binary(max_size=2048), module=st.sampled_from(sorted(MODULES)))
def test_random_bytes_named_csv_never_raise(tmp_path_factory, data, module):
    path = tmp_path_factory.mktemp("csv") / f"{module}.csv"
    path.write_bytes(data)
    _read_and_parse(path, module)


NASTY = st.sampled_from(
    [
        '"',
        '""',
        '"a"b',
        ",",
        ";",
        "\n",
        "\r",
        "\r\n",
        "\x00",
        "\t",
        "=1+1",
        "+1",
        "-1",
        "@SUM(1)",
        "<script>x</script>",
        "\u202e",
        "\ufeff",
        "🚒",
        "ja",
        "nee",
        "1,5",
        "1.5",
        "2024-02-30",
        "31-12-2024",
        "VR01",
        " vr01 ",
        "",
        " ",
        "x" * 40_000,
        "\x1a",
        "é",
        "€",
    ]
)
CELL = st.one_of(NASTY, st.text(max_size=12), st.lists(NASTY, min_size=2, max_size=4).map("".join))


@fuzz(150)
@given(
    module=st.sampled_from(sorted(MODULES)),
    data=st.data(),
    delimiter=st.sampled_from([",", ";"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-be"]),
    quote_all=st.booleans(),
    line_end=st.sampled_from(["\r\n", "\n", "\r"]),
)
def test_structured_csv_with_nasty_cells_is_read_or_refused_cleanly(
    tmp_path_factory, module, data, delimiter, encoding, quote_all, line_end
):
    import csv

    names = ["regio_code"] + [f.name for f in MODULES[module].fields]
    header = data.draw(st.permutations(names)).copy()
    header = [data.draw(st.sampled_from([h, h.upper(), f" {h} "])) for h in header]
    rows = data.draw(st.lists(st.lists(CELL, min_size=len(header), max_size=len(header)), max_size=6))
    buf = io.StringIO(newline="")
    writer = csv.writer(
        buf, delimiter=delimiter, lineterminator=line_end, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    )
    writer.writerow(header)
    writer.writerows(rows)
    try:
        raw = buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        raw = buf.getvalue().encode("utf-8")
        encoding = "utf-8"
    path = tmp_path_factory.mktemp("csv") / f"{module}.csv"
    path.write_bytes(raw)
    frame, problems = _read_and_parse(path, module)
    if encoding.startswith("utf-16"):
        assert frame is None and problems[0].rule == "bestand.codering"
    if frame is not None:
        assert (frame["_row"] >= 2).all()
        assert all(p.row is None or p.row <= len(rows) * 8 + 1 for p in problems)


# ---------------------------------------------------------------------------- readers and validator together

JUNK = st.one_of(
    NASTY,
    st.text(max_size=20),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True),
    st.booleans(),
    st.dates(dt.date(1900, 3, 1), dt.date(2100, 1, 1)),
    st.none(),
)


@pytest.fixture(scope="module")
def fuzz_world(tmp_path_factory):
    root = tmp_path_factory.mktemp("fuzz-world")
    regions = sample.make_regions(2, SEED)
    sample.generate(root / "pristine", WAVES, seed=SEED, regions=regions, form="xlsx")
    from pipelines.ingest.validation import default_validator

    codes = [r.code for r in regions]
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    clean = {
        (r.wave, s["region_code"], s["module"]): s["status"]
        for r in ingest_waves(con, root / "pristine", WAVES, codes)
        for s in r.statuses
    }
    assert set(clean.values()) <= {"geladen", "ontbreekt"}
    return root, codes, default_validator(), clean


@fuzz(2)
@given(data=st.data())
def test_fuzzed_workbooks_through_reader_and_validator(fuzz_world, data):
    """Junk in random cells of one region's workbook, one variant per wave, all waves validated in one go."""
    root, codes, validator, clean = fuzz_world
    raw = Path(tempfile.mkdtemp(dir=root)) / "raw"
    shutil.copytree(root / "pristine", raw)
    fuzzed: dict[int, tuple[str, dict]] = {}
    for wave in WAVES:
        path = next((raw / str(wave)).glob(f"{codes[0]}_*.xlsx"))
        sheets = read_sheets(path)
        for _ in range(data.draw(st.integers(1, 6), label="cells")):
            module = data.draw(st.sampled_from(sorted(sheets)), label="module")
            rows = sheets[module]
            if not rows:
                continue
            row = rows[data.draw(st.integers(0, len(rows) - 1), label="row")]
            key = data.draw(st.sampled_from(sorted(row)), label="field")
            row[key] = data.draw(JUNK, label="value")
        write_plain(path, sheets)
        fuzzed[wave] = (f"{wave}/{path.name}", {m: len(r) for m, r in sheets.items()})
    con = duckdb.connect(":memory:")
    ensure_schema(con)
    results = ingest_waves(con, raw, WAVES, codes, validator=validator)
    for result in results:
        rel, sizes = fuzzed[result.wave]
        by_unit = {(s["region_code"], s["module"]): s for s in result.statuses}
        for module in MODULES:
            # the region next door is untouched by what happens to its neighbour
            assert by_unit[(codes[1], module)]["status"] == clean[(result.wave, codes[1], module)]
            unit = by_unit[(codes[0], module)]
            if clean[(result.wave, codes[0], module)] == "ontbreekt":
                continue
            errors = [p for p in result.problems if p.region_code == codes[0] and p.module == module and p.is_error]
            assert unit["status"] in ("geladen", "afgewezen")
            assert (unit["status"] == "afgewezen") == bool(errors), (module, unit, errors)
        for p in result.problems:
            if p.region_code == codes[0] and p.file == rel and p.row is not None and p.sheet in sizes:
                assert 1 <= p.row <= sizes[p.sheet] + 1, p
    shutil.rmtree(raw.parent)
