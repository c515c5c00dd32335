"""``regiobench template``: the workbooks the regions fill in, optionally with an earlier wave's answers.

The workbook itself is made by :mod:`pipelines.publish.template`; this module reads the earlier wave
(``--prefill-from``) with the pipeline's own readers, and passes the validation's wave-year rules on.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Collection
from pathlib import Path
from typing import Any

from pipelines.app.exits import EXIT_FAILED, EXIT_OK
from pipelines.contract.codebook import MODULES, REGION_COLUMN


def _records(frame, module_name: str) -> list[dict[str, Any]]:
    """A parsed sheet's rows as dicts of plain values (None for empty), keyed by field name."""
    names = [f.name for f in MODULES[module_name].stored_fields]
    frame = frame[names].astype(object)
    return frame.where(frame.notna(), None).to_dict("records")


def previous_answers(
    raw: Path, wave: int, region_codes: list[str], only: Collection[str] | None = None
) -> tuple[dict[str, dict[str, list]], list[str]]:
    """Each region's rows of the carried-over modules in ``raw/<wave>``, and notes on what could not be used.

    ``only``: the regions whose answers are wanted (default all); other regions' workbooks are not read.

    A region's workbook gives its sheets; a module's export gives the rows of every region, where that
    region's workbook has no sheet of it (as a run chooses). A region with two workbooks is not used: a
    run would load neither.
    """
    from pipelines.ingest.discovery import EXPORT, WORKBOOK, classify
    from pipelines.ingest.readers import parse_module, read_export, read_workbooks
    from pipelines.publish.template_guide import carried_modules

    folder = raw / str(wave)
    if not folder.is_dir():
        return {}, [f"{folder} bestaat niet: er is niets overgenomen"]
    carried = carried_modules()
    workbooks: dict[str, list[Path]] = defaultdict(list)
    exports: dict[str, Path] = {}
    for path in sorted(folder.iterdir()):
        if path.is_symlink() or not path.is_file():
            continue
        kind, code, module, _ = classify(path.name, region_codes)
        if kind == WORKBOOK and code is not None and (only is None or code in only):
            workbooks[code].append(path)
        elif kind == EXPORT and module in carried:
            exports[module] = path
    notes: list[str] = []
    answers: dict[str, dict[str, list]] = defaultdict(dict)
    single = {code: paths[0] for code, paths in workbooks.items() if len(paths) == 1}
    for code, paths in workbooks.items():
        if len(paths) > 1:
            notes.append(f"regio {code} heeft {len(paths)} werkboeken in {wave}; niets overgenomen van die werkboeken")
    read = read_workbooks([(path, f"{wave}/{path.name}") for path in single.values()])
    for code, path in single.items():
        tables, _ = read[f"{wave}/{path.name}"]
        for name in carried:
            if name in tables:
                frame, _ = parse_module(tables[name], MODULES[name], region_code=code)
                answers[code][name] = _records(frame, name)
    for name, path in exports.items():
        table, _ = read_export(path, f"{wave}/{path.name}")
        if table is None:
            notes.append(f"{wave}/{path.name} kan niet worden gelezen; niets overgenomen uit deze export")
            continue
        frame, _ = parse_module(table, MODULES[name], region_code=None)
        for code, rows in frame.groupby(REGION_COLUMN):
            if code in region_codes and (only is None or code in only) and name not in answers[str(code)]:
                answers[str(code)][name] = _records(rows, name)
    return dict(answers), notes


def make_templates(args) -> int:
    """Write one template per region (all, or those of ``--region``) into ``--out``."""
    from pipelines.contract.reference import load_regions
    from pipelines.ingest.discovery import wave_range
    from pipelines.ingest.validation.rules import CONDITIONAL_RULES
    from pipelines.publish.template import template_name, write_template

    regions = load_regions(args.reference)
    first, last = wave_range()
    if not first <= args.wave <= last:
        print(f"peiljaar {args.wave} kan niet: een peiljaar loopt van {first} tot en met {last}", file=sys.stderr)
        return EXIT_FAILED
    by_code = {r.code: r for r in regions}
    asked = [c.strip().upper() for c in args.region or []]
    unknown = [c for c in asked if c not in by_code]
    if unknown:
        print(
            f"onbekende regiocode(s): {', '.join(unknown)}; bekend zijn {', '.join(by_code)}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    chosen = [by_code[c] for c in dict.fromkeys(asked)] or regions
    previous: dict[str, dict[str, list]] = {}
    if args.prefill_from is not None:
        previous, notes = previous_answers(args.raw, args.prefill_from, list(by_code), [r.code for r in chosen])
        for note in notes:
            print(f"let op: {note}", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    kept = 0
    for region in chosen:
        target = args.out / template_name(region, args.wave)
        if target.exists() and not args.overwrite:
            print(f"{target}: bestaat al; niet overschreven (--overwrite schrijft er overheen)", file=sys.stderr)
            kept += 1
            continue
        earlier = previous.get(region.code)
        write_template(
            target,
            region,
            args.wave,
            regions,
            wave_dates=CONDITIONAL_RULES.in_wave_year,
            previous=earlier,
            previous_wave=args.prefill_from if earlier else None,
        )
        what = f"met de antwoorden van {args.prefill_from}" if earlier else "leeg"
        if args.prefill_from is not None and not earlier:
            what += f" (geen aanlevering van {region.code} in {args.prefill_from} gevonden)"
        print(f"{target}: {what}")
    print(f"{len(chosen) - kept} werkboek(en) voor peiljaar {args.wave} geschreven naar {args.out}")
    return EXIT_FAILED if kept else EXIT_OK
