"""The hostile corpus: builders of broken and malicious returns, made by the tests themselves.

Nothing large is committed: a "2 GB" zip bomb is a couple of megabytes of
deflate blocks written in a second (one block compressed once and repeated),
a "1,000,000-row sheet" is streamed XML compressed at level 1. Used by the
hostile, fuzz and Dutch-reader tests; ``test_hostile_corpus.py`` checks that the
corpus really is what its names say, so a test elsewhere cannot pass on a toothless bomb.
"""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import string
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

GiB = 1024**3
MiB = 1024**2
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
XML_HEAD = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
XML_TAIL = "</sheetData></worksheet>"


# ---------------------------------------------------------------------------- zip writing


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def deflate_run(prefix: bytes, unit: bytes, repeat: int, suffix: bytes) -> tuple[bytes, int, int]:
    """Raw deflate of ``prefix + unit * repeat + suffix``: (compressed, crc32, size).

    After a full flush the compressor starts afresh, so one unit compresses to
    the same bytes every time: the unit is compressed once and the block
    repeated. A gigabyte of repeated bytes costs about a megabyte and a second.
    """
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [c.compress(prefix) + c.flush(zlib.Z_FULL_FLUSH)]
    first = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(unit) + c.flush(zlib.Z_FULL_FLUSH)
    crc = zlib.crc32(unit, zlib.crc32(prefix))
    parts.append(first)
    for _ in range(repeat - 1):
        parts.append(block)
        crc = zlib.crc32(unit, crc)
    parts.append(c.compress(suffix) + c.flush())
    return b"".join(parts), zlib.crc32(suffix, crc), len(prefix) + len(unit) * repeat + len(suffix)


def write_zip(path: Path, entries: Iterable[tuple[str, bytes, int, int]]) -> None:
    """A zip from raw deflated entries (name, compressed, crc, declared size): sizes may lie."""
    buf = io.BytesIO()
    central = []
    for name, data, crc, size in entries:
        offset, n = buf.tell(), name.encode()
        buf.write(
            struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(n), 0) + n + data
        )
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0,
                8,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(n),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + n
        )
    start = buf.tell()
    for c in central:
        buf.write(c)
    count = min(len(central), 0xFFFF)
    buf.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, buf.tell() - start, start, 0))
    Path(path).write_bytes(buf.getvalue())


def sheet_part(template: Path, sheet: str) -> str:
    """The zip part of a sheet, by its name (workbook.xml and its relationships)."""
    with zipfile.ZipFile(template) as zf:
        book = zf.read("xl/workbook.xml").decode()
        rels = zf.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+" r:id="(rId\d+)"', book).group(1)
    target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels).group(1)
    return target.lstrip("/") if target.startswith("/xl/") else f"xl/{target}"


def rebuild(
    template: Path,
    out: Path,
    replace: Mapping[str, bytes | tuple[bytes, int, int]] = (),
    declared: Mapping[str, int] = (),
) -> None:
    """Copy a workbook part by part; ``replace`` gives new contents (raw, or deflated with crc and size),
    ``declared`` a false uncompressed size to write in the headers."""
    replace, declared = dict(replace), dict(declared)
    entries = []
    with zipfile.ZipFile(template) as zf:
        for info in zf.infolist():
            content = replace.get(info.filename, zf.read(info.filename))
            if isinstance(content, bytes):
                content = (deflate(content), zlib.crc32(content), len(content))
            data, crc, size = content
            entries.append((info.filename, data, crc, declared.get(info.filename, size)))
    write_zip(out, entries)


def column(j: int) -> str:
    name, j = "", j + 1
    while j:
        j, r = divmod(j - 1, 26)
        name = chr(65 + r) + name
    return name


def inline(ref: str, text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def header_xml(header: list[str]) -> str:
    return '<row r="1">' + "".join(inline(f"{column(j)}1", h) for j, h in enumerate(header)) + "</row>"


def random_letters(seed: int, n: int, alphabet: str) -> str:
    """``n`` letters of ``alphabet``, at random but the same for a seed (random bytes mapped onto the alphabet:
    ``random.choices`` takes seconds for ten million)."""
    table = bytes(ord(alphabet[b % len(alphabet)]) for b in range(256))
    return random.Random(seed).randbytes(n).translate(table).decode("ascii")


# ---------------------------------------------------------------------------- hostile workbooks
# Each builder writes ``out`` from ``template`` (a valid workbook of the region). ``sheet`` is the module
# whose sheet is replaced; the other sheets stay valid, so a reader that isolates the damage loads them.


def random_bytes(template: Path, out: Path, seed: int = 1, size: int = 4096, **_) -> None:
    out.write_bytes(random.Random(seed).randbytes(size))


def truncated(template: Path, out: Path, **_) -> None:
    data = template.read_bytes()
    out.write_bytes(data[: len(data) // 2])


def zip_bomb(template: Path, out: Path, sheet: str = "lessen", gib: float = 2.0, lie: bool = False, **_) -> None:
    """The sheet XML is a header row and then one text cell of ``gib`` GiB of 'A': a few MB on disk.

    ``lie``: the zip headers declare 1 KB, so only a reader that trusts them is fooled.
    """
    part = sheet_part(template, sheet)
    prefix = (XML_HEAD + header_xml(["les_id"]) + '<row r="2"><c r="A2" t="inlineStr"><is><t>').encode()
    suffix = ("</t></is></c></row>" + XML_TAIL).encode()
    unit = b"A" * MiB
    bomb = deflate_run(prefix, unit, int(gib * 1024), suffix)
    rebuild(template, out, {part: bomb}, {part: 1024} if lie else {})


def sparse_grid(template: Path, out: Path, sheet: str = "lessen", **_) -> None:
    """Two cells, A1 and XFD1048576: 500 bytes that a reader storing the sheet as a grid makes 17 billion cells."""
    part = sheet_part(template, sheet)
    xml = XML_HEAD + header_xml(["les_id"]) + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' + XML_TAIL
    rebuild(template, out, {part: xml.encode()})


def huge_string_count(template: Path, out: Path, **_) -> None:
    """The shared-strings table declares four billion strings (a reader that reserves room for them asks 96 GB)."""
    with zipfile.ZipFile(template) as zf:
        sst = zf.read("xl/sharedStrings.xml").decode()
    sst = re.sub(r'uniqueCount="\d+"', 'uniqueCount="4000000000"', sst)
    rebuild(template, out, {"xl/sharedStrings.xml": sst.encode()})


def repeated_long_string(
    template: Path, out: Path, sheet: str = "lessen", rows: int = 20_000, cols: int = 10, length: int = 100_000, **_
) -> None:
    """One 100,000-character shared string referenced by 200,000 cells: 600 KB on disk, 20 GB as text."""
    long = random_letters(2, length, string.ascii_letters)
    with zipfile.ZipFile(template) as zf:
        sst = zf.read("xl/sharedStrings.xml").decode()
        n = int(re.search(r'uniqueCount="(\d+)"', sst).group(1))
    sst = re.sub(r'count="\d+" uniqueCount="\d+"', f'count="{n + 1}" uniqueCount="{n + 1}"', sst)
    sst = sst.replace("</sst>", f"<si><t>{long}</t></si></sst>")
    body = [XML_HEAD, header_xml(["les_id", "omschrijving"] + [f"x{j}" for j in range(cols - 2)])]
    for i in range(2, rows + 2):
        body.append(
            f'<row r="{i}">' + "".join(f'<c r="{column(j)}{i}" t="s"><v>{n}</v></c>' for j in range(cols)) + "</row>"
        )
    body.append(XML_TAIL)
    rebuild(template, out, {"xl/sharedStrings.xml": sst.encode(), sheet_part(template, sheet): "".join(body).encode()})


def many_parts(template: Path, out: Path, parts: int = 600_000, **_) -> None:
    """A zip whose table of contents lists 600,000 empty parts (49 MB, under the file size limit)."""
    entries = []
    with zipfile.ZipFile(template) as zf:
        for info in zf.infolist():
            raw = zf.read(info.filename)
            entries.append((info.filename, deflate(raw), zlib.crc32(raw), len(raw)))
    empty = deflate(b"")
    entries += [(f"x/{i:x}", empty, 0, 0) for i in range(parts)]
    write_zip(out, entries)


def million_rows(template: Path, out: Path, sheet: str = "lessen", rows: int = 1_000_000, **_) -> None:
    """1,000,000 rows of one small number each: 40 MB of XML, 1.5 MB on disk, under the unpacked-size limit."""
    part = sheet_part(template, sheet)
    c = zlib.compressobj(1, zlib.DEFLATED, -15)
    head = (XML_HEAD + header_xml(["les_id"])).encode()
    chunks, crc, size = [c.compress(head)], zlib.crc32(head), len(head)
    for start in range(2, rows + 2, 50_000):
        block = "".join(
            f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(start, min(start + 50_000, rows + 2))
        ).encode()
        chunks.append(c.compress(block))
        crc, size = zlib.crc32(block, crc), size + len(block)
    tail = XML_TAIL.encode()
    chunks.append(c.compress(tail) + c.flush())
    rebuild(template, out, {part: (b"".join(chunks), zlib.crc32(tail, crc), size + len(tail))})


def rows_xml(header: list[str], rows: list[dict]) -> str:
    """A sheet's XML, every text as an inline string (no writer in between to shorten it)."""
    out = [XML_HEAD, header_xml(header)]
    for i, row in enumerate(rows, start=2):
        cells = []
        for j, h in enumerate(header):
            v = row.get(h)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                cells.append(f'<c r="{column(j)}{i}"><v>{v!r}</v></c>')
            elif v not in (None, ""):
                cells.append(inline(f"{column(j)}{i}", str(v)))
        out.append(f'<row r="{i}">' + "".join(cells) + "</row>")
    out.append(XML_TAIL)
    return "".join(out)


def big_cell(template: Path, out: Path, sheet: str = "lessen", chars: int = 10 * MiB, **_) -> None:
    """A lesson whose description is 10 MB of random letters (incompressible: not a bomb, just too long)."""
    from tests.support import read_sheets

    rows = read_sheets(template)[sheet]
    rows[0]["omschrijving"] = random_letters(3, chars, string.ascii_letters + " ")
    header = list(dict.fromkeys(k for r in rows for k in r))
    rebuild(template, out, {sheet_part(template, sheet): rows_xml(header, rows).encode()})


# ---------------------------------------------------------------------------- awkward but contract-shaped workbooks


def write_plain(
    path: Path,
    sheets: Mapping[str, list[dict]],
    hook: Callable | None = None,
    options: Mapping | None = None,
    names: Mapping[str, str] | None = None,
) -> None:
    """Like ``sample.write_workbook`` (strings as text, numbers as numbers), plus a ``hook(workbook, worksheets)``
    for what the sample writer does not do (merges, formulas, hidden sheets), workbook ``options`` and sheet
    ``names`` (module -> name in the workbook)."""
    import xlsxwriter

    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "in_memory": True,
            "nan_inf_to_errors": True,
            **(options or {}),
        },
    )
    date_fmt = wb.add_format({"num_format": "dd-mm-yyyy"})
    worksheets = {}
    for module, rows in sheets.items():
        ws = wb.add_worksheet((names or {}).get(module, module))
        worksheets[module] = ws
        header = list(dict.fromkeys(k for r in rows for k in r)) or ["x"]
        for j, h in enumerate(header):
            ws.write_string(0, j, h)
        for i, row in enumerate(rows, start=1):
            for j, h in enumerate(header):
                v = row.get(h)
                if v is None or v == "":
                    continue
                if isinstance(v, bool):
                    ws.write_boolean(i, j, v)
                elif isinstance(v, (int, float)):
                    ws.write_number(i, j, v)
                elif isinstance(v, dt.date):
                    ws.write_datetime(i, j, dt.datetime(v.year, v.month, v.day), date_fmt)
                else:
                    ws.write_string(i, j, str(v))
    if hook:
        hook(wb, worksheets)
    wb.close()


def compound_file(*streams: str) -> bytes:
    """A Compound File (OLE2) with the named streams in its directory, as Excel writes an encrypted .xlsx
    (EncryptionInfo, EncryptedPackage) or an old .xls (Workbook). Header and directory only: enough for what
    the reader looks at (msoffcrypto-tool and olefile are not installed to build a full one)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[24:34] = struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
    directory = bytearray()
    for name in ("Root Entry",) + streams:
        entry = bytearray(128)
        raw = name.encode("utf-16-le") + b"\x00\x00"
        entry[: len(raw)] = raw
        entry[64:66] = struct.pack("<H", len(raw))
        entry[66] = 5 if name == "Root Entry" else 2
        directory += entry
    directory += bytes(-len(directory) % 512)
    return bytes(header) + bytes(directory)


def col_of(rows: list[dict], name: str) -> int:
    return list(dict.fromkeys(k for r in rows for k in r)).index(name)
