"""``regiobench validate``'s plausibility warnings: a return against the region's own earlier waves.

The same SQL as a run (``int_plausibility``, docs/plausibility.md), on a
warehouse in memory: the earlier waves are read from the raw folder as a run
reads them (only the regions checked, and every export), the files being
checked are read as the wave of their folder (or ``--wave``), and only the
warnings on those files are returned. Without earlier waves only a return that
contradicts itself can warn. Warnings only: they never change ``validate``'s
exit code. Nothing is written but a temporary folder of copies.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pipelines.contract.plausibility import load_plausibility_rules
from pipelines.contract.reference import load_regions
from pipelines.core import paths
from pipelines.core.problems import WARNING, Problem

_YEAR = re.compile(r"^\d{4}$")


@dataclass
class Compared:
    """What one wave's files were compared with: the raw folder, the earlier waves found, the warnings."""

    wave: int
    raw: Path
    earlier: list[int]
    problems: list[Problem]


def _shown(path: Path) -> str:
    """The file's name as ``validate`` shows it: with its year folder where it lies in one."""
    folder = path.parent.name
    return f"{folder}/{path.name}" if _YEAR.match(folder) else path.name


def _regions(files: list[Path], codes: list[str]) -> set[str] | None:
    """The regions of the workbooks checked; None (every region) when an export is among them."""
    from pipelines.ingest.discovery import EXPORT, classify

    found = [classify(p.name, codes) for p in files]
    return None if any(kind == EXPORT for kind, *_ in found) else {code for _, code, *_ in found if code}


def _keep(path: Path, regions: set[str] | None, codes: list[str]) -> bool:
    from pipelines.ingest.discovery import WORKBOOK, classify

    kind, code, _, _ = classify(path.name, codes)
    return path.is_file() and (regions is None or kind != WORKBOOK or code in regions)


def _copy(files, folder: Path, keep) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for path in files:
        if keep(path):
            shutil.copyfile(path, folder / path.name)


def earlier_waves(raw: Path, wave: int, n: int) -> list[int]:
    """The ``n`` waves before ``wave`` that have a folder under ``raw`` (a missing year is skipped, as in a run)."""
    from pipelines.ingest.discovery import list_waves

    return sorted(w for w in list_waves(raw) if w < wave)[-n:] if raw.is_dir() else []


def _raw_for(path: Path, raw: Path | None, wave: int, n: int) -> Path:
    """``--raw`` when given; else the folder above the file's year folder when it holds earlier waves; else data/raw."""
    if raw is not None:
        return raw
    above = path.resolve().parent.parent
    if _YEAR.match(path.resolve().parent.name) and earlier_waves(above, wave, n):
        return above
    return paths.RAW


def compare_with_earlier_waves(
    files: list[Path], reference_dir: Path, wave: int | None = None, raw: Path | None = None, validator=None
) -> list[Compared]:
    """Per wave of ``files``: the plausibility warnings on them against the earlier waves of the same regions."""
    from pipelines.engine import build as engine
    from pipelines.engine.reference import write_reference_tables
    from pipelines.ingest.loader import ingest_waves
    from pipelines.ingest.warehouse import connect, ensure_schema

    rules = load_plausibility_rules(reference_dir)
    n = int(rules["previous_returns"])
    codes = [r.code for r in load_regions(reference_dir)]
    by_wave: dict[int, list[Path]] = {}
    for path in files:
        folder = path.resolve().parent.name
        w = int(folder) if _YEAR.match(folder) else wave
        if w is not None:
            by_wave.setdefault(w, []).append(path)
    out = []
    for w, group in sorted(by_wave.items()):
        base = _raw_for(group[0], raw, w, n)
        earlier = earlier_waves(base, w, n)  # none: only the checks within the return itself can warn
        con = connect(":memory:")
        with tempfile.TemporaryDirectory(prefix="regiobench-validate-") as tmp:
            ensure_schema(con)
            write_reference_tables(con, reference_dir)
            wanted = _regions(group, codes)
            for y in earlier:  # only what the regions checked sent (an export holds every region: all of it)
                _copy(sorted((base / str(y)).iterdir()), Path(tmp) / str(y), lambda p: _keep(p, wanted, codes))
            _copy(group, Path(tmp) / str(w), lambda p: True)
            ingest_waves(con, Path(tmp), [*earlier, w], codes, validator=validator)
            engine.run_intermediate(con, only=["int_plausibility"])
            shown = {f"{w}/{p.name}": _shown(p) for p in group}  # as validate names the file
            rows = con.execute(
                "select * from int_plausibility where wave = ? and list_contains(?, source_file)", [w, list(shown)]
            ).df()
        con.close()
        problems = [_problem(r, shown, w) for r in rows.astype(object).where(rows.notna(), None).to_dict("records")]
        out.append(Compared(w, base, earlier, problems))
    return out


def _problem(r: dict, shown: dict[str, str], wave: int) -> Problem:
    return Problem(
        file=shown[r["source_file"]],
        rule=r["rule"],
        message=r["message"],
        severity=WARNING,
        sheet=r["sheet"],
        row=None if r["row_number"] is None else int(r["row_number"]),
        column=r["column_name"],
        value=r["value"],
        region_code=r["region_code"],
        module=r["module"],
        wave=wave,
    )
