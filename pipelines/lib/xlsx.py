"""A small, fast XLSX writer for the marts workbook.

Cell-by-cell writers (xlsxwriter, openpyxl) spend microseconds per cell in
Python; the marts of a large region set hold tens of millions of cells. This
writer builds each sheet's XML column by column with vectorised pandas string
operations and zips the parts. It writes exactly what the marts need:

* text as inline strings (``t="inlineStr"``): never a formula, never a link,
  whatever it starts with; characters XML cannot carry are written as Excel's
  ``_xHHHH_`` escapes (and a literal ``_x`` as ``_x005F_x``), as Excel reads them;
* numbers as numbers, booleans as booleans, dates and times as ISO text;
* empty cells (None, NaN) are left out;
* a bold, frozen header row;
* a sheet holds at most 1,048,575 data rows (Excel's limit); a longer mart
  continues on sheets named ``<name> (2)``, ``<name> (3)`` and so on.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

MAX_ROWS = 1_048_575  # data rows per sheet: Excel's 1,048,576 minus the header
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\ufffe\uffff]")  # not allowed in XML 1.0 (tab and newline are)


def column_letters(n: int) -> list[str]:
    out = []
    for i in range(n):
        name, i = "", i + 1
        while i:
            i, r = divmod(i - 1, 26)
            name = chr(65 + r) + name
        out.append(name)
    return out


def _text_xml(values: pd.Series) -> pd.Series:
    """Escaped XML text of string cells (vectorised)."""
    s = values.astype(str)
    s = s.str.replace("_x", "_x005F_x", regex=False)
    s = s.str.replace(_CONTROL, lambda m: f"_x{ord(m.group()):04X}_", regex=True)
    s = s.str.replace("&", "&amp;", regex=False).str.replace("<", "&lt;", regex=False).str.replace(">", "&gt;", regex=False)
    return s


def _cells(series: pd.Series, ref: pd.Series) -> pd.Series:
    """The XML of every cell of one column ('' where empty)."""
    out = pd.Series("", index=series.index, dtype=object)
    kind = series.dtype.kind
    if kind == "b" or str(series.dtype) == "boolean":
        present = series.notna()
        vals = series[present].astype(bool).map({True: "1", False: "0"})
        out[present] = '<c r="' + ref[present] + '" t="b"><v>' + vals + "</v></c>"
        return out
    if kind in "iuf" or str(series.dtype) in ("Int64", "Int32", "Float64"):
        numeric = pd.to_numeric(series, errors="coerce").astype("float64")
        present = np.isfinite(numeric.to_numpy())
        if present.any():  # an all-empty column would make the mapped values float, not text
            vals = pd.Series([str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v) for v in numeric[present]],
                             index=series.index[present], dtype=object)
            out[present] = '<c r="' + ref[present] + '"><v>' + vals + "</v></c>"
        return out
    if kind == "M":
        present = series.notna()
        vals = series[present].map(lambda v: v.isoformat())
        out[present] = '<c r="' + ref[present] + '" t="inlineStr"><is><t>' + vals + "</t></is></c>"
        return out
    # text (object or str dtype), mixed, dates; numbers mixed into an object column stay numbers
    values = series.tolist()
    present = np.array([v is not None and v is not pd.NA and not (isinstance(v, float) and np.isnan(v))
                        for v in values], dtype=bool)
    is_num = np.array([isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
                       for v in values], dtype=bool) & present
    is_bool = np.array([isinstance(v, (bool, np.bool_)) for v in values], dtype=bool) & present
    is_text = present & ~is_num & ~is_bool
    if is_text.any():
        texts = pd.Series([v.isoformat() if hasattr(v, "isoformat") else str(v)
                           for v, t in zip(values, is_text) if t], index=series.index[is_text], dtype=object)
        out[is_text] = ('<c r="' + ref[is_text] + '" t="inlineStr"><is><t xml:space="preserve">'
                        + _text_xml(texts) + "</t></is></c>")
    if is_num.any():
        nums = pd.Series([str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))
                          for v, t in zip(values, is_num) if t], index=series.index[is_num], dtype=object)
        out[is_num] = '<c r="' + ref[is_num] + '"><v>' + nums + "</v></c>"
    if is_bool.any():
        bools = pd.Series(["1" if v else "0" for v, t in zip(values, is_bool) if t], index=series.index[is_bool],
                          dtype=object)
        out[is_bool] = '<c r="' + ref[is_bool] + '" t="b"><v>' + bools + "</v></c>"
    return out


def _sheet_xml(frame: pd.DataFrame) -> str:
    letters = column_letters(len(frame.columns))
    header = "".join(f'<c r="{letters[j]}1" t="inlineStr" s="1"><is><t>{escape(str(c))}</t></is></c>'
                     for j, c in enumerate(frame.columns))
    rownum = pd.Series(np.arange(2, len(frame) + 2).astype(str), index=frame.index)
    body = '<row r="' + rownum + '">'
    for j, col in enumerate(frame.columns):
        body = body + _cells(frame[col], letters[j] + rownum)
    body = body + "</row>"
    last = f"{letters[-1] if letters else 'A'}{len(frame) + 1}"
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="A1:{last}"/>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/></sheetView></sheetViews>'
            f'<sheetData><row r="1">{header}</row>{"".join(body.tolist())}</sheetData></worksheet>')


def sheet_names(name: str, n_rows: int) -> list[str]:
    parts = max(1, -(-n_rows // MAX_ROWS))
    return [name[:31]] + [f"{name[:25]} ({i})" for i in range(2, parts + 1)]


def write_xlsx(frames: dict[str, pd.DataFrame], path: Path, title: str = "") -> dict[str, list[str]]:
    """Write every frame as one sheet (or several beyond Excel's row limit). Returns the sheet names per frame."""
    sheets: list[tuple[str, pd.DataFrame]] = []
    names: dict[str, list[str]] = {}
    for name, frame in frames.items():
        names[name] = sheet_names(name, len(frame))
        for i, sheet in enumerate(names[name]):
            sheets.append((sheet, frame.iloc[i * MAX_ROWS:(i + 1) * MAX_ROWS].reset_index(drop=True)))
    content_types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                     '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     '<Default Extension="xml" ContentType="application/xml"/>'
                     '<Override PartName="/xl/workbook.xml" '
                     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                     '<Override PartName="/xl/styles.xml" '
                     'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                     '<Override PartName="/docProps/core.xml" '
                     'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
                     + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                               for i in range(1, len(sheets) + 1))
                     + "</Types>")
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/></Relationships>')
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>' + escape(title) + "</dc:title></cp:coreProperties>")
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                + "".join(f'<sheet name="{escape(s)}" sheetId="{i}" r:id="rId{i}"/>'
                          for i, (s, _) in enumerate(sheets, start=1))
                + "</sheets></workbook>")
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                         f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>'
                         for i in range(1, len(sheets) + 1))
               + f'<Relationship Id="rId{len(sheets) + 1}" Type="http://schemas.openxmlformats.org/officeDocument/'
                 '2006/relationships/styles" Target="styles.xml"/></Relationships>')
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
              '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
              '<fills count="2"><fill><patternFill patternType="none"/></fill>'
              '<fill><patternFill patternType="gray125"/></fill></fills>'
              '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
              '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
              '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
              '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
              '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
              '</styleSheet>')
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        fixed = (2020, 1, 1, 0, 0, 0)  # same bytes for the same data
        for part, text in [("[Content_Types].xml", content_types), ("_rels/.rels", rels),
                           ("docProps/core.xml", core), ("xl/workbook.xml", workbook),
                           ("xl/_rels/workbook.xml.rels", wb_rels), ("xl/styles.xml", styles)]:
            zf.writestr(zipfile.ZipInfo(part, fixed), text)
        for i, (_, frame) in enumerate(sheets, start=1):
            info = zipfile.ZipInfo(f"xl/worksheets/sheet{i}.xml", fixed)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, _sheet_xml(frame), compresslevel=1)
    return names
