"""The workbook a region fills in for a wave (``regiobench template``), generated from the codebook.

One workbook per region, named as the pipeline expects a return (``VRnn_<name>_<wave>.xlsx``): a first sheet
with instructions and the code lists (:mod:`.template_guide`), then one sheet per module, headed by the
module's field names as the reader (:mod:`pipelines.ingest.readers`) reads them. On each module sheet:

* the header row is locked (sheet protection without a password); every cell below it is open;
* every code, codes, yes/no and region field has a drop-down of its list; a ``codes`` field (several
  codes separated by ``|``) accepts any text, since a list check would refuse two codes;
* whole numbers are checked against the field's bounds, and dates against the wave where the survey's
  rules put them in the wave (``wave_dates``: the rules live with the validation, which this room does
  not import, so the caller passes them);
* every field shows an input message with its Dutch description and the form it takes;
* the ``one`` modules have their row and the grid modules their combinations already written, with the
  region code; with ``previous`` (the region's answers of an earlier wave) the answers that carry over are
  filled in too, where they are still valid values.

Fields marked ``personal`` are not in the template. Pure: writes the file it is asked to, reads nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection

from pipelines.contract.catalogues import CATALOGUES, MULTI_SEPARATOR
from pipelines.contract.codebook import MODULES, REGION_COLUMN, Field, Module
from pipelines.contract.reference import Region, slug
from pipelines.publish.template_guide import (
    NO,
    YES,
    carried_modules,
    field_form,
    list_key,
    sheet_columns,
    write_guide,
)

#: Rows of a 'many' sheet (exercises, lessons) that get the drop-downs and checks.
MANY_ROWS = 500
#: Bounds of a date the survey does not tie to the wave: only "is it a date".
ANY_DATE = (dt.date(1950, 1, 1), dt.date(2100, 12, 31))
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_PROMPT_CHARS = 255  # Excel's limit on an input message
_OPEN = Protection(locked=False)
_REQUIRED_HEAD = (Font(bold=True, color="FFFFFF"), PatternFill("solid", fgColor="1F4E79"))
_OPTIONAL_HEAD = (Font(bold=True), PatternFill("solid", fgColor="BDD7EE"))
_GIVEN = PatternFill("solid", fgColor="E7E6E6")  # written by the template: region code, grid combinations
_FORMATS = {"int": "0", "date": "dd-mm-yyyy"}  # every other kind is text ("@"): no 0012 -> 12, no 1-2 -> date


def template_name(region: Region, wave: int) -> str:
    """``VRnn_<name>_<wave>.xlsx``: starts with the region code, as the pipeline finds a region's workbook."""
    return f"{region.code}_{slug(region.name)}_{wave}.xlsx"


def _plain(value: Any) -> Any:
    """A value as plain Python: numpy scalars unwrapped, NaN and empties as None."""
    if hasattr(value, "item") and not isinstance(value, (list, tuple, str)):
        value = value.item()
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, (list, tuple)) and not value:
        return None
    return value


def carried_value(f: Field, value: Any, region_codes: Collection[str]) -> Any:
    """An earlier wave's typed value as the template writes it, or None when it is not a valid value now."""
    value = _plain(value)
    if value is None:
        return None
    if f.kind == "bool":
        return (YES if value else NO) if isinstance(value, bool) else None
    if f.kind == "int":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
            return None
        number = int(value)
        if (f.min is not None and number < f.min) or (f.max is not None and number > f.max):
            return None
        return number
    if f.kind == "date":
        if isinstance(value, dt.datetime):
            return value.date()
        return value if isinstance(value, dt.date) else None
    if f.kind == "code":
        return value if value in CATALOGUES[str(f.catalogue)].codes else None
    if f.kind == "codes":
        codes = [value] if isinstance(value, str) else list(value)
        if not codes or any(c not in CATALOGUES[str(f.catalogue)].codes for c in codes):
            return None
        return MULTI_SEPARATOR.join(codes)
    if f.kind == "region":
        return value if value in region_codes else None
    return str(value)


def template_rows(
    module: Module, code: str, previous: Sequence[Mapping[str, Any]] = (), region_codes: Collection[str] = ()
) -> list[dict[str, Any]]:
    """The rows the template writes in a module's sheet: its one row or its grid, with carried-over answers.

    A 'many' module has none. ``previous``: the region's rows of the module in an earlier wave (typed
    values keyed by field name), matched on the grid's combination; rows and values that no longer fit
    the codebook are left out.
    """
    if module.rows == "many":
        return []
    by_key: dict[tuple, Mapping[str, Any]] = {}
    for earlier_row in previous:
        key = tuple(str(_plain(earlier_row.get(g)) or "").strip().lower() for g in module.grid)
        by_key.setdefault(key, earlier_row)
    combos = module.expected_grid() if module.rows == "grid" else [()]
    out = []
    for combo in combos:
        row: dict[str, Any] = {REGION_COLUMN: code, **dict(zip(module.grid, combo))}
        earlier = by_key.get(combo)
        if earlier is not None:
            for f in module.stored_fields:
                if f.name not in module.grid:
                    row[f.name] = carried_value(f, earlier.get(f.name), region_codes)
        out.append(row)
    return out


def _serial(day: dt.date) -> str:
    """A date as Excel's day number (what a date check's bounds hold)."""
    return str((day - _EXCEL_EPOCH).days)


def _validation(f: Field, wave: int, in_wave: bool, lists: Mapping[str, str], given: bool) -> DataValidation:
    """The drop-down or check of a field's cells, with its input message."""
    description = f.description[:1].upper() + f.description[1:]
    need = "Vooraf ingevuld: niet wijzigen." if given else ("Verplicht." if f.required else "Mag leeg blijven.")
    prompt = f"{description}. {need} Invullen als {field_form(f, wave, in_wave)}."
    dv = DataValidation(
        allow_blank=True,
        showInputMessage=True,
        promptTitle=f.name[:32],
        prompt=prompt[:_PROMPT_CHARS],
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle=f.name[:32],
        error=f"Ongeldige waarde: vul {field_form(f, wave, in_wave)} in."[:_PROMPT_CHARS],
    )
    key = list_key(f)
    if key is not None:
        dv.type, dv.formula1 = "list", lists[key]
        dv.showErrorMessage = f.kind != "codes"
    elif f.kind == "int":
        dv.type = "whole"
        if f.min is not None and f.max is not None:
            dv.operator, dv.formula1, dv.formula2 = "between", str(f.min), str(f.max)
        elif f.min is not None:
            dv.operator, dv.formula1 = "greaterThanOrEqual", str(f.min)
        elif f.max is not None:
            dv.operator, dv.formula1 = "lessThanOrEqual", str(f.max)
        else:
            dv.operator, dv.formula1, dv.formula2 = "between", str(-(2**31)), str(2**31 - 1)
    elif f.kind == "date":
        first, last = (dt.date(wave, 1, 1), dt.date(wave, 12, 31)) if in_wave else ANY_DATE
        dv.type, dv.operator, dv.formula1, dv.formula2 = "date", "between", _serial(first), _serial(last)
    else:
        dv.showErrorMessage = False  # free text: the message is all there is
    return dv


def _region_validation(code: str) -> DataValidation:
    return DataValidation(
        type="list",
        formula1=f'"{code}"',
        allow_blank=True,
        showInputMessage=True,
        promptTitle=REGION_COLUMN,
        prompt=f"De regiocode van dit werkboek ({code}). Vooraf ingevuld: niet wijzigen.",
        showErrorMessage=True,
        errorTitle=REGION_COLUMN,
        error=f"Dit werkboek is van regio {code}.",
    )


def _module_sheet(
    wb,
    module: Module,
    code: str,
    wave: int,
    rows: list[dict[str, Any]],
    lists: Mapping[str, str],
    wave_dates: Collection[tuple[str, str]],
) -> None:
    ws = wb.create_sheet(module.name)
    columns = sheet_columns(module)
    fields = {f.name: f for f in module.stored_fields}
    given = {REGION_COLUMN, *module.grid}
    last = 1 + (len(rows) if module.rows != "many" else MANY_ROWS)
    for j, name in enumerate(columns, start=1):
        letter = get_column_letter(j)
        f = fields.get(name)
        head = ws.cell(1, j, name)  # locked: a cell's default protection
        head.font, head.fill = _REQUIRED_HEAD if f is None or f.required else _OPTIONAL_HEAD
        kind = f.kind if f is not None else "text"
        number_format = _FORMATS.get(kind, "@")
        dim = ws.column_dimensions[letter]
        dim.protection, dim.number_format = _OPEN, number_format  # cells typed in later: open, in their format
        dim.width = 44 if kind == "freetext" else max(14, len(name) + 3)
        for i, row in enumerate(rows, start=2):
            cell = ws.cell(i, j, row.get(name))
            cell.protection, cell.number_format = _OPEN, number_format
            if name in given:
                cell.fill = _GIVEN
        if f is None:
            dv = _region_validation(code)
        else:
            dv = _validation(f, wave, (module.name, name) in wave_dates, lists, name in given)
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)
    ws.freeze_panes = ws.cell(2, 1 + sum(c in given for c in columns))
    ws.protection = SheetProtection(
        sheet=True,
        formatColumns=False,
        formatRows=False,
        insertRows=False,
        deleteRows=False,
        sort=False,
        autoFilter=False,
    )  # in openpyxl False means allowed: widths, heights, rows, sorting and filters stay available


def build_template(
    region: Region,
    wave: int,
    regions: Sequence[Region],
    *,
    wave_dates: Collection[tuple[str, str]] = (),
    previous: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
    previous_wave: int | None = None,
):
    """The region's template for ``wave`` as an openpyxl workbook.

    ``regions``: the region set (the list of ``overgenomen_van``). ``wave_dates``: (module, field) of the
    dates the survey puts in the wave. ``previous``: the region's rows per module of ``previous_wave``;
    only the modules of :func:`~.template_guide.carried_modules` are used.
    """
    wb = openpyxl.Workbook()
    codes = [r.code for r in regions]
    lists = write_guide(wb, region, wave, regions, template_name(region, wave), wave_dates, previous_wave)
    carried = set(carried_modules())
    for module in MODULES.values():
        earlier = (previous or {}).get(module.name, ()) if module.name in carried else ()
        rows = template_rows(module, region.code, earlier, codes)
        _module_sheet(wb, module, region.code, wave, rows, lists, wave_dates)
    wb.properties.title = f"Uitvraag TGB {wave}, {region.code} {region.name}"
    wb.properties.creator = "regiobench"
    wb.properties.keywords = f"peiljaar={wave}; regio={region.code}"
    return wb


def write_template(path: Path, region: Region, wave: int, regions: Sequence[Region], **options) -> Path:
    """Write :func:`build_template` to ``path`` (a folder: the template's own name in it)."""
    path = Path(path)
    if path.is_dir():
        path = path / template_name(region, wave)
    build_template(region, wave, regions, **options).save(path)
    return path


__all__ = ["MANY_ROWS", "build_template", "template_name", "template_rows", "write_template"]
