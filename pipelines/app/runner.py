"""``regiobench run``: every asset materialized in this process, then a summary.

Uses Dagster's in-process executor (the default of ``materialize``): the
multiprocess executor would import the project again for every step. The
Dagster instance is ephemeral; the state that matters lives in the warehouse.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from pipelines.app import report as rr
from pipelines.app.exits import EXIT_FAILED, EXIT_LOCKED, EXIT_OK, EXIT_REJECTED
from pipelines.app.runlock import LockTimeout, write_lock
from pipelines.app.summary import OUT, outputs, print_steps, print_summary, say, say_publication
from pipelines.contract.statuses import REJECTED

QUIET_LOGGERS = {"loggers": {"console": {"config": {"log_level": "ERROR"}}}}
# Without --verbose not even Dagster's error log (a step failure's whole chain and traceback): the runner prints
# each failed step's root cause in one Dutch line instead.
SILENT_LOGGERS = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
INGEST_GROUPS = ("reference", "raw", "staging")
WORKER_MAX_RAW_BYTES = 64 * 1024 * 1024
#: Failures after which the warehouse is not written to, not even for the report.
NOT_WRITABLE = {"busy", "damaged", "disk", "readonly", "permission"}
EXIT_CODES = {"ok": EXIT_OK, "failed": EXIT_FAILED, "rejected": EXIT_REJECTED, "busy": EXIT_LOCKED}


def run(args) -> int:
    """Run, print the summary (and with ``--json`` the report on stdout); the report is stored in run_history."""
    OUT[0] = sys.stderr if getattr(args, "json", False) else sys.stdout
    args._report = rr.new_report()
    started = time.perf_counter()
    outcome = _run(args, started)
    report = args._report
    report.update(outcome=outcome, exit_code=EXIT_CODES[outcome], seconds=round(time.perf_counter() - started, 3))
    if (report["failure"] or {}).get("kind") not in NOT_WRITABLE:
        _store_report(args)
    if getattr(args, "json", False):
        print(rr.as_json(report), flush=True)
    return EXIT_CODES[outcome]


def _store_report(args) -> None:
    from pipelines.ingest.warehouse import connect

    if not Path(args.warehouse).is_file():
        return
    try:
        with connect(args.warehouse) as con:
            rr.store(con, args._report)
    except Exception as exc:  # the run's outcome stands; only its report is not kept
        print(f"regiobench: het runrapport is niet in run_history bewaard: {exc}", file=sys.stderr)


def _fail(args, cause) -> None:
    args._report["failure"] = {"cause": cause.line, "error_class": cause.error_class, "kind": cause.kind}


def _run(args, started: float) -> str:
    from pipelines.app.failures import root_cause
    from pipelines.ingest.warehouse import WarehouseBusy

    try:
        with write_lock(
            args.warehouse, args.wait, on_wait=lambda holder: say(f"wachten: een andere run schrijft ({holder}) ...")
        ):
            return _run_locked(args, started)
    except (LockTimeout, WarehouseBusy) as exc:
        print(f"regiobench: {exc}", file=sys.stderr)
        args._report["failure"] = {"cause": str(exc), "error_class": type(exc).__name__, "kind": "busy"}
        return "busy"
    except Exception as exc:  # outside the steps: one Dutch line with the root cause, the traceback on request
        if getattr(args, "verbose", False):
            import traceback

            traceback.print_exc()
        cause = root_cause(exc)
        _fail(args, cause)
        print(f"regiobench: mislukt: {cause.line}", file=sys.stderr)
        say_publication(args, getattr(args, "_before", {}), ok=False)
        return "busy" if cause.kind == "busy" else "failed"


def _rebuild(args) -> None:
    """``--rebuild``: put the warehouse aside (kept, never deleted) and build a new one from the raw folder."""
    from pipelines.ingest.warehouse import move_aside

    aside = move_aside(args.warehouse)
    args.full = True
    if aside is None:
        say(f"regiobench: --rebuild: er was geen warehouse op {args.warehouse}; een nieuw wordt gebouwd")
        return
    say(
        f"regiobench: --rebuild: het warehouse is opzijgezet als {aside} (bewaard, niet verwijderd); een nieuw "
        f"warehouse wordt gebouwd uit {args.raw}."
    )
    say(
        "  Verloren in het nieuwe warehouse: de runhistorie (run_history) van voor nu, en eerder geladen gegevens "
        "die alleen nog in het oude warehouse stonden: van bestanden die niet meer in de map met aanleveringen "
        "staan, en de eerdere versie van een regio waarvan het huidige bestand wordt afgewezen (die regio krijgt "
        "nu onvoldoende_gegevens in plaats van zijn oude gegevens). Is het oude bestand nog leesbaar, dan staan "
        "die gegevens daar nog in."
    )


def _check_warehouse(args) -> None:
    """Before anything else: the warehouse opens for writing (waiting for a notebook up to --wait), or a
    damaged one raises here, before Dagster, with the root cause in Dutch."""
    from pipelines.ingest.warehouse import open_for_writing

    if not Path(args.warehouse).exists():
        return
    con = open_for_writing(
        args.warehouse,
        timeout=args.wait,
        on_wait=lambda holder: say(f"wachten: het warehouse is open in {holder} ..."),
    )
    try:
        con.execute("select count(*) from information_schema.tables").fetchall()
    finally:
        con.close()


def _run_locked(args, started: float) -> str:
    from pipelines.ingest import validation_worker
    from pipelines.publish.outputs import publication_of, recover_group

    args._before = {name: publication_of(folder) for name, folder in outputs(args).items()}
    if getattr(args, "rebuild", False):
        _rebuild(args)
    _check_warehouse(args)
    validation = Path(args.validation or Path(args.warehouse).parent / "validation").resolve()
    if _raw_bytes(args.raw) <= WORKER_MAX_RAW_BYTES:
        # Let GX get ready on the other core while this process checks for changes and starts Dagster.
        # First thing, before even pandas is imported here: a run with returns to check waits for it.
        # (Above this size the frames pickled to the worker would cost more memory than the overlap saves.)
        validation_worker.start(validation)
    try:
        # Clean up after a run killed while publishing, even when this run finds its outputs current and
        # publishes nothing: put back a folder left renamed aside, roll back a half-finished publication of
        # marts and dashboards, remove half-written new ones.
        for restored in recover_group([args.marts.resolve(), args.dashboards.resolve()]):
            say(f"regiobench: {restored}")
        args._before = {name: publication_of(folder) for name, folder in outputs(args).items()}

        if not (args.full or args.strict) and _nothing_changed(args, started):
            return "ok"
        return _run_dagster(args, started, validation)
    finally:
        validation_worker.stop_all()


def _raw_bytes(raw: Path) -> int:
    total = 0
    for folder, _, files in os.walk(raw):
        for name in files:
            try:
                total += os.stat(os.path.join(folder, name), follow_symlinks=False).st_size
            except OSError:
                pass
    return total


def _run_dagster(args, started: float, validation: Path) -> str:

    import dagster as dg

    from pipelines.definitions import defs as load_defs
    from pipelines.defs.resources import make_resources
    from pipelines.defs.staging.assets import full_refresh_run_config

    resources = make_resources(
        args.warehouse,
        lock_timeout=args.wait,
        raw_dir=args.raw.resolve(),
        reference_dir=args.reference.resolve(),
        marts_dir=args.marts.resolve(),
        dashboards_dir=args.dashboards.resolve(),
        validation_dir=validation,
    )
    defs = load_defs()
    graph = defs.resolve_asset_graph()
    everything = list(defs.assets or []) + list(defs.asset_checks or [])
    from pipelines.defs.partitions import WAVES
    from pipelines.ingest.discovery import list_waves

    instance = dg.DagsterInstance.ephemeral()
    waves = [str(w) for w in list_waves(args.raw)]
    args._report["waves"] = [int(w) for w in waves]
    instance.add_dynamic_partitions(WAVES.name, waves)
    # All waves in one run (single-run backfill); unchanged waves are skipped inside the ingest.
    tags = (
        {"dagster/asset_partition_range_start": waves[0], "dagster/asset_partition_range_end": waves[-1]}
        if waves
        else {}
    )
    partitioned = dg.AssetSelection.assets(*[k for k in graph.get_all_asset_keys() if graph.get(k).is_partitioned])
    everything_sel = dg.AssetSelection.all() if waves else dg.AssetSelection.all() - partitioned
    ingest_sel = dg.AssetSelection.groups(*INGEST_GROUPS) & everything_sel
    say(
        f"regiobench: {len(list(graph.get_all_asset_keys()))} assets, peiljaren {', '.join(waves) or '(geen)'}; "
        f"aanleveringen uit {args.raw}"
    )

    phases = [ingest_sel, everything_sel - ingest_sel] if args.strict else [everything_sel]
    ok = True
    for i, selection in enumerate(phases):
        result = dg.materialize(
            everything,
            resources=resources,
            instance=instance,
            selection=selection,
            raise_on_error=False,
            run_config={
                **(QUIET_LOGGERS if getattr(args, "verbose", False) else SILENT_LOGGERS),
                **(full_refresh_run_config() if (args.full and waves and i == 0) else {}),
            },
            tags={"regiobench/trigger": "cli", **(tags if (waves and i == 0) else {})},
        )
        steps, errors = rr.steps_from_logs(instance.all_logs(result.run_id))
        args._report["dagster_run_ids"].append(result.run_id)
        args._report["steps"] += steps
        causes = print_steps(steps, errors, quiet=args.quiet, verbose=getattr(args, "verbose", False))
        failed = next((st for st in steps if st["status"] == rr.FAILED), None)
        if failed and not args._report["failure"]:
            args._report["failure"] = {
                "cause": failed["cause"],
                "error_class": failed["error_class"],
                "kind": failed["kind"],
                "step": failed["name"],
            }
        ok = result.success
        if not ok:
            # A step failed after the other output was prepared: remove what was prepared (never swapped in).
            from pipelines.publish.outputs import recover_group

            for line in recover_group([args.marts.resolve(), args.dashboards.resolve()]):
                say(f"regiobench: {line}")
            print_summary(args, started, published=False)
            return "busy" if "busy" in causes else "failed"
        if args.strict and i == 0 and _rejections(args.warehouse):
            print_summary(args, started, published=False)
            say("--strict: er zijn afgewezen bestanden; niets gepubliceerd.")
            return "rejected"
    print_summary(args, started, published=ok)
    return "ok" if ok else "failed"


def _nothing_changed(args, started: float) -> bool:
    """No wave, reference file or code changed and every output is current: record that, skip Dagster.

    Says so in its own words (no step lines: no step ran); the report lists every step as skipped-current.
    """
    from pipelines.app.fastpath import check
    from pipelines.ingest.warehouse import connect, record_history

    if not Path(args.warehouse).is_file():
        return False
    t0 = time.perf_counter()
    with connect(args.warehouse) as con:  # opened for writing already by _check_warehouse: not busy now
        verdict = check(con, args.raw.resolve(), args.reference.resolve(), args.marts, args.dashboards)
        if not verdict.current:
            return False
        waves = verdict.waves
        summary = "; ".join(f"{w}: ongewijzigd sinds de vorige run, niet opnieuw gelezen" for w in waves)
        record_history(
            con,
            args._report["run_id"],
            "cli",
            "laden",
            summary,
            waves=waves,
            units_loaded=0,
            units_unchanged=0,
            files_rejected=0,
        )
    took = time.perf_counter() - t0
    say(f"regiobench: peiljaren {', '.join(map(str, waves))}; aanleveringen uit {args.raw}")
    say(
        "regiobench: niets gewijzigd sinds de vorige geslaagde run (bestanden, referentie en code "
        "vergeleken op inhoud): Dagster niet gestart"
    )
    why = {
        "ingest_returns": summary,
        "variation_engine": "ongewijzigd: geen nieuwe aanleveringen, referentie of code sinds de vorige bouw",
        "published_marts": f"ongewijzigd: {args.marts} is actueel",
        "dashboards_site": f"ongewijzigd: {args.dashboards} is actueel",
        "publication": "niets te publiceren: marts en dashboards zijn actueel",
    }
    args._report.update(fast_path=True, waves=list(waves))
    args._report["steps"] = [
        rr.step(
            name,
            rr.SKIPPED_CURRENT,
            summary=[why[name]],
            seconds=0.0,
            counts={"units_loaded": 0, "units_unchanged": 0} if name == "ingest_returns" else {},
        )
        for name in rr.FASTPATH_STEPS
    ]
    if not args.quiet:
        say(f"  controle op wijzigingen: {took:.1f} s; geen stap uitgevoerd, alles is actueel")
        say(f"      {summary}")
    print_summary(args, started, published=True)
    return True


def _rejections(warehouse: Path) -> list[tuple]:
    from pipelines.ingest.warehouse import connect

    with connect(warehouse, read_only=True) as con:
        return con.execute(
            "select wave, source_file, count(*) from stg_submission_status where status = ? group by all order by all",
            [REJECTED],
        ).fetchall()
