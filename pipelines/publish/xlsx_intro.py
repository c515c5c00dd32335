"""The first sheet of ``benchmark.xlsx``, *Toelichting*: what the workbook holds and how to read it, a list
of its sheets (rows, what one row is, what the mart is for) and of every column (its kind, unit or codes, and
meaning), from the marts contract (:mod:`pipelines.contract.marts`).

The contract's prose is English (it is the documentation of ``docs/marts-contract.md``); the sheet says so.
"""

from __future__ import annotations

import re

from pipelines.contract.column_labels import LABEL_SUFFIX
from pipelines.contract.marts import MARTS
from pipelines.publish.xlsx import MAX_ROWS, column_letters, sheet_names, text_xml
from pipelines.publish.xlsx_sql import FLOAT_TYPES, INTEGER_TYPES, SheetColumn, is_list
from pipelines.publish.xlsx_workbook import BOLD, NORMAL, TITLE, WRAP

#: The lines under the title, in Dutch.
INTRO_LINES = (
    "Dit werkboek bevat de marts die regiobench publiceert: elk volgend blad is één mart, met dezelfde rijen "
    "en kolommen als <mart>.parquet en <mart>.csv in dezelfde map.",
    f"Naast een kolom met codes staat een kolom <kolom>{LABEL_SUFFIX} met de Nederlandse omschrijving van de "
    f"code (zoals verdict{LABEL_SUFFIX} naast verdict). Die kolommen staan alleen in dit werkboek en in de "
    "CSV-bestanden in de map nl/.",
    "Getallen zijn exact opgeslagen en worden afgerond getoond: de exacte waarde staat in de formulebalk. "
    "Een lege cel betekent: geen waarde.",
    "De kopregel van elk blad blijft staan bij het scrollen en heeft een filter. Tekst is altijd tekst, "
    "nooit een formule.",
    f"Een mart met meer dan {f'{MAX_ROWS:,}'.replace(',', '.')} rijen loopt door op de bladen '<mart> (2)', "
    "'<mart> (3)' enzovoort.",
    "De map nl/ naast dit werkboek heeft elke mart ook als CSV-bestand voor Excel in het Nederlands "
    "(puntkomma's, decimale komma's, UTF-8): dat opent goed met dubbelklikken.",
    "Inhoud, eenheid en betekenis hieronder komen uit het martscontract (docs/marts-contract.md, in het "
    "Engels); hoe de oordelen tot stand komen staat in docs/method.md en docs/verdicts.md.",
)
SHEETS_HEADER = ("Blad", "Rijen", "Eén rij is", "Inhoud")
COLUMNS_HEADER = ("Blad", "Kolom", "Soort", "Eenheid of codes", "Betekenis")
WIDTHS = (24, 30, 24, 50, 90)


def plain(text: str) -> str:
    """The contract's Markdown as plain text: ``[words](link)`` as its words, no backticks."""
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("`", "")


def kind(dtype: str) -> str:
    """A column's DuckDB type in Dutch words."""
    if dtype in INTEGER_TYPES:
        return "geheel getal"
    if dtype in FLOAT_TYPES or dtype.startswith("DECIMAL"):
        return "getal"
    if dtype == "BOOLEAN":
        return "WAAR/ONWAAR"
    if is_list(dtype):
        return "lijst, gescheiden door |"
    return "tekst" if dtype == "VARCHAR" else dtype.lower()


def _row(r: int, cells: list[tuple[object, int]]) -> str:
    out = []
    for letter, (value, style) in zip(column_letters(len(cells)), cells):
        if value is None or value == "":
            continue
        s = f' s="{style}"' if style else ""
        if isinstance(value, int):
            out.append(f'<c r="{letter}{r}"{s}><v>{value}</v></c>')
        else:
            out.append(
                f'<c r="{letter}{r}"{s} t="inlineStr"><is><t xml:space="preserve">{text_xml(str(value))}</t></is></c>'
            )
    return f'<row r="{r}">{"".join(out)}</row>'


def _content(sheets: dict[str, list[SheetColumn]], rows: dict[str, int]) -> list[list[tuple[object, int]]]:
    lines: list[list[tuple[object, int]]] = []
    lines.append([("Bladen", BOLD)])
    lines.append([(h, BOLD) for h in SHEETS_HEADER])
    for mart in sheets:
        contract = MARTS.get(mart)
        names = ", ".join(sheet_names(mart, rows.get(mart, 0)))
        grain, purpose = (plain(contract.grain), plain(contract.purpose)) if contract else ("", "")
        lines.append([(names, NORMAL), (rows.get(mart, 0), NORMAL), (grain, WRAP), (purpose, WRAP)])
    lines.append([])
    lines.append([("Kolommen", BOLD)])
    lines.append([(h, BOLD) for h in COLUMNS_HEADER])
    for mart, columns in sheets.items():
        contract = MARTS.get(mart)
        described = {c.name: c for c in contract.columns} if contract else {}
        for c in columns:
            if c.name.endswith(LABEL_SUFFIX) and c.name not in described:
                code = c.name[: -len(LABEL_SUFFIX)]
                unit, meaning = "Nederlandse woorden", f"De Nederlandse omschrijving van de code in {code}."
            else:
                found = described.get(c.name)
                unit, meaning = (plain(found.unit), plain(found.description)) if found else ("", "")
            lines.append([(mart, NORMAL), (c.name, NORMAL), (kind(c.type), NORMAL), (unit, WRAP), (meaning, WRAP)])
    return lines


def intro_sheet(title: str, sheets: dict[str, list[SheetColumn]], rows: dict[str, int]) -> bytes:
    """The sheet's whole XML: title, the lines of :data:`INTRO_LINES`, then the sheets and the columns."""
    lines: list[list[tuple[object, int]]] = [[(title, TITLE)]]
    lines += [[(line, NORMAL)] for line in INTRO_LINES]
    lines.append([])
    lines += _content(sheets, rows)
    body = "".join(_row(r, cells) for r, cells in enumerate(lines, start=1) if cells)
    cols = "".join(f'<col min="{j}" max="{j}" width="{w}" customWidth="1"/>' for j, w in enumerate(WIDTHS, start=1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<dimension ref="A1:E{len(lines)}"/>'
        '<sheetViews><sheetView workbookViewId="0" tabSelected="1"/></sheetViews>'
        f"<cols>{cols}</cols><sheetData>{body}</sheetData></worksheet>"
    ).encode()
