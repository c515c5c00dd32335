"""Intermediate and marts layers: indicators, risk model, verdicts and the published marts.

One multi-asset builds them all because they are written in one DuckDB
transaction (all or nothing) by :func:`pipelines.engine.build.build_marts`;
the asset keys are the table names (``int_*``, and ``marts/<name>`` for the
marts in schema ``marts``), and the lineage between them is read from the SQL
files.
"""

import time

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import ProjectFolders
from pipelines.defs.staging.assets import INGEST_KEYS
from pipelines.defs.versions import ENGINE_CODE, code_version, data_version, table_metadata
from pipelines.engine import build as engine
from pipelines.publish.freshness import inputs_fingerprint, is_current, mark_built

_STAGING_KEYS = frozenset(dg.AssetKey(k) for k in INGEST_KEYS)
_REFERENCE_KEYS = frozenset(
    dg.AssetKey(name)
    for name in (
        "ref_regions",
        "ref_ring_model_norms",
        "ref_equipment_norms",
        "ref_substantiation_rules",
        "ref_plausibility_rules",
        "ref_judgements",
    )
)

_DESCRIPTIONS = {
    "int_catalogue_levels": "Rangorde van de ordinale catalogi (beschikbaarheid, toegang) uit het codeboek.",
    "int_indicator_definitions": "De 15 indicatoren: domein, normtype, polariteit, aanbeveling, onderbouwingsregel.",
    "int_risk_model": "Verwachte waarden uit het risicomodel (alle peiljaren samen, term per peiljaar).",
    "int_wave_statistics": "Per peiljaar en indicator: landelijke waarde, phi, tau², r², toelichting.",
    "int_variation_size": (
        "Per peiljaar en indicator: omvang van de spreiding (P90/P10, SCV, tau²), verwachte vals alarmen "
        "en methode tegen risico."
    ),
    "int_plausibility": (
        "Plausibiliteitswaarschuwingen: een geldige aanlevering die ver afwijkt van de eigen eerdere aanleveringen "
        "of zichzelf tegenspreekt."
    ),
    "int_region_peers": "Per peiljaar en regio de 5 meest gelijkende regio's op het gestandaardiseerde risicoprofiel.",
    "int_region_distances": "Per peiljaar en regio elke andere regio op volgorde van afstand op het risicoprofiel.",
    "int_lesson_subjects": "Per indicator de bijzonderheden waarover een les het onderwerp van een afwijking raakt.",
    "marts.indicator_values": "De gewone waarde van elke indicator per peiljaar, regio en indicator.",
    "marts.variation_register": "Oordeel per peiljaar, regio en indicator, met grenzen en een Nederlandse uitleg.",
    "marts.indicator_summary": "Landelijk beeld per peiljaar en indicator: spreiding, overdispersie, r².",
    "marts.region_scorecard": "Aantal oordelen per soort per peiljaar en regio.",
    "marts.equipment_matrix": "Beschikbaarheid per functie en middel tegen de norm (vastgesteld of modaal).",
    "marts.ring_model_matrix": "Toegang per zone en discipline tegen de norm (vastgesteld of modaal).",
    "marts.plan_exercise_matrix": "Bijzonderheden uit het plan: beoefend, onderbouwd, niet beoefend, niet in plan.",
    "marts.recommendation_tracker": "Status per aanbeveling 1-10 per peiljaar en regio.",
    "marts.submission_status": "Status per peiljaar, regio, module en bronbestand, met regionaam.",
    "marts.submission_problems": "Elke fout en waarschuwing in elk bronbestand: waar (blad, rij, kolom), welke regel, wat te doen.",
    "marts.region_peers": "Per peiljaar en regio de 5 meest gelijkende regio's op het risicoprofiel, met de afstand.",
    "marts.learning_matches": "Per ongunstige afwijking tot 3 regio's om van te leren, met waarom en hun lessen.",
    "marts.lesson_flows": "Wie leert van wie: overgenomen lessen per peiljaar als pijlen van regio naar regio.",
    "marts.lesson_roles": "Per peiljaar en regio: lessen gedeeld, overgenomen en door anderen overgenomen, en de rol.",
    "marts.deviation_followup": "Per ongunstige afwijking wat er het volgende peiljaar van werd, met lessen en toelichtingen.",
    "marts.recommendation_followup": "Verloop per aanbeveling en regio over de peiljaren, en landelijk het aantal op orde.",
}


def table_key(table: str) -> dg.AssetKey:
    """The asset key of a warehouse table: ``int_x`` -> ``int_x``, ``marts.x`` -> ``marts/x``."""
    return dg.AssetKey(table.split("."))


def _deps(table: str) -> list[dg.AssetKey]:
    keys = []
    for up in engine.DEPENDENCIES.get(table, ()):
        key = table_key(up)
        if up in engine.TABLES or key in _STAGING_KEYS or key in _REFERENCE_KEYS:
            keys.append(key)
    return keys


def _code_version(table: str) -> str:
    """The engine's code, and for a SQL model also its own SQL file (pipelines/sql/<layer>/<name>.sql)."""
    if table in engine.INT_SQL:
        return code_version(*ENGINE_CODE, f"sql/intermediate/{table}.sql")
    if table in engine.MART_SQL:
        return code_version(*ENGINE_CODE, f"sql/marts/{table.split('.', 1)[1]}.sql")
    return code_version(*ENGINE_CODE)


def _spec(table: str) -> dg.AssetSpec:
    if table.startswith("marts."):
        description = _DESCRIPTIONS.get(table, f"Mart {table}.")
        group = "marts"
    else:
        description = _DESCRIPTIONS.get(table) or f"Tussentabel {table} (pipelines/sql/intermediate/{table}.sql)."
        group = "intermediate"
    return dg.AssetSpec(
        table_key(table),
        group_name=group,
        deps=_deps(table),
        description=description,
        code_version=_code_version(table),
        kinds={"duckdb", "sql"} if table in engine.INT_SQL or table in engine.MART_SQL else {"duckdb", "python"},
    )


# A tuple, not a list: the defs loader would take a module-level list of specs for extra assets.
ENGINE_SPECS = tuple(_spec(t) for t in engine.TABLES)


@dg.multi_asset(specs=ENGINE_SPECS, can_subset=False, name="variation_engine", group_name=None)
def variation_engine(context: dg.AssetExecutionContext, folders: ProjectFolders, warehouse: DuckDBResource):
    """Indicators, risk model, funnel limits, verdicts and marts, in one transaction.

    Found current (same inputs and code as the last build), nothing is built: the tables are reported
    with ``rebuilt: False`` and the data version of that build (the steps downstream run only on a
    yielded output, and may still have work to do, e.g. for another ``--marts`` folder).
    """
    started = time.perf_counter()
    with warehouse.get_connection() as con:
        fingerprint = inputs_fingerprint(con, folders.reference)
        built = {
            t
            for (t,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        if is_current(con, "marts", fingerprint) and set(engine.MART_TABLES) <= built:
            summary = "ongewijzigd: geen nieuwe aanleveringen, referentie of code sinds de vorige bouw"
            for table in engine.TABLES:
                yield dg.MaterializeResult(
                    asset_key=table_key(table),
                    data_version=data_version(fingerprint),
                    metadata={"summary": summary, "rebuilt": False, **table_metadata(con, table)},
                )
            return
        counts = engine.build_marts(con)
        mark_built(con, "marts", fingerprint)
        verdicts = dict(
            con.execute(
                "select verdict, count(*) from marts.variation_register group by verdict order by verdict"
            ).fetchall()
        )
        waves = [w for (w,) in con.execute("select wave from int_waves order by wave").fetchall()]
        tables = {table: table_metadata(con, table) for table in engine.TABLES}
    seconds = round(time.perf_counter() - started, 2)
    summary = f"{counts['marts.variation_register']} oordelen over {len(waves)} peiljaar/peiljaren: " + ", ".join(
        f"{v} {k}" for k, v in verdicts.items()
    )
    context.log.info(summary)
    for table in engine.TABLES:
        metadata = {"rows": counts[table], "rebuilt": True, **tables[table]}
        if table == "marts.variation_register":
            metadata.update(
                summary=summary,
                seconds=seconds,
                waves=waves,
                **{f"verdict_{k}": int(v) for k, v in verdicts.items()},
                **{f"seconds_{k}": round(v, 2) for k, v in engine.LAST_TIMINGS.items()},
            )
        yield dg.MaterializeResult(
            asset_key=table_key(table), metadata=metadata, data_version=data_version(fingerprint)
        )
