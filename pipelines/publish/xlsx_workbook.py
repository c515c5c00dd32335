"""The XLSX package around the sheets: content types, relationships, core properties, the workbook part
(sheet names, and the hidden names Excel keeps for each sheet's autofilter) and the styles, zipped with the
sheets' XML streamed in.

The styles are fixed: a cell refers to one by its place in ``cellXfs`` (``s="2"``): :data:`BOLD` for a
header, :data:`TITLE`, :data:`WRAP` (wrapped text, top-aligned) and one per rounded number format in
:data:`NUMBER_STYLES`. A number format only changes what a cell shows: the stored value stays exact.

Every part has the same fixed date, so the same data gives the same bytes.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from xml.sax.saxutils import escape

#: A sheet's XML, made when the sheet is written, as a stream of byte chunks.
Chunks = Callable[[], Iterable[bytes | memoryview]]

NORMAL, BOLD, TITLE, WRAP = 0, 1, 2, 3
#: Number format (Excel's codes: the decimal point shows as a comma in Dutch Excel) -> its style.
NUMBER_STYLES: dict[str, int] = {"0.0": 4, "0.000": 5, "0.0000": 6, "0.00000": 7}
_FIRST_CUSTOM_FORMAT = 164  # ids below are Excel's built-in formats


def _styles() -> str:
    formats = "".join(
        f'<numFmt numFmtId="{_FIRST_CUSTOM_FORMAT + i}" formatCode="{escape(code)}"/>'
        for i, code in enumerate(NUMBER_STYLES)
    )
    number_xfs = "".join(
        f'<xf numFmtId="{_FIRST_CUSTOM_FORMAT + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
        for i in range(len(NUMBER_STYLES))
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<numFmts count="{len(NUMBER_STYLES)}">{formats}</numFmts>'
        '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="14"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{4 + len(NUMBER_STYLES)}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
        '<alignment vertical="top" wrapText="1"/></xf>'
        f"{number_xfs}</cellXfs>"
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


def _defined_names(sheets: list[tuple[str, Chunks]], filters: dict[int, str]) -> str:
    """Excel's hidden name for each sheet's autofilter range (``_xlnm._FilterDatabase``, one per sheet)."""
    if not filters:
        return ""
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape(_quoted_sheet(sheets[i][0]))}!{_absolute(ref)}</definedName>"
        for i, ref in sorted(filters.items())
    )
    return f"<definedNames>{names}</definedNames>"


def _quoted_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    """'A1:K26' -> '$A$1:$K$26'."""
    out = []
    for corner in ref.split(":"):
        letters = corner.rstrip("0123456789")
        out.append(f"${letters}${corner[len(letters) :]}")
    return ":".join(out)


def write_workbook(
    sheets: list[tuple[str, Chunks]],
    path: Path,
    title: str,
    large: frozenset[int] = frozenset(),
    filters: dict[int, str] | None = None,
) -> None:
    """Zip the workbook parts; each sheet's XML comes from its callable, as a stream of byte chunks.

    ``large`` holds the (0-based) positions of sheets that may pass 4 GiB of XML, written as ZIP64;
    ``filters`` the range of each sheet's autofilter (``'A1:K26'``) by position, for Excel's hidden names.
    """
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        + "".join(
            f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + "</Types>"
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
        'core-properties" Target="docProps/core.xml"/></Relationships>'
    )
    core = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>' + escape(title) + "</dc:title></cp:coreProperties>"
    )
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        + "".join(
            f'<sheet name="{escape(s)}" sheetId="{i}" r:id="rId{i}"/>' for i, (s, _) in enumerate(sheets, start=1)
        )
        + "</sheets>"
        + _defined_names(sheets, filters or {})
        + "</workbook>"
    )
    wb_rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(sheets) + 1)
        )
        + f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/styles" Target="styles.xml"/></Relationships>'
    )
    styles = _styles()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        fixed = (2020, 1, 1, 0, 0, 0)  # same bytes for the same data
        for part, text in [
            ("[Content_Types].xml", content_types),
            ("_rels/.rels", rels),
            ("docProps/core.xml", core),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", wb_rels),
            ("xl/styles.xml", styles),
        ]:
            zf.writestr(zipfile.ZipInfo(part, fixed), text)
        for i, (_, chunks) in enumerate(sheets, start=1):
            info = zipfile.ZipInfo(f"xl/worksheets/sheet{i}.xml", fixed)
            info.compress_type = zipfile.ZIP_DEFLATED
            # what writestr(compresslevel=1) sets; open() has no such argument
            info._compresslevel = 1  # type: ignore[attr-defined]
            with zf.open(info, "w", force_zip64=(i - 1) in large) as fh:
                for chunk in chunks():
                    fh.write(chunk)
