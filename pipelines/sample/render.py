"""Rendering: the typed world written as survey-tool exports or as one workbook per region.

Each form has its dialects, as the real returns do: exports with ``;`` or
``,``, Windows-1252 or UTF-8 (with or without BOM), decimal commas; workbooks
with varying booleans, dates, header spellings, column orders, an absent
``regio_code`` column or a blank row. Every row is checked against its codebook
module before it is written, and respondents' personal data are checked to
appear nowhere but in meta. The bytes themselves are written by
:mod:`pipelines.sample.writers`; which wave gets which form is decided in
:func:`pipelines.sample.generator.generate`.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pipelines.contract.catalogues import BOOLEAN_WORDS
from pipelines.contract.codebook import MODULES, REGION_COLUMN, Field, Module
from pipelines.sample.helpers import _pick, _rng
from pipelines.sample.implausible import break_workbook
from pipelines.sample.model import RegionWave
from pipelines.sample.names import EQUIP, META, RISK, _fields
from pipelines.sample.writers import write_export, write_workbook


@dataclass(frozen=True)
class _Style:
    true: object = "ja"
    false: object = "nee"
    date: str = "iso"  # iso | nl | cell
    sep: str = "|"
    ints: str = "text"  # text | cell
    comma_ints: tuple[str, ...] = ()  # int fields written with a decimal comma ("12,0")
    cp1252: bool = False  # drop characters Windows-1252 cannot hold (a survey tool's export loses emoji)


@dataclass(frozen=True)
class _Dialect:
    delimiter: str
    encoding: str
    decimal_comma: bool
    style: _Style


_DIALECTS = (
    _Dialect(";", "cp1252", True, _Style("Ja", "Nee", "nl", "|", comma_ints=("aantal",), cp1252=True)),
    _Dialect(",", "utf-8-sig", False, _Style("1", "0", "iso", " | ")),
    _Dialect(",", "utf-8", False, _Style("true", "false", "iso", "|")),
)
_BOOL_STYLES = (
    ("ja", "nee"),
    ("Ja", "Nee"),
    ("JA", "NEE"),
    ("j", "n"),
    ("J", "N"),
    ("1", "0"),
    ("yes", "no"),
    (True, False),
)
for _t, _f in _BOOL_STYLES + tuple((d.style.true, d.style.false) for d in _DIALECTS):
    if not isinstance(_t, bool):
        assert BOOLEAN_WORDS[str(_t).lower()] is True and BOOLEAN_WORDS[str(_f).lower()] is False
_fields(EQUIP, "aantal")


def _cell(f: Field, value, style: _Style):
    if value is None:
        return None
    if f.kind == "bool":
        return style.true if value else style.false
    if f.kind == "date":
        if style.date == "cell":
            return value
        return value.isoformat() if style.date == "iso" else value.strftime("%d-%m-%Y")
    if f.kind == "codes":
        return style.sep.join(value) if value else None
    if f.kind == "int":
        if f.name in style.comma_ints:
            return f"{int(value)},0"
        return int(value) if style.ints == "cell" else str(int(value))
    text = str(value)
    if style.cp1252:
        text = text.encode("cp1252", "ignore").decode("cp1252").strip()
    return text


_ALLOWED = {m.name: frozenset(m.field_names) for m in MODULES.values()}
_REQUIRED = {m.name: tuple(f.name for f in m.fields if f.required) for m in MODULES.values()}
_FIELDS = {m.name: {f.name: f for f in m.fields} for m in MODULES.values()}


def _check_row(module: Module, row: dict) -> None:
    if not row.keys() <= _ALLOWED[module.name]:
        raise AssertionError(f"sample: {module.name} row has unknown fields {sorted(set(row) - _ALLOWED[module.name])}")
    for name in _REQUIRED[module.name]:
        if row.get(name) in (None, [], ""):
            raise AssertionError(f"sample: {module.name} row misses required {name}: {row}")


def _typed_rows(rw: RegionWave, module: Module) -> list[dict]:
    rows = rw.module_rows(module)
    for row in rows:
        _check_row(module, row)
    return rows


_HEADER_VARIANTS = (str.upper, str.title, lambda s: f" {s}", lambda s: f"{s} ", str.capitalize)


def _workbook_layout(seed: int, code: str, t: int, varied: bool):
    """Per workbook: value style, whether regio_code is present, header spellings and column orders."""
    rng = _rng(seed, "layout", code, t)
    t_, f_ = _BOOL_STYLES[int(rng.integers(len(_BOOL_STYLES)))]
    style = _Style(
        t_,
        f_,
        str(_pick(rng, ["iso", "nl", "cell"])),
        str(_pick(rng, ["|", " | ", "| "])),
        str(_pick(rng, ["text", "cell"])),
    )
    include_region = not varied or rng.random() > 0.3
    vary_case = varied and rng.random() < 0.35
    shuffle = varied and rng.random() < 0.3
    blank_row = varied and rng.random() < 0.15
    headers, orders = {}, {}
    for m in MODULES.values():
        cols = ([REGION_COLUMN] if include_region else []) + list(m.field_names)
        names = {c: c for c in cols}
        if vary_case:
            for c in cols:
                if rng.random() < 0.5:
                    names[c] = _HEADER_VARIANTS[int(rng.integers(len(_HEADER_VARIANTS)))](c)
        if shuffle and rng.random() < 0.6:
            cols = [cols[i] for i in rng.permutation(len(cols))]
        headers[m.name], orders[m.name] = names, cols
    return style, include_region, headers, orders, blank_row, rng


def _write_region_workbook(path: Path, rw: RegionWave, seed: int, varied: bool, broken: bool = False) -> None:
    """One region's workbook; ``broken``: the sample's one file with several problems (implausible.break_workbook)."""
    style, include_region, headers, orders, blank_row, rng = _workbook_layout(seed, rw.code, rw.wave, varied)
    sheets, header_order = {}, {}
    for m in MODULES.values():
        fields = _FIELDS[m.name]
        rows: list[dict | None] = []
        for row in _typed_rows(rw, m):
            out = {headers[m.name][k]: _cell(fields[k], v, style) for k, v in row.items()}
            if include_region:
                out[headers[m.name][REGION_COLUMN]] = rw.code
            rows.append(out)
        if blank_row and m.rows == "many" and len(rows) >= 2 and rng.random() < 0.5:
            rows.insert(len(rows) // 2, None)
        sheets[m.name] = rows
        header_order[m.name] = [headers[m.name][c] for c in orders[m.name]]
    if broken:
        break_workbook(sheets, header_order, headers, rw.wave)
    write_workbook(path, sheets, header_order)


def _write_exports(folder: Path, world_rows: list[RegionWave], dialect: _Dialect) -> list[Path]:
    paths = []
    for m in MODULES.values():
        fields = _FIELDS[m.name]
        rows = []
        for rw in world_rows:
            for row in _typed_rows(rw, m):
                rows.append({REGION_COLUMN: rw.code} | {k: _cell(fields[k], v, dialect.style) for k, v in row.items()})
        path = folder / f"{m.name}.csv"
        write_export(
            path,
            rows,
            dialect.delimiter,
            dialect.encoding,
            dialect.decimal_comma,
            header=[REGION_COLUMN, *m.field_names],
        )
        paths.append(path)
    return paths


def _draft(rw: RegionWave) -> RegionWave:
    """An earlier draft of a return (sent through the survey tool before the region's workbook)."""
    draft = copy.deepcopy(rw)
    risk = draft.rows[RISK.name][0]
    risk["kans_score"] = risk["kans_score"] + 1 if risk["kans_score"] < 5 else risk["kans_score"] - 1
    risk["bestuurlijk_vastgesteld"] = False
    risk["datum_vastgesteld"] = None
    risk["toelichting"] = "Concept: nog niet vastgesteld door het algemeen bestuur."
    meta = draft.rows[META.name][0]
    meta["datum_ingevuld"] = meta["datum_ingevuld"] - dt.timedelta(days=30)
    return draft


def _check_personal(world) -> None:
    """Names, roles and e-mail addresses of respondents appear nowhere but in meta's own fields."""
    personal = set()
    for rw in world.values():
        for row in rw.rows[META.name]:
            personal |= {v for k, v in row.items() if v and META.field(k).personal}
    texts: set[str] = set()
    for m in MODULES.values():
        names = [f.name for f in m.fields if f.kind in ("freetext", "text") and not f.personal]
        for rw in world.values():
            for row in rw.module_rows(m):
                texts.update(row[k] for k in names if row.get(k))
    joined = "\x00".join(sorted(texts))
    for v in sorted(personal | {"@"}):
        if v in joined:
            raise AssertionError(f"sample: personal data {v!r} appears outside meta")
