"""The ``regiobench`` command.

    regiobench run       materialize every asset in-process and publish
    regiobench validate  check workbooks or exports against the survey contract
    regiobench sample    write deterministic sample returns
    regiobench template  write the workbooks the regions fill in for a wave
    regiobench codebook  print the data contract as Markdown
    regiobench marts-contract  print the marts contract (docs/marts-contract.md) as Markdown
    regiobench rapport   the region reports as PDF (two A4 pages per region)

Dagster and Great Expectations are imported only by the subcommands that need
them, so ``validate`` and ``codebook`` start quickly.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from pipelines.app.exits import EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_REJECTED  # noqa: F401  (re-exported)
from pipelines.core import paths


def _waves(text: str) -> list[int]:
    out: list[int] = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            out += list(range(int(a), int(b) + 1))
        elif part.strip():
            out.append(int(part))
    return out


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="regiobench", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="de hele pipeline draaien en publiceren")
    run.add_argument("--raw", type=Path, default=paths.RAW, help="map met de aanleveringen (standaard data/raw)")
    run.add_argument("--reference", type=Path, default=paths.REFERENCE, help="map met regions.csv en normen")
    run.add_argument("--marts", type=Path, default=paths.MARTS, help="map voor de marts (standaard data/marts)")
    run.add_argument("--dashboards", type=Path, default=paths.DASHBOARDS, help="map voor de dashboards")
    run.add_argument("--warehouse", type=Path, default=paths.WAREHOUSE, help="DuckDB-bestand")
    run.add_argument(
        "--validation",
        type=Path,
        default=None,
        help="map voor de GX-resultaten (standaard: validation/ naast het warehouse)",
    )
    run.add_argument("--strict", action="store_true", help="een afgewezen bestand is een fout: niets publiceren")
    run.add_argument("--full", action="store_true", help="alle peiljaren opnieuw lezen, ook ongewijzigde")
    run.add_argument("--wait", type=float, default=600.0, help="seconden wachten op een andere run (standaard 600)")
    run.add_argument("--quiet", action="store_true", help="alleen de samenvatting")
    run.add_argument(
        "--json",
        action="store_true",
        help="het runrapport als JSON op stdout (stappen, tijden, aantallen, oorzaak van een fout); "
        "de meldingen gaan dan naar stderr",
    )
    run.add_argument(
        "--verbose",
        action="store_true",
        help="bij een fout ook de volledige foutmelding (traceback), niet alleen de oorzaak",
    )
    run.add_argument(
        "--rebuild",
        action="store_true",
        help="het warehouse opzijzetten (bewaard) en opnieuw opbouwen uit de aanleveringen; "
        "voor een beschadigd warehouse",
    )

    val = sub.add_parser("validate", help="bestanden toetsen aan de uitvraag, zonder iets te laden")
    val.add_argument("paths", nargs="+", type=Path)
    val.add_argument("--reference", type=Path, default=paths.REFERENCE)
    val.add_argument("--wave", type=int, default=None, help="peiljaar (standaard: de naam van de map)")
    val.add_argument(
        "--raw",
        type=Path,
        default=None,
        help="map met de eerdere peiljaren voor de plausibiliteit (standaard: de map boven de jaarmap van het "
        "bestand als daar eerdere peiljaren staan, anders data/raw)",
    )

    smp = sub.add_parser("sample", help="voorbeeldaanleveringen schrijven (deterministisch)")
    smp.add_argument("--out", type=Path, required=True)
    smp.add_argument("--waves", type=_waves, default=_waves("2019-2025"))
    smp.add_argument("--seed", type=int, default=2020)
    smp.add_argument("--regions", type=int, default=None, help="aantal synthetische regio's (standaard de 25 echte)")
    smp.add_argument("--form", choices=["csv", "xlsx"], default=None, help="alle peiljaren in één vorm")
    smp.add_argument(
        "--reference-out",
        type=Path,
        default=None,
        help="waar wegingen.csv komt, en bij --regions ook regions.csv, de normen en de regels voor "
        "toelichtingen (standaard bij --regions: OUT/reference)",
    )
    smp.add_argument(
        "--ground-truth",
        type=Path,
        default=None,
        help="waar de geplante afwijkingen komen (reasons.csv, de toelichtingen, en problems.csv, de meldingen, "
        "komen ernaast)",
    )

    tpl = sub.add_parser("template", help="de werkboeken die de regio's invullen, één per regio")
    tpl.add_argument("--wave", type=int, required=True, help="het peiljaar van de uitvraag")
    tpl.add_argument(
        "--region", action="extend", nargs="+", metavar="CODE", help="alleen deze regio('s) (standaard: alle)"
    )
    tpl.add_argument("--out", type=Path, required=True, help="map voor de werkboeken")
    tpl.add_argument(
        "--prefill-from",
        type=int,
        default=None,
        metavar="WAVE",
        help="de antwoorden van dit peiljaar overnemen (risico en de rasters; niet de oefeningen en lessen)",
    )
    tpl.add_argument("--raw", type=Path, default=paths.RAW, help="map met de aanleveringen (voor --prefill-from)")
    tpl.add_argument("--reference", type=Path, default=paths.REFERENCE, help="map met regions.csv")
    tpl.add_argument("--overwrite", action="store_true", help="bestaande werkboeken in --out overschrijven")

    sub.add_parser("codebook", help="de uitvraag als Markdown")
    sub.add_parser("marts-contract", help="het contract van de marts als Markdown (docs/marts-contract.md)")
    from pipelines.app import rapport_cli

    rapport_cli.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "run":
        from pipelines.app.runner import run

        return run(args)
    if args.command == "validate":
        return _validate(args)
    if args.command == "sample":
        return _sample(args)
    if args.command == "template":
        from pipelines.app.templates import make_templates

        return make_templates(args)
    if args.command == "codebook":
        from pipelines.contract.codebook_docs import describe_markdown

        sys.stdout.write(describe_markdown())
        return EXIT_OK
    if args.command == "marts-contract":
        from pipelines.contract import marts

        sys.stdout.write(marts.describe_markdown())
        return EXIT_OK
    if args.command == "rapport":
        from pipelines.app import rapport_cli

        return rapport_cli.run(args)
    return EXIT_FAILED  # pragma: no cover


def _validate(args) -> int:
    from pipelines.contract.reasons import JUDGEMENT_FILE
    from pipelines.core.problems import ERROR
    from pipelines.ingest.validation import validate_paths

    started = time.perf_counter()
    missing = [p for p in args.paths if not p.is_file()]
    from pipelines.core.privacy import (
        redact_name as redact,  # a file name is shown without the personal data it may hold
    )

    for p in missing:
        print(f"{redact(str(p))}: bestand bestaat niet", file=sys.stderr)
    judgement_files = [p for p in args.paths if p.is_file() and p.name == JUDGEMENT_FILE]
    n_judgement_errors = sum(_report_judgements(p.parent, args.reference, strict=True) for p in judgement_files)
    if not judgement_files:  # the analyst's own file is read by every run: say what it will ignore
        _report_judgements(args.reference, args.reference, strict=False)
    returns = [p for p in args.paths if p.is_file() and p not in judgement_files]
    problems = validate_paths(returns, args.reference, wave=args.wave)
    problems += _plausibility(returns, args)
    by_file: dict[str, list] = {}
    for pr in problems:
        by_file.setdefault(pr.file, []).append(pr)
    n_err = sum(pr.severity == ERROR for pr in problems)
    for file, group in by_file.items():
        errs = sum(pr.severity == ERROR for pr in group)
        print(f"\n{file}: {errs} fout(en), {len(group) - errs} waarschuwing(en)")
        for pr in group:
            print(f"  - {pr.text()}")
    clean = [redact(str(p)) for p in returns if not any(pr.file.endswith(redact(p.name)) for pr in problems)]
    for c in clean:
        print(f"{c}: in orde")
    print(
        f"\n{len(args.paths)} bestand(en) getoetst in {time.perf_counter() - started:.1f} s: "
        f"{n_err + n_judgement_errors} fout(en), {len(problems) - n_err} waarschuwing(en)"
    )
    return 1 if n_err or missing or n_judgement_errors else 0


def _plausibility(returns: list[Path], args) -> list:
    """The plausibility warnings on ``returns`` against the earlier waves (docs/plausibility.md); says what they
    were compared with. Warnings only: they never change the exit code."""
    from pipelines.app.plausible import compare_with_earlier_waves
    from pipelines.contract.plausibility import RULES_FILE
    from pipelines.ingest.validation import default_validator

    found = []
    for c in compare_with_earlier_waves(returns, args.reference, args.wave, args.raw, validator=default_validator()):
        if c.earlier:
            print(
                f"Plausibiliteit {c.wave}: vergeleken met de eerdere aanleveringen in {c.raw} "
                f"(peiljaren {', '.join(map(str, c.earlier))}; grenzen in {args.reference / RULES_FILE}): "
                f"{len(c.problems)} waarschuwing(en)"
            )
        else:
            print(
                f"Plausibiliteit {c.wave}: geen eerdere peiljaren in {c.raw}, dus alleen op tegenstrijdigheden "
                f"binnen de aanlevering getoetst: {len(c.problems)} waarschuwing(en)"
            )
        found += c.problems
    return found


def _report_judgements(folder: Path, reference: Path, strict: bool) -> int:
    """Print the rows of ``folder/wegingen.csv`` a run would ignore (docs/verdicts.md 5a); return their number.

    Whether a judged reason exists can only be told against the warehouse: the quality page
    (mart judgement_problems) says that."""
    from pipelines.contract.reasons import JUDGEMENT_FILE, load_judgements
    from pipelines.contract.reference import load_regions

    path = folder / JUDGEMENT_FILE
    if not path.is_file():
        return 0
    usable, problems = load_judgements(folder, [r.code for r in load_regions(reference)])
    if problems or strict:
        word = "fout(en)" if strict else "waarschuwing(en): deze rijen telt een run niet mee"
        print(f"\n{path}: {len(usable)} weging(en) bruikbaar, {len(problems)} {word}")
        for pr in problems:
            where = f"rij {pr.line}" + (f", kolom '{pr.column}'" if pr.column else "")
            print(f"  - {where}: {pr.message}")
    return len(problems)


def _sample(args) -> int:
    from pipelines import sample
    from pipelines.contract.plausibility import RULES_FILE as PLAUSIBILITY_FILE
    from pipelines.contract.reasons import JUDGEMENT_FILE, RULES_FILE
    from pipelines.contract.reference import load_regions

    regions = None
    ref_out = args.reference_out or (args.out / "reference" if args.regions else None)
    if args.regions:
        regions = sample.make_regions(args.regions, args.seed)
        ref_out.mkdir(parents=True, exist_ok=True)
        sample.write_regions_csv(regions, ref_out / "regions.csv")
        for name in ("ring_model_norms.csv", "equipment_norms.csv", RULES_FILE, PLAUSIBILITY_FILE):
            (ref_out / name).write_bytes((paths.REFERENCE / name).read_bytes())
        print(f"regio's, normen en regels geschreven naar {ref_out}")
    else:
        regions = load_regions(paths.REFERENCE)
    summary = sample.generate(
        args.out,
        args.waves,
        seed=args.seed,
        regions=regions,
        form=args.form,
        ground_truth=args.ground_truth,
        judgements=ref_out / JUDGEMENT_FILE if ref_out else None,
    )
    if ref_out:
        print(f"{summary['judgements']} weging(en) geschreven naar {ref_out / JUDGEMENT_FILE}")
    print(
        f"voorbeeld geschreven naar {args.out}: peiljaren {', '.join(map(str, summary['waves']))}, "
        f"{summary['n_regions']} regio's, {summary['n_files']} bestanden, {summary['bytes'] / 1024:.0f} kB"
    )
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
