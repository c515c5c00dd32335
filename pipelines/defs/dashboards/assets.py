"""Dashboards: the offline website under ``dashboards/``, built from the marts.

The site is written into a fresh folder (:func:`pipelines.publish.outputs.prepare`)
and swapped in, together with the marts, by the asset ``publication`` only when
both are complete, so a reader who double-clicks ``dashboards/index.html``
during a run sees the previous site, never half a new one, and the site always
belongs to the published marts. The builder itself is :mod:`pipelines.site` (no Dagster in it).
"""

import time

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.defs.resources import ProjectFolders
from pipelines.defs.versions import SITE_CODE, code_version, data_version
from pipelines.publish.freshness import inputs_fingerprint, is_current, site_target
from pipelines.publish.outputs import prepare, run_publication_id
from pipelines.site import build_site
from pipelines.site.data import MARTS

#: The marts the site reads (asset keys marts/<name>), and the loader's and reference tables it shows.
MART_KEYS = [dg.AssetKey(["marts", name]) for name in MARTS]
OTHER_KEYS = [dg.AssetKey(name) for name in ("stg_submission_status", "stg_problems", "stg_risk_assessments",
                                             "stg_lessons", "ref_regions")]


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f}".replace(".", ",") + " MB"


@dg.asset(
    group_name="dashboards",
    deps=MART_KEYS + OTHER_KEYS,
    kinds={"html", "plotly"},
    code_version=code_version(*SITE_CODE),
    description="De offline website onder dashboards/: overzicht, indicatoren, een profiel per regio, "
                "middelen, ringenmodel, plan en oefenen, onderbouwingen, risico, trends, aanbevelingen en datakwaliteit. "
                "Werkt zonder internet (file://).",
)
def dashboards_site(context: dg.AssetExecutionContext, folders: ProjectFolders,
                    warehouse: DuckDBResource) -> dg.MaterializeResult:
    from pipelines.defs.marts.publish import recover_outputs

    started = time.perf_counter()
    recover_outputs(context, folders)
    pub = run_publication_id(context.run.run_id)
    with warehouse.get_connection() as con:
        # Unchanged inputs: the site is current (its run history then ends at the last build).
        # the pages link to the published marts: moving either folder makes the site stale. (They also link
        # GX's results, but a status's run stays where it was written: another --validation alone changes nothing.)
        target = site_target(folders.dashboards, folders.marts)
        fingerprint = inputs_fingerprint(con, folders.reference, target=target)
        if is_current(con, "dashboards", fingerprint) and (folders.dashboards / "index.html").is_file():
            # Reported (publication runs only on a yielded output), with the data version of the site there.
            return dg.MaterializeResult(metadata={"rebuilt": False,
                                                  "summary": f"ongewijzigd: {folders.dashboards} is actueel"},
                                        data_version=data_version(fingerprint))
        with prepare(folders.dashboards.resolve(), pub, "dashboards", fingerprint=fingerprint) as tmp:
            written = build_site(con, tmp, folders.reference, folders.marts, folders.dashboards,
                                 folders.validation)
        waves = [w for (w,) in con.execute(
            "select distinct wave from marts.region_scorecard order by wave").fetchall()]
        n_regions = con.execute("select count(distinct region_code) from marts.region_scorecard").fetchone()[0]
    pages = sorted(p for p in written if p.endswith(".html"))
    total = sum(written.values())
    without_plotly = total - written.get("assets/plotly.min.js", 0)
    span = f"{waves[0]}–{waves[-1]}" if len(waves) > 1 else (str(waves[0]) if waves else "geen")
    summary = (f"{len(pages)} pagina's voor {n_regions} regio's, peiljaren {span}; "
               f"{_mb(total)} (zonder plotly.min.js {_mb(without_plotly)})")
    context.log.info(summary)
    index = folders.dashboards / "index.html"  # once published
    return dg.MaterializeResult(data_version=data_version(fingerprint), metadata={
        "rebuilt": True,
        "pages": len(pages),
        "total_bytes": total,
        "bytes_without_plotly": without_plotly,
        "largest_page": max(pages, key=lambda p: written[p]) if pages else "",
        "waves": waves,
        "seconds": round(time.perf_counter() - started, 2),
        "index": dg.MetadataValue.path(str(index)),
        "summary": summary,
    })
