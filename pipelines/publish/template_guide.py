"""The Dutch words of a region's template: the instruction sheet, each field's expected form, the code lists.

The instruction sheet is the template's first sheet. It also holds the code lists the drop-downs of the
module sheets draw from (as named ranges): the region sees what each code means next to the list it picks
from, and the workbook needs no second sheet outside the survey (the reader warns about every sheet that
is not a module). Everything here is derived from the codebook; :mod:`.template` builds the workbook.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.workbook.defined_name import DefinedName

from pipelines.contract.catalogues import CATALOGUES, MULTI_SEPARATOR
from pipelines.contract.codebook import INSTRUCTION_SHEET, MODULES, REGION_COLUMN, Field, Module
from pipelines.contract.reference import Region

#: The values a bool field's drop-down offers (the reader accepts more spellings: BOOLEAN_WORDS).
YES, NO = "ja", "nee"
#: Keys of the lists that are not a catalogue: booleans and region codes.
BOOL_LIST, REGION_LIST = "ja_of_nee", "regiocodes"

_TITLE = Font(bold=True, size=14)
_HEAD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
_STEP_CHARS = 160  # about what one line of a step holds across columns B to E


def list_key(f: Field) -> str | None:
    """Which list a field's drop-down shows: its catalogue, yes/no, the region codes; None for other kinds."""
    if f.kind in ("code", "codes"):
        return f.catalogue
    if f.kind == "bool":
        return BOOL_LIST
    if f.kind == "region":
        return REGION_LIST
    return None


def list_name(key: str) -> str:
    """The workbook's defined name of a list (what a drop-down's formula names)."""
    return f"lijst_{key}"


def sheet_columns(module: Module) -> list[str]:
    """The header of a module's sheet: the stored fields, after ``regio_code`` where the template fills it in.

    A 'many' sheet has no ``regio_code`` column: its rows are written by the region, and the reader takes
    the region from the file name; a ``regio_code`` filled in down an empty sheet would be read as rows.
    Personal fields (who filled in the survey) are never asked.
    """
    lead = [] if module.rows == "many" else [REGION_COLUMN]
    return lead + [f.name for f in module.stored_fields]


def field_form(f: Field, wave: int, in_wave: bool) -> str:
    """What a field holds, in Dutch: the hint of its input message and its row on the instruction sheet."""
    if f.kind == "code":
        return f"een code uit de lijst '{f.catalogue}'"
    if f.kind == "codes":
        return (
            f"een of meer codes uit de lijst '{f.catalogue}', gescheiden door {MULTI_SEPARATOR} "
            f"(bijvoorbeeld {MULTI_SEPARATOR.join(CATALOGUES[str(f.catalogue)].codes[:2])})"
        )
    if f.kind == "bool":
        return f"{YES} of {NO}"
    if f.kind == "region":
        return "een regiocode (VRnn)"
    if f.kind == "int":
        if f.min is not None and f.max is not None:
            return f"een geheel getal van {f.min} tot en met {f.max}"
        if f.min is not None:
            return f"een geheel getal vanaf {f.min}"
        if f.max is not None:
            return f"een geheel getal tot en met {f.max}"
        return "een geheel getal"
    if f.kind == "date":
        return f"een datum (dd-mm-jjjj) in {wave}" if in_wave else "een datum (dd-mm-jjjj)"
    if f.kind == "freetext":
        return "vrije tekst, zonder namen, e-mailadressen of telefoonnummers"
    return "tekst"


def _steps(module_names: Sequence[str], wave: int, file_name: str, previous_wave: int | None) -> list[str]:
    grids = [m.name for m in MODULES.values() if m.rows == "grid"]
    many = [m.name for m in MODULES.values() if m.rows == "many"]
    one = [m.name for m in MODULES.values() if m.rows == "one"]
    steps = [
        f"Vul de bladen {', '.join(module_names)} in. Verander de namen van de bladen en de kopregel (rij 1) "
        f"niet en voeg geen kolommen toe; de kopregel is daarom beveiligd (zonder wachtwoord).",
        f"De bladen {', '.join(one)} hebben één rij: rij 2.",
        f"De bladen {', '.join(grids)} zijn vooraf ingevuld met één rij per combinatie (grijze kolommen). "
        f"Vul de overige kolommen in; verander de grijze kolommen niet en voeg geen rijen toe of weg.",
        f"De bladen {', '.join(many)} zijn leeg: één rij per oefening of les in {wave}, vanaf rij 2.",
        "Kies een code uit de keuzelijst van de cel; wat een code betekent staat onderaan dit blad. "
        f"Mag een veld meer codes hebben, scheid ze dan door {MULTI_SEPARATOR} (bijvoorbeeld brandweer|politie).",
        f"Ja/nee-velden: {YES} of {NO}. Datums als datum (dd-mm-jjjj); de datum van een oefening ligt in {wave}.",
        "Bij elke cel verschijnt wat erin hoort. Een donkerblauwe kop is een verplicht veld; "
        "de lijst van velden staat hieronder.",
        "Vul geen namen, e-mailadressen of telefoonnummers in, ook niet in een toelichting: "
        "die worden bij het inlezen verwijderd.",
        f"Sla het werkboek op als Excel-werkmap (.xlsx), zonder wachtwoord, onder de naam {file_name}.",
        f"Controleer het werkboek vóór het versturen met: regiobench validate --wave {wave} {file_name}",
        f"Dit blad ({INSTRUCTION_SHEET}) wordt bij het inlezen overgeslagen; u hoeft het niet te verwijderen.",
    ]
    if previous_wave is not None:
        carried = ", ".join(m for m in module_names if m in carried_modules())
        steps.insert(
            1,
            f"De antwoorden van peiljaar {previous_wave} staan al in {carried}: controleer ze en pas aan wat "
            f"veranderd is. Wat toen geen geldige waarde had, is leeg gelaten.",
        )
    return steps


def carried_modules() -> tuple[str, ...]:
    """The modules whose answers carry over to the next wave (``--prefill-from``).

    The risk assessment and the three grids describe the region's standing state. Not ``meta`` (when this
    return was filled in) and not the 'many' modules (the exercises and lessons of the wave itself).
    """
    return tuple(name for name, m in MODULES.items() if m.rows == "grid" or (m.rows == "one" and name != "meta"))


def write_guide(
    wb,
    region: Region,
    wave: int,
    regions: Sequence[Region],
    file_name: str,
    wave_dates: Collection[tuple[str, str]],
    previous_wave: int | None,
) -> dict[str, str]:
    """Fill the instruction sheet (the workbook's first sheet); return each list's defined name by key."""
    ws = wb.active
    ws.title = INSTRUCTION_SHEET
    at = 0

    def put(*values, font=None, fill=None) -> int:
        nonlocal at
        at += 1
        for j, value in enumerate(values, start=1):
            cell = ws.cell(at, j, value)
            cell.alignment = Alignment(vertical="top")
            if font is not None:
                cell.font = font
            if fill is not None:
                cell.fill = fill
        return at

    put("Uitvraag terrorismegevolgbestrijding (TGB)", font=_TITLE)
    at += 1
    put("Regio", region.code, region.name, font=_HEAD)
    put("Peiljaar", wave, font=_HEAD)
    put("Bestand", file_name)
    at += 1
    put("Zo vult u dit werkboek in", font=_HEAD)
    for i, text in enumerate(_steps(list(MODULES), wave, file_name, previous_wave), start=1):
        row = put(f"{i}.", text)
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=5)
        ws.cell(row, 2).alignment = Alignment(vertical="top", wrap_text=True)
        ws.row_dimensions[row].height = 15 * (1 + len(text) // _STEP_CHARS)
    at += 1
    put("De bladen", font=_HEAD)
    put("blad", "inhoud", font=_HEAD, fill=_HEAD_FILL)
    for m in MODULES.values():
        put(m.name, m.description)
    at += 1
    put("De velden", font=_HEAD)
    put("blad", "veld", "omschrijving", "verplicht", "invullen als", font=_HEAD, fill=_HEAD_FILL)
    for m in MODULES.values():
        for f in m.stored_fields:
            put(
                m.name,
                f.name,
                f.description,
                "ja" if f.required else "",
                field_form(f, wave, (m.name, f.name) in wave_dates),
            )
    at += 1
    put("Codelijsten (de keuzelijsten van de bladen)", font=_HEAD)
    put("lijst", "code", "betekenis", font=_HEAD, fill=_HEAD_FILL)
    lists: dict[str, list[tuple[str, str]]] = {
        key: [(c, cat.label(c)) for c in cat.codes] for key, cat in CATALOGUES.items()
    }
    lists[BOOL_LIST] = [(YES, ""), (NO, "")]
    lists[REGION_LIST] = [(r.code, r.name) for r in regions]
    names: dict[str, str] = {}
    for key, entries in lists.items():
        first = at + 1
        for code, label in entries:
            put(key, code, label if label != code else "")
        names[key] = list_name(key)
        wb.defined_names[names[key]] = DefinedName(names[key], attr_text=f"{INSTRUCTION_SHEET}!$B${first}:$B${at}")
    for letter, width in zip("ABCDE", (22, 30, 62, 10, 62)):
        ws.column_dimensions[letter].width = width
    ws.protection.sheet = True  # the lists the drop-downs read are not edited by accident; no password
    return names
