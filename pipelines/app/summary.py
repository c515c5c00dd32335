"""What a run says at its end, in Dutch: each step's lines, the summary per wave, the files not read,
the run's counts for the report, and what was published (read from the output folders' markers)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pipelines.app import report as rr
from pipelines.contract.statuses import ABSENT, CONFLICT, LOADED, REJECTED
from pipelines.core.problems import WARNING

OUT = [sys.stdout]  # where the Dutch lines go: stderr with --json, whose stdout carries only the report


def say(msg: str = "") -> None:
    print(msg, file=OUT[0], flush=True)


def outputs(args) -> dict:
    return {"marts": Path(args.marts), "dashboards": Path(args.dashboards)}


def print_steps(steps: list[dict], errors: dict, quiet: bool, verbose: bool = False) -> set[str]:
    """Per step of the report: what it did (the ``summary`` metadata of its materializations) and how long.

    A failed step gets its root cause in one Dutch line (:mod:`pipelines.app.failures`), the whole error
    with ``--verbose``. Returns the kinds of the causes found (``disk``, ``busy``, ``damaged``, ...).
    """
    label = {rr.MATERIALIZED: "klaar", rr.SKIPPED_CURRENT: "klaar", rr.FAILED: "MISLUKT", rr.NOT_RUN: "overgeslagen"}
    kinds = {st["kind"] for st in steps if st["kind"]}
    for st in steps:
        key = st["name"]
        if st["status"] == rr.UNFINISHED:
            say(f"  {key:<40} niet afgerond")
            continue
        if quiet and st["status"] in (rr.MATERIALIZED, rr.SKIPPED_CURRENT) and not st["summary"]:
            continue
        say(f"  {key:<40} {label[st['status']]:<12} {st['seconds']:6.1f} s")
        for line in st["summary"]:
            say(f"      {line}")
        if st["status"] == rr.FAILED:
            say(f"      oorzaak: {st['cause']}")
            if verbose and key in errors:
                for line in errors[key].to_string().rstrip().splitlines():
                    say(f"        {line}")
    return kinds


def _say_not_read(con, tables: set[str]) -> None:
    """Every file and folder under the raw folder that was not read, with why (also when nothing changed)."""
    ignored = (
        con.execute(
            "select source_file, note from raw_file_inventory where kind = 'genegeerd' order by wave, source_file"
        ).fetchall()
        if "raw_file_inventory" in tables
        else []
    )
    folders = (
        con.execute(
            "select source_file, message from stg_problems where wave is null and rule = 'map.geen_peiljaar' order by all"
        ).fetchall()
        if "stg_problems" in tables
        else []
    )
    empty = (
        con.execute("select wave from stg_problems where rule = 'peiljaar.leeg' order by wave").fetchall()
        if "stg_problems" in tables
        else []
    )
    if folders:
        say(f"LET OP: mappen in de aanleveringenmap die geen peiljaar zijn, niet gelezen ({len(folders)}):")
        for name, message in folders:
            say(f"  {name} {message}")
    for (wave,) in empty:
        say(f"LET OP: peiljaar {wave} heeft geen aanleveringen (lege map); de site opent op een ander peiljaar.")
    if ignored:
        say(f"Genegeerde bestanden ({len(ignored)}):")
        for name, note in ignored:
            say(f"  {name}: {note}")


def _say_implausible(con, tables: set[str]) -> None:
    """The plausibility warnings (docs/plausibility.md): loaded returns whose verdicts an analyst should not quote
    before checking the return."""
    if "int_plausibility" not in tables:
        return
    rows = con.execute(
        "select wave, region_code, module, finding from int_plausibility order by wave, region_code, module"
    ).fetchall()
    if not rows:
        return
    say(f"Controleer de aanlevering ({len(rows)} plausibiliteitswaarschuwing(en); geladen, oordelen gemarkeerd):")
    for wave, region, module, finding in rows[:20]:
        say(f"  {wave} {region} {module}: {finding}")
    if len(rows) > 20:
        say(f"  ... en {len(rows) - 20} meer: zie de kwaliteitspagina en submission_problems")


def print_summary(args, started: float, published: bool) -> None:
    from pipelines.ingest.warehouse import connect

    say("")
    if not Path(args.warehouse).exists():
        say("Geen warehouse geschreven.")
        return
    with connect(args.warehouse, read_only=True) as con:
        tables = {t for (t,) in con.execute("select table_name from information_schema.tables").fetchall()}
        if "stg_submission_status" not in tables:
            say("Er is nog niets geladen.")
            return
        sql = """select wave, count(distinct region_code) filter (where status = $loaded) as loaded,
                   count(distinct region_code) filter (where status = $absent and module = 'meta') as missing
            from stg_submission_status group by wave order by wave"""
        per_wave = con.execute(sql, {"loaded": LOADED, "absent": ABSENT}).fetchall()
        say("Peiljaren:")
        for wave, loaded, missing in per_wave:
            say(f"  {wave}: {loaded} regio's geladen" + (f", {missing} zonder aanlevering" if missing else ""))
        sql = """select wave, source_file, module, count(*), min(region_code), min(message),
                   count(*) filter (where earlier_data_in_use) from stg_submission_status
            where status in (?, ?) group by all order by all"""
        rejected = con.execute(sql, [REJECTED, CONFLICT]).fetchall()
        if rejected:
            # One line per file and module (a bad export touches every region): every rejected file is named.
            say(f"Afgewezen of in conflict ({sum(r[3] for r in rejected)} modules van regio's):")
            for wave, file, module, n, region, message, earlier in rejected[:60]:
                who = (region or "?") if n == 1 else f"{n} regio's"
                kept = f"; eerdere gegevens in gebruik bij {earlier}" if earlier and n > 1 else ""
                say(f"  {wave} {who} {module} ({file}): {message}{kept}")
            if len(rejected) > 60:
                say(f"  ... en {len(rejected) - 60} meer: zie de kwaliteitspagina")
        else:
            say("Geen bestanden afgewezen.")
        _say_implausible(con, tables)
        _say_not_read(con, tables)
        _count(args, con, tables)
    say("")
    if published:
        say(f"Warehouse:  {args.warehouse}")
        say(f"Marts:      {args.marts}")
        say(f"Dashboards: {args.dashboards / 'index.html'}")
    say_publication(args, getattr(args, "_before", {}), ok=published)
    say(f"Klaar in {time.perf_counter() - started:.1f} s.")


def _count(args, con, tables: set[str]) -> None:
    """The run's counts for the report, from the warehouse and the ingest step (not from printed lines)."""
    counts = args._report["counts"]
    ingest = next((st["counts"] for st in args._report["steps"] if st["name"] == "ingest_returns"), {})
    for key in ("units_loaded", "units_unchanged", "units_removed", "units_rejected"):
        if key in ingest:
            counts[key] = ingest[key]
    counts["files_rejected"] = con.execute(
        "select count(distinct source_file) from stg_submission_status where status in (?, ?)", [REJECTED, CONFLICT]
    ).fetchone()[0]
    by_wave = "select wave::varchar, count(distinct region_code) from stg_submission_status where status = ?"
    counts["regions_loaded"] = dict(con.execute(by_wave + " group by wave order by wave", [LOADED]).fetchall())
    if "raw_file_inventory" in tables:
        counts["files_read"] = con.execute(
            "select count(*) from raw_file_inventory where kind <> 'genegeerd'"
        ).fetchone()[0]
        counts["files_ignored"] = con.execute(
            "select count(*) from raw_file_inventory where kind = 'genegeerd'"
        ).fetchone()[0]
    if "stg_problems" in tables:
        problems = dict(
            con.execute("select severity, count(*) from stg_problems group by severity order by severity").fetchall()
        )
        # The plausibility warnings are problems as submission_problems publishes them (severity waarschuwing):
        # counted in `problems` too, and on their own so that a reader can still tell them from the reader's.
        plausibility = 0
        if "int_plausibility" in tables:
            plausibility = con.execute("select count(*) from int_plausibility").fetchone()[0]
        if plausibility:
            problems[WARNING] = problems.get(WARNING, 0) + plausibility
        counts["problems"] = dict(sorted(problems.items()))
        counts["plausibility_warnings"] = plausibility


def say_publication(args, before: dict, ok: bool) -> None:
    """The last lines: what this run published, read from the folders' markers, not assumed.

    ``Gepubliceerd: marts ja, dashboards ja (publicatie <id>, <tijd>).`` A folder whose publication did not
    change says ``nee``: ``actueel`` after a successful run (its inputs had not changed), else with the
    publication that is still there.
    """
    from pipelines.publish.outputs import publication_of

    after = {name: publication_of(folder) for name, folder in outputs(args).items()}
    new = {name: bool(after[name]) and (before.get(name) or {}).get("id") != after[name].get("id") for name in after}

    def label(p: dict | None) -> str:
        return f"publicatie {p['id']}, {p.get('time', '?')}" if p else "geen publicatie"

    def word(name: str) -> str:
        if new[name]:
            return "ja"
        return "nee (actueel)" if ok else "nee"

    ids = {(p or {}).get("id") for p in after.values()}
    newest_id = next((after[n]["id"] for n in after if new[n]), None)
    if hasattr(args, "_report"):
        args._report["published"] = {
            "marts": new["marts"],
            "dashboards": new["dashboards"],
            "publication_id": newest_id or (after["marts"] or {}).get("id"),
        }
    if any(new.values()):
        newest = next(after[n] for n in after if new[n])
        say(f"Gepubliceerd: marts {word('marts')}, dashboards {word('dashboards')} ({label(newest)}).")
    elif ok:
        say(
            f"Gepubliceerd: marts {word('marts')}, dashboards {word('dashboards')}; er was niets nieuws te "
            f"publiceren ({label(after['marts'])})."
        )
    else:
        still = (
            label(after["marts"])
            if len(ids) == 1
            else f"marts: {label(after['marts'])}; dashboards: {label(after['dashboards'])}"
        )
        say(f"Niet gepubliceerd: marts nee, dashboards nee; de vorige marts en dashboards zijn ongewijzigd ({still}).")
