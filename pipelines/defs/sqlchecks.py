"""The Dagster side of :class:`pipelines.core.sqlcheck.SqlCheck`, shared by the staging and mart checks.

Every check is blocking (nothing downstream runs on data that breaks it) and
reports the same way: the number of violations and up to :data:`EXAMPLES` of
them as a Markdown table.
"""

import dagster as dg

from pipelines.core.sqlcheck import CheckOutcome, SqlCheck

EXAMPLES = 10


def check_spec(check: SqlCheck) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        check.name,
        asset=dg.AssetKey(list(check.asset_path)),
        description=check.description,
        blocking=True,
        additional_deps=[dg.AssetKey(d.split(".")) for d in check.deps],
    )


def check_key(check: SqlCheck) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(dg.AssetKey(list(check.asset_path)), check.name)


def _markdown(frame) -> str:
    head = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    rows = ["| " + " | ".join(str(v) for v in r) + " |" for r in frame.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def check_result(outcome: CheckOutcome) -> dg.AssetCheckResult:
    n = outcome.n_failing
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(outcome.asset_path)),
        check_name=outcome.name,
        passed=outcome.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={"violations": n, "examples": dg.MetadataValue.md(_markdown(outcome.example_rows) if n else "geen")},
        description=f"{n} overtreding(en)" if n else "in orde",
    )
