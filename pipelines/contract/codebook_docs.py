"""The codebook as Markdown: docs/codebook.md, generated from :mod:`pipelines.contract.codebook`.

It writes the survey overview, the reading rules and one table per module and
catalogue. It does not define any field, catalogue or rule itself: every fact
comes from the codebook and catalogues modules, and nothing here parses or
validates data.
"""

from __future__ import annotations

from pipelines.contract.catalogues import BOOLEAN_WORDS, CATALOGUES, MULTI_SEPARATOR
from pipelines.contract.codebook import MODULES, REGION_COLUMN


def _survey_overview() -> list[str]:
    """The survey's files and reading rules, for the top of docs/codebook.md."""

    def booleans(value: bool) -> str:
        return ", ".join(f"`{w}`" for w, b in BOOLEAN_WORDS.items() if b is value)

    modules = ", ".join(f"`{m}`" for m in MODULES)
    return [
        "The inspectorate's yearly survey of the safety regions about their preparation for the aftermath of",
        "a terrorist attack. Every file under `data/raw/` follows this page; what it does not allow is",
        "rejected with a message that names file, sheet, row and column, without losing another region's data",
        "(the problems are published in the mart `submission_problems`, see `docs/marts-contract.md`).",
        "Field names and codes are Dutch because the regions fill them in; staging renames them to English.",
        "",
        "## Waves and files",
        "",
        "- A wave is a survey year; its files lie directly in `data/raw/<year>/` (see `pipelines/ingest/discovery.py`).",
        "- **Regional workbook**: `<region code>*.xlsx`, the name starting with a code of",
        "  `data/reference/regions.csv` (the region set is reference data, not fixed in code). One sheet per",
        f"  module, named as the module ({modules}); header in row 1. A `{REGION_COLUMN}` column may be absent;",
        "  where present it must equal the code in the file name.",
        f"- **Survey-tool export**: `<module>.csv` with all regions and a `{REGION_COLUMN}` column; delimiter `,` or",
        "  `;`, UTF-8 (with or without byte-order mark) or Windows-1252; with `;` a decimal comma is allowed.",
        "- A workbook beats an export for the same region, module and wave (the export's rows are set aside:",
        "  status `vervangen`). Two workbooks of one region in a wave are a `conflict`: that region's wave is",
        "  not (re)loaded and what was loaded before stays. A region that sent nothing is `ontbreekt`, never zero.",
        "- Any error in a module rejects that region's module (`afgewezen`); earlier data of it stays in use.",
        "  Other regions and modules load. Warnings (such as an unknown extra column) do not reject.",
        "",
        "## Reading values",
        "",
        f"- `bool`: {booleans(True)} (true) and {booleans(False)} (false), case-insensitive.",
        "- `date`: `YYYY-MM-DD` or `DD-MM-YYYY`.",
        f"- `codes` (multi-select): codes separated by `{MULTI_SEPARATOR}`, spaces around them allowed.",
        "- Column order is free; header names are case-insensitive, surrounding spaces ignored; empty rows ignored.",
        "- Free text can hold anything a person types (quotes, line breaks, `<`, `&`, `=`, emoji): it is shown",
        "  as text, never run as markup or as a spreadsheet formula.",
        "- Names and e-mail addresses in `meta` are personal data: they never reach the warehouse, a mart,",
        "  a page or a log.",
        "",
        "## Rules across fields",
        "",
        "- `risico.datum_vastgesteld` is required when `bestuurlijk_vastgesteld` is true.",
        "- `oefeningen.datum` lies in the wave year. A region that held no exercise sends the sheet with its",
        "  header only (zero exercises).",
        "- `middelen.functie` belongs to its `discipline`.",
        "- `lessen.bron_oefening_id` is required where `bron` is `oefening` and names an exercise of the same",
        "  region and wave; `lessen.overgenomen_van` is required where `bron` is `andere_regio` and is never the",
        "  region itself.",
        "",
    ]


#: How the readers (pipelines/ingest/readers/parse.py) turn what a person typed into values; part of docs/codebook.md.
READING_RULES = """\
## How values are read

**Numbers.** Every number field is a whole number. A real number cell in a workbook is read as it is.
A number typed as *text* is read in the notation of its file:

| written | workbook text cell, `;` export (Dutch) | `,` export |
| --- | --- | --- |
| `1000` | 1000 | 1000 |
| `1.000`, `12.345.678` | 1000, 12345678 (a point separates thousands) | refused: ambiguous (decimal point or thousands?) |
| `1,5`, `12,0` | 1.5 (not whole: refused), 12 (decimal comma) | refused: not a number |
| `1.000,5` | 1000.5 (not whole: refused) | refused: not a number |
| `1,000`, `12,345,678`, `1,000.5` | refused: ambiguous (English thousands or Dutch decimal comma?) | refused: ambiguous |
| `1.5`, `3.0` | refused: ambiguous (a point that does not separate groups of three digits) | 1.5 (refused: not whole), 3 |

"Refused" is an error on that cell (`type.geheel_getal`) whose message says why; the module of that region
is rejected and its earlier data stays in use. Write numbers without a thousands separator to be safe.

**Formula errors.** A cell holding an Excel error (`#N/A`, `#DIV/0!`, `#VALUE!`, `#REF!`, `#NAME?`, `#NUM!`,
`#NULL!`, `#SPILL!`, `#CALC!`, `#GETTING_DATA`, and the other `#…!` codes of recent Excel), as an error cell
or as that text in a workbook or an export, is an error of its own (`cel.formulefout`: "formulefout #N/A in
kolom … rij …"); it is never read as an empty cell.

**Sheet names.** A module's sheet is found by its name, ignoring case and surrounding spaces (`Oefeningen `
is `oefeningen`). A sheet whose name is a *near miss* of a module's, that is: lower-cased, with `_`, `-`,
`.` and spaces read as one space and without a leading "kopie van"/"copy of", the module's name followed
only by years or numbers, a copy number `(2)`, or the words kopie, copy, versie n, vn, concept, definitief,
def, nieuw, oud (`oefeningen 2025`, `Lessen (2)`, `oefeningen_2025`, `Kopie van risico`), is an error for
that module when its own sheet is missing (`blad.naam`: "het blad 'oefeningen 2025' lijkt het blad
'oefeningen'; hernoem het"): the module is rejected and its earlier data stays in use. Beside the real sheet
a near miss is ignored with a warning.

**Workbooks that cannot be opened** say what they are (`bestand.onleesbaar`), recognised by their first
bytes: empty (0 bytes), protected with a password (an encrypted workbook is a Compound File with an
`EncryptionInfo` stream, not a zip), an old Excel 97-2003 file (.xls) under an .xlsx name, or a zip cut short
(a broken copy). All modules of that region are rejected; earlier data stays in use.
"""


def describe_markdown() -> str:
    """The data contract as Markdown, generated from this module (docs/codebook.md)."""
    out = ["# Codebook (generated from `pipelines/contract/codebook.py`)", ""]
    out += ["Do not edit by hand: `regiobench codebook > docs/codebook.md` regenerates it.", ""]
    out += _survey_overview()
    out += [READING_RULES]
    for m in MODULES.values():
        out += [f"## `{m.name}` → `{m.table}`", "", m.description + ".", ""]
        if m.key:
            out += [f"Unique per region and wave: {', '.join(f'`{k}`' for k in m.key)}.", ""]
        if m.grid:
            out += [f"Complete: {len(m.expected_grid())} rows, one per {' x '.join(m.grid)}.", ""]
        out += [
            "| field | staging column | kind | required | allowed | description |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for f in m.fields:
            allowed = ""
            if f.catalogue:
                allowed = f"catalogue `{f.catalogue}`"
            if f.min is not None or f.max is not None:
                allowed = f"{'' if f.min is None else f.min} .. {'' if f.max is None else f.max}"
            column = "(dropped: personal data)" if f.personal else f"`{f.column}`"
            out.append(
                f"| `{f.name}` | {column} | {f.kind} | {'yes' if f.required else ''} | {allowed} | {f.description} |"
            )
        out.append("")
    out += [
        "## Catalogues",
        "",
        "Ordinal catalogues give each code its rank (low to high) in brackets.",
        "",
        "| catalogue | description | codes |",
        "| --- | --- | --- |",
    ]
    for c in CATALOGUES.values():
        codes = ", ".join(f"`{code}`" + (f" ({c.levels[code]})" if c.levels else "") for code in c.codes)
        out.append(f"| `{c.name}` | {c.description} | {codes} |")
    out.append("")
    return "\n".join(out)
