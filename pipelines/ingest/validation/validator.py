"""The validator: one GX run per module over all regions (and waves), failures turned into problems.

Builds the GX context and suites once (:class:`GXValidator`), writes the redacted JSON results; does not
read files (:mod:`.files`, :mod:`pipelines.ingest.loader`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import re
import time
import warnings
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

import great_expectations as gx
import numpy as np
import pandas as pd
from great_expectations.data_context.types.base import (
    DataContextConfig,
    InMemoryStoreBackendDefaults,
    ProgressBarsConfig,
)

from pipelines.contract.codebook import MODULES, REGION_COLUMN, Module
from pipelines.core.privacy import redact, redact_deep
from pipelines.core.problems import ERROR, Problem
from pipelines.ingest.validation.batch import _batch, _exercise_ids
from pipelines.ingest.validation.checks import _Check, _module_checks, _Run
from pipelines.ingest.validation.rules import CONDITIONAL_RULES, INDEX_COLUMNS, RESULT_FORMAT, WAVE, _text
from pipelines.ingest.validation_runs import new_run

# ---------------------------------------------------------------------------
# The validator
# ---------------------------------------------------------------------------


@contextlib.contextmanager
def _quiet():
    """No warnings, no GX log lines, no progress bars while GX runs."""
    gx_logger = logging.getLogger("great_expectations")
    level = gx_logger.level
    gx_logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        gx_logger.setLevel(level)


class GXValidator:
    """Checks a wave's candidate rows against the codebook; one GX run per module.

    ``results_dir``: where GX's validation results are kept as JSON, one folder per call of
    :meth:`validate_waves` (``<results_dir>/runs/<UTC time>_<run id>/<module>.json``, see
    :mod:`pipelines.ingest.validation_runs`); nothing is written without it. ``last_run`` names the
    folder of the latest call (None: nothing written).
    ``log``: a logger (``logging.Logger`` or Dagster's ``context.log``) for one
    line per module run; optional.
    """

    def __init__(self, results_dir: Path | None = None, log=None):
        self.results_dir = Path(results_dir) if results_dir is not None else None
        self.log = log
        self.last_run: str | None = None
        with _quiet():
            # In memory only: no data docs site (the default ephemeral context reserves a temporary
            # folder for one), no analytics, no progress bars.
            config = DataContextConfig(
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                analytics_enabled=False,
                progress_bars=ProgressBarsConfig(globally=False),
            )
            self.context = gx.get_context(mode="ephemeral", project_config=config)
            self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
            source = self.context.data_sources.add_pandas("regiobench")
            self.checks: dict[str, list[_Check]] = {}
            self.definitions: dict[str, gx.ValidationDefinition] = {}
            for name, module in MODULES.items():
                checks = _module_checks(module)
                # All expectations at once: add_expectation on a stored suite re-serialises it each time.
                suite = self.context.suites.add(
                    gx.ExpectationSuite(name=f"regiobench.{name}", expectations=[c.expectation for c in checks])
                )
                batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(f"{name}.alle_regios")
                self.checks[name] = checks
                self.definitions[name] = self.context.validation_definitions.add(
                    gx.ValidationDefinition(name=f"regiobench.{name}", data=batch, suite=suite)
                )

    def __call__(
        self,
        wave: int | None,
        frames: Mapping[str, pd.DataFrame],
        region_codes: list[str],
        *,
        sheets: Mapping[str, Mapping[str, tuple[str, str]]] | None = None,
    ) -> list[Problem]:
        """Problems of all regions of one wave; each with region_code, module and wave.

        ``sheets`` (optional): per module, the regions whose sheet (or export
        rows) was read, with its (file, sheet), *including sheets without
        rows*. Without it a region that sent a ``one`` or ``grid`` module
        without any row cannot be told from one that did not send the module,
        so it is not reported here.
        """
        return self.validate_waves([(wave, frames, sheets)], region_codes)

    def validate_waves(
        self,
        waves: Sequence[
            tuple[int | None, Mapping[str, pd.DataFrame], Mapping[str, Mapping[str, tuple[str, str]]] | None]
        ],
        region_codes: list[str],
        run_id: str | None = None,
    ) -> list[Problem]:
        """Like calling the validator per wave, but with one GX run per module for all the waves.

        GX's cost is mostly per run (planning ~90 expectations), not per row:
        seven waves in one run cost about as much as one wave. With a ``results_dir`` the results go into
        a new run folder named after the time and ``run_id`` (the Dagster run's id; else a random one).
        """
        self.last_run = None
        if self.results_dir is None:
            return self._validate_waves(waves, region_codes, None)
        manifest: dict = {"started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
        with new_run(self.results_dir, run_id, manifest) as (name, folder):
            problems = self._validate_waves(waves, region_codes, folder)
            manifest.update(
                waves=sorted({w for w, _, _ in waves if w is not None}),
                modules=sorted(p.stem for p in folder.glob("*.json")),
                problems=len(problems),
            )
        self.last_run = name
        return problems

    def _validate_waves(self, waves, region_codes: list[str], folder: Path | None) -> list[Problem]:
        run = _Run(sorted(set(region_codes)), {})
        parameters = {"regio_regex": "^(?:" + "|".join(map(re.escape, run.region_codes)) + ")$"}
        parts: dict[str, list[pd.DataFrame]] = defaultdict(list)
        for wave, frames, sheets in waves:
            sheets = sheets or {}
            known = {r.target: _exercise_ids(frames, r) for r in CONDITIONAL_RULES.references}
            run.exercises[wave] = next(iter(known.values()), {})
            for name, module in MODULES.items():
                frame = frames.get(name)
                if (frame is not None and len(frame)) or sheets.get(name):
                    batch = _batch(module, frame, wave, known, sheets.get(name, {}))
                    if len(batch):
                        parts[name].append(batch.assign(**{WAVE: wave}))
        label = _waves_label([w for w, _, _ in waves])
        problems: list[Problem] = []
        for name, module in MODULES.items():
            if not parts.get(name):
                continue
            batch = pd.concat(parts[name], ignore_index=True) if len(parts[name]) > 1 else parts[name][0]
            batch["_idx"] = np.arange(len(batch), dtype="int64")
            started = time.perf_counter()
            checks = self.checks[name]
            columns = list(dict.fromkeys(INDEX_COLUMNS + [c for check in checks for c in check.uses]))
            with _quiet():
                result = self.definitions[name].run(
                    batch_parameters={"dataframe": batch[columns]},
                    expectation_parameters=parameters,
                    result_format=RESULT_FORMAT,
                )
            store = self.context.validation_results_store  # in memory: keep it from growing run after run
            for key in store.list_keys():
                store.remove_key(key)
            found = self._problems(module, checks, result, batch, run)
            problems += found
            if folder is not None:
                self._save(folder, name, result)
            if self.log is not None:
                self.log.info(
                    f"GX {name} ({label}): {len(batch)} rijen, {len(checks)} verwachtingen, "
                    f"{len(found)} meldingen ({time.perf_counter() - started:.2f} s)"
                )
        return sorted(problems, key=sort_key)

    def _problems(self, module: Module, checks: list[_Check], result, batch: pd.DataFrame, run: _Run) -> list[Problem]:
        out: list[Problem] = []
        for r in result.results:
            check = checks[r.expectation_config.meta["controle"]]
            if r.exception_info and r.exception_info.get("raised_exception"):
                raise RuntimeError(
                    f"GX-verwachting {r.expectation_config.type} voor module {module.name} faalde: "
                    f"{r.exception_info.get('exception_message')}"
                )
            if r.success:
                continue
            idx = [int(u["_idx"]) for u in r.result.get("unexpected_index_list") or []]
            if not idx:
                raise RuntimeError(
                    f"GX meldt geen rijen voor de mislukte verwachting {r.expectation_config.type} ({module.name})"
                )
            rows = batch.iloc[idx]
            records = rows.to_dict("records")
            if check.rule == "uniek":
                _annotate_duplicates(module, records)
            for row in records:
                row = {k: (None if v is pd.NA or (isinstance(v, float) and np.isnan(v)) else v) for k, v in row.items()}
                out.append(
                    Problem(
                        file=row["_file"] or "",
                        rule=check.rule,
                        message=check.message(row, run),
                        severity=ERROR,
                        sheet=row["_sheet"],
                        row=None if row["_row"] is None else int(row["_row"]),
                        column=check.column,
                        value=None if (v := _text(check.value(row))) is None else redact(v)[:200],
                        region_code=row[REGION_COLUMN],
                        module=module.name,
                        wave=row[WAVE],
                    )
                )
        return out

    def _save(self, folder: Path, module_name: str, result) -> None:
        path = folder / f"{module_name}.json"  # in the run's .tmp- folder: complete only when it is renamed
        # GX keeps the unexpected values themselves (unexpected_list, partial_unexpected_list, counts, index
        # lists with file and sheet): every string in the result is redacted before it is written.
        saved = redact_deep(json.loads(json.dumps(result.to_json_dict(), default=str)))
        path.write_text(json.dumps(saved, ensure_ascii=False, indent=1), encoding="utf-8")


def _waves_label(waves) -> str:
    """The waves of a run in the log: the wave, or the first and last wave of a run over several."""
    known = sorted(w for w in waves if w is not None)
    if not known:
        return "onbekend"
    return str(known[0]) if known[0] == known[-1] else f"{known[0]}-{known[-1]}"


def _annotate_duplicates(module: Module, records: list[dict]) -> None:
    """For a duplicate key: how often it occurs and on which rows (for the message)."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in records:
        groups[(row[WAVE], row[REGION_COLUMN], *(row[k] for k in module.key))].append(row)
    for rows in groups.values():
        numbers = ", ".join(str(r["_row"]) for r in rows)
        for r in rows:
            r["_n"], r["_rows"] = len(rows), numbers


def sort_key(p: Problem):
    return (p.file or "", p.sheet or "", p.row is not None, p.row or 0, p.column or "", p.rule)
