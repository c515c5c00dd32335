"""Is there anything to do? A check that runs before Dagster is imported.

Most runs while returns come in change nothing: the analyst reruns to see whether
a file arrived. Starting Dagster and walking every asset only to hear "unchanged"
costs several seconds. This module answers the same question the assets ask, from
the same state in the warehouse, with nothing heavier than DuckDB and hashlib:

* every wave folder under ``data/raw`` has the fingerprint (file names, contents,
  ignored files, region set, rules) it had at its last successful load, no
  loaded wave has gone, and the folders that are not waves are the ones the
  last run reported;
* the marts, the mart files and the site each carry the fingerprint of their
  inputs (:mod:`pipelines.publish.freshness`) that those inputs have now, and exist.

Only when all of that holds does the CLI skip Dagster; it then records the run in
``run_history`` as the assets would have. Any doubt means "not current": the full
run decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from pipelines.contract.marts import MART_NAMES
from pipelines.contract.reference import load_regions
from pipelines.ingest.discovery import discover_wave, fingerprint, held_waves, scan_root
from pipelines.ingest.loader import RULES_VERSION, stored_folder_notes
from pipelines.ingest.readers import DEFAULT_LIMITS
from pipelines.publish.downloads import mart_files
from pipelines.publish.freshness import inputs_fingerprint, site_target


@dataclass
class Verdict:
    current: bool
    reason: str  # why not (Dutch), or what was checked
    waves: list[int] = field(default_factory=list)


def wave_fingerprint(raw_root: Path, wave: int, region_codes: list[str]) -> str:
    """The fingerprint the ingest stores for ``wave`` (see ``ingest._prepare``)."""
    files, _ = discover_wave(raw_root, wave, region_codes, DEFAULT_LIMITS)
    return fingerprint(files, context=f"{RULES_VERSION}|{','.join(sorted(region_codes))}")


def _tables(con) -> set[tuple[str, str]]:
    return {(s, t) for s, t in con.execute("select table_schema, table_name from information_schema.tables").fetchall()}


def check(
    con: duckdb.DuckDBPyConnection, raw_root: Path, reference_dir: Path, marts_dir: Path, dashboards_dir: Path
) -> Verdict:
    """Whether a run over these folders would load and publish nothing."""
    waves, notes = scan_root(raw_root)
    if not waves:
        return Verdict(False, "geen peiljaren")
    tables = _tables(con)
    needed = {
        ("main", "raw_wave_fingerprints"),
        ("main", "stg_module_loads"),
        ("main", "publication_state"),
        ("main", "stg_problems"),
    }
    needed |= {("marts", t) for t in MART_NAMES}
    if not needed <= tables:
        return Verdict(False, "nog niet alles gebouwd")
    stored = dict(con.execute("select wave, fingerprint from raw_wave_fingerprints").fetchall())
    loaded = {w for (w,) in con.execute("select distinct wave from stg_module_loads").fetchall()}
    if set(stored) | loaded != set(waves) | set(held_waves(waves, notes)):
        return Verdict(False, "peiljaren toegevoegd of verdwenen")
    if stored_folder_notes(con) != sorted((n.problem().file, n.problem().message) for n in notes):
        return Verdict(False, "mappen in data/raw die geen peiljaar zijn, gewijzigd")
    codes = [r.code for r in load_regions(reference_dir)]
    for wave in waves:
        if stored.get(wave) != wave_fingerprint(raw_root, wave, codes):
            return Verdict(False, f"peiljaar {wave} gewijzigd")
    state = dict(con.execute("select output, fingerprint from publication_state").fetchall())
    outputs = {"marts": "", "mart_files": marts_dir.resolve(), "dashboards": site_target(dashboards_dir, marts_dir)}
    for output, target in outputs.items():
        if state.get(output) != inputs_fingerprint(con, reference_dir, target=target):
            return Verdict(False, f"{output} niet actueel")
    if not all((marts_dir / f).is_file() for f in mart_files(MART_NAMES)):
        return Verdict(False, "martbestanden ontbreken")
    if not (dashboards_dir / "index.html").is_file():
        return Verdict(False, "dashboards ontbreken")
    return Verdict(True, "niets gewijzigd", waves)
