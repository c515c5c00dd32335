"""Checks on the published marts: each a query that returns the violating rows.

:data:`MART_CHECKS` lists them in a fixed order (grain, contract columns,
codes, limits, counts that add up, ...); the Dagster asset checks
(:mod:`pipelines.defs.marts.checks`) and the tests are made from it, and
:func:`check_marts` runs them all. This module only reads the marts: it does
not build them (:mod:`pipelines.engine.build` does) and it imports no Dagster.
"""

from __future__ import annotations

import duckdb

from pipelines.contract import learning, verdicts
from pipelines.contract.statuses import SUBMISSION_STATUSES
from pipelines.core import problems
from pipelines.core.sqlcheck import CheckOutcome, SqlCheck, run_check
from pipelines.engine import explain
from pipelines.engine.build import (
    INDICATOR_IDS,
    MART_COLUMNS,
    MART_KEYS,
    N_RECOMMENDATIONS,
    NORM_SOURCES,
    PLAN_STATUSES,
    TRACKER_STATUSES,
)


def MartCheck(mart: str, name: str, description: str, failing_sql: str, label_sql: str, params: tuple = ()) -> SqlCheck:
    """A check on ``marts.<mart>``: it passes when ``failing_sql`` returns no rows."""
    return SqlCheck(f"marts.{mart}", name, description, failing_sql, params=params, label_sql=label_sql)


def _key_label(key: tuple[str, ...]) -> str:
    return "concat_ws(' / ', " + ", ".join(f"cast({c} as varchar)" for c in key) + ")"


def _mart_checks() -> tuple[SqlCheck, ...]:
    out = []
    for mart, key in MART_KEYS.items():
        k = ", ".join(key)
        if key:
            out.append(
                MartCheck(
                    mart,
                    "unique_grain",
                    f"one row per {' x '.join(key)}",
                    f"select {k}, count(*) as n from marts.{mart} group by all having count(*) > 1",
                    _key_label(key) + " || ' (' || n || 'x)'",
                )
            )
        out.append(
            MartCheck(
                mart,
                "contract_columns",
                "the contract's columns come first, in the contract's order",
                """select expected.name from unnest(?) with ordinality as expected(name, pos)
               left join (select column_name, ordinal_position from information_schema.columns
                          where table_schema = 'marts' and table_name = ?) as actual
                   on actual.ordinal_position = expected.pos
               where actual.column_name is distinct from expected.name""",
                "name",
                (list(MART_COLUMNS[mart]), mart),
            )
        )
    out.append(
        MartCheck(
            "variation_register",
            "complete_grid",
            "every region of ref_regions x every wave x every indicator has a row",
            """select w.wave, r.region_code, i.indicator_id
           from int_waves as w cross join ref_regions as r cross join unnest(?) as i(indicator_id)
           anti join marts.variation_register as v
               on v.wave = w.wave and v.region_code = r.region_code and v.indicator_id = i.indicator_id""",
            "wave || ' ' || region_code || ' ' || indicator_id",
            (list(INDICATOR_IDS),),
        )
    )
    out.append(
        MartCheck(
            "variation_register",
            "codes",
            "verdict, direction, signal, indicator and norm source come from their sets",
            """select * from marts.variation_register
           where verdict is null or not list_contains(?, verdict)
              or (direction is not null and not list_contains(?, direction))
              or (signal_95 is not null and not list_contains(?, signal_95))
              or not list_contains(?, indicator_id)
              or (norm_source is not null and not list_contains(?, norm_source))""",
            "wave || ' ' || region_code || ' ' || indicator_id || ': ' || coalesce(verdict, 'null')",
            (
                list(explain.VERDICTS),
                list(explain.DIRECTIONS),
                list(explain.DIRECTIONS),
                list(INDICATOR_IDS),
                list(NORM_SOURCES),
            ),
        )
    )
    out.append(
        MartCheck(
            "variation_register",
            "limits_ordered",
            "lower_998 <= lower_95 <= target <= upper_95 <= upper_998 wherever limits exist",
            """select * from marts.variation_register
           where coalesce(lower_998, lower_95, upper_95, upper_998) is not null and not coalesce(
               lower_998 <= lower_95 + 1e-9 and lower_95 <= target + 1e-9
               and target <= upper_95 + 1e-9 and upper_95 <= upper_998 + 1e-9, false)""",
            "wave || ' ' || region_code || ' ' || indicator_id",
        )
    )
    out.append(
        MartCheck(
            "variation_register",
            "deviations_explained",
            "every row (so every afwijking_* row) has an explanation; a substantiated deviation names its substantiation",
            """select * from marts.variation_register
           where coalesce(trim(explanation), '') = ''
              or (verdict = 'afwijking_onderbouwd' and coalesce(trim(substantiation), '') = '')""",
            "wave || ' ' || region_code || ' ' || indicator_id || ': ' || verdict",
        )
    )
    out.append(
        MartCheck(
            "variation_register",
            "verdict_follows_value",
            "onvoldoende_gegevens exactly where there is no value",
            "select * from marts.variation_register where (value is null) <> (verdict = 'onvoldoende_gegevens')",
            "wave || ' ' || region_code || ' ' || indicator_id || ': ' || verdict",
        )
    )
    out.append(
        MartCheck(
            "indicator_summary",
            "counts_consistent",
            "n_unjustified <= n_unfavourable <= n_regions",
            """select * from marts.indicator_summary
           where not (n_unjustified <= n_unfavourable and n_unfavourable <= n_regions)""",
            "wave || ' ' || indicator_id",
        )
    )
    out.append(
        MartCheck(
            "region_scorecard",
            "counts_add_up",
            "n_conform + n_favourable + n_unjustified + n_substantiated + n_missing = n_indicators",
            """select * from marts.region_scorecard
           where n_conform + n_favourable + n_unjustified + n_substantiated + n_missing <> n_indicators""",
            "wave || ' ' || region_code",
        )
    )
    out.append(
        MartCheck(
            "recommendation_tracker",
            "codes",
            f"status from its set; recommendations 1..{N_RECOMMENDATIONS} per wave x region",
            f"""select wave, region_code, recommendation, status from marts.recommendation_tracker
            where not list_contains(?, status) or recommendation not between 1 and {N_RECOMMENDATIONS}
            union all
            select wave, region_code, null, 'aantal ' || count(*) from marts.recommendation_tracker
            group by wave, region_code having count(*) <> {N_RECOMMENDATIONS}""",
            "wave || ' ' || region_code || ' ' || coalesce(cast(recommendation as varchar), '') || ': ' || status",
            (list(TRACKER_STATUSES),),
        )
    )
    out += _learning_checks()
    for mart in ("equipment_matrix", "ring_model_matrix"):
        out.append(
            MartCheck(
                mart,
                "codes",
                "norm_source is vastgesteld or modaal",
                f"select * from marts.{mart} where norm_source is null or not list_contains(?, norm_source)",
                "wave || ' ' || region_code",
                (["vastgesteld", "modaal"],),
            )
        )
    out.append(
        MartCheck(
            "plan_exercise_matrix",
            "codes",
            "status from its set (null only where oefeningen is not in use)",
            """select * from marts.plan_exercise_matrix
           where (status is not null and not list_contains(?, status))
              or (status is null and (exercised_3w is not null or not in_plan))""",
            "wave || ' ' || region_code || ' ' || characteristic",
            (list(PLAN_STATUSES),),
        )
    )
    out.append(
        MartCheck(
            "submission_status",
            "codes",
            "status from its set",
            "select * from marts.submission_status where not list_contains(?, status)",
            "wave || ' ' || region_code || ' ' || module || ': ' || status",
            (list(SUBMISSION_STATUSES),),
        )
    )
    out.append(
        MartCheck(
            "submission_problems",
            "codes",
            "severity is fout or waarschuwing; every problem has a rule and a message",
            """select * from marts.submission_problems
           where severity is null or not list_contains(?, severity)
              or coalesce(trim(rule), '') = '' or coalesce(trim(message), '') = ''""",
            "coalesce(source_file, '') || ': ' || coalesce(rule, '') || ' ' || coalesce(severity, '')",
            ([problems.ERROR, problems.WARNING],),
        )
    )
    return tuple(out)


def _learning_checks() -> list[SqlCheck]:
    """The learning marts (docs/learning.md): codes from their sets, and a match is another region doing well."""
    return [
        MartCheck(
            "learning_matches",
            "codes",
            "a deviation's matches are other regions, conform or favourable, ranked 1..max",
            """select * from marts.learning_matches
           where not list_contains(?, verdict) or not list_contains(?, match_verdict)
              or match_code = region_code or match_rank not between 1 and ?""",
            "wave || ' ' || region_code || ' ' || indicator_id || ' ' || match_rank || ': ' || match_code",
            (list(verdicts.UNFAVOURABLE), [verdicts.CONFORM, verdicts.FAVOURABLE], learning.MAX_MATCHES),
        ),
        MartCheck(
            "lesson_roles",
            "codes",
            "role from its set",
            "select * from marts.lesson_roles where role is null or not list_contains(?, role)",
            "wave || ' ' || region_code || ': ' || coalesce(role, 'null')",
            (list(learning.ROLES),),
        ),
        MartCheck(
            "deviation_followup",
            "codes",
            "every row an unfavourable deviation with a follow-up status from its set",
            """select * from marts.deviation_followup
           where not list_contains(?, verdict) or followup_status is null or not list_contains(?, followup_status)""",
            "wave || ' ' || region_code || ' ' || indicator_id || ': ' || coalesce(followup_status, 'null')",
            (list(verdicts.UNFAVOURABLE), list(learning.FOLLOWUP_STATUSES)),
        ),
        MartCheck(
            "recommendation_followup",
            "codes",
            "status_change from its set (null only outside the survey)",
            """select * from marts.recommendation_followup
           where (status_change is null) <> (status = ?)
              or (status_change is not null and not list_contains(?, status_change))""",
            "wave || ' ' || region_code || ' ' || recommendation || ': ' || coalesce(status_change, 'null')",
            (verdicts.OUT_OF_SCOPE, list(learning.CHANGES)),
        ),
    ]


#: Every check on the marts, in a fixed order (the Dagster asset checks are made from these).
MART_CHECKS: tuple[SqlCheck, ...] = _mart_checks()


def check_marts(con: duckdb.DuckDBPyConnection) -> list[CheckOutcome]:
    """Run every check in :data:`MART_CHECKS`."""
    return [run_check(con, c) for c in MART_CHECKS]
