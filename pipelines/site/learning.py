"""Learning from each other on the site (issue 21, docs/learning.md): the page "Leren van elkaar", the region
page's sections "Wat werd er van de afwijkingen van vorig peiljaar?" and "Leren van", and the verdict matrix's
way to them.

The five learning marts are optional for the site (:data:`pipelines.site.data.LEARNING_MARTS`): a warehouse
built before them gets the page with a note, and no sections. :func:`add_learning` is called once by
:func:`pipelines.site.pages.all_pages`, after the other pages exist: it adds the page and puts the region's
rows into each region page's payload (read by ``assets/pages/regio_leren.js``) and, up to
:data:`~pipelines.site.pages.OVERVIEW_LIMIT` regions, the names of the matches into the matrix's payload.
"""

from __future__ import annotations

import pandas as pd

from pipelines.contract import learning as L
from pipelines.site.data import SiteData, pack, pack_groups
from pipelines.site.labels import loaded_when_chosen
from pipelines.site.payloads import count_by, rows_or_wave_parts

#: learning_matches columns a region page shows beside a deviation.
MATCH_COLS = [
    "wave",
    "indicator_id",
    "verdict",
    "match_rank",
    "match_code",
    "match_verdict",
    "peer_rank",
    "n_good_waves",
    "n_waves_with_data",
    "n_candidates",
    "why",
    "n_lessons",
    "n_lessons_shared",
    "n_lessons_followed_up",
    "lessons",
]
#: deviation_followup columns the region page and the page "Leren van elkaar" show.
FOLLOWUP_COLS = [
    "wave",
    "region_code",
    "indicator_id",
    "recommendation",
    "verdict",
    "next_wave",
    "next_verdict",
    "followup_status",
    "n_lessons_on_subject",
    "n_taken_over",
    "n_from_matches",
    "n_followed_up",
    "n_lessons_next_wave",
    "taken_from",
    "lessons",
    "reasons",
]
FLOW_COLS = ["wave", "from_region", "to_region", "n_lessons", "n_followed_up", "n_shared_by_source", "lessons"]
ROLE_COLS = [
    "wave",
    "region_code",
    "role",
    "previous_role",
    "n_lessons",
    "n_shared_virtual_office",
    "n_taken_over",
    "n_taken_by_others",
    "n_followed_up",
    "taken_from",
    "taken_by",
]
RECOMMENDATION_COLS = [
    "wave",
    "region_code",
    "recommendation",
    "status",
    "previous_status",
    "status_change",
    "course",
    "n_regions_op_orde",
    "n_regions_aandacht",
    "n_regions_missing",
]
PAGE = ("leren.html", "Leren van elkaar", "Leren van elkaar: wie leert van wie, en wat werd er van de afwijkingen?")


#: Colour per role and follow-up status (Okabe-Ito, safe for colour blindness); the word is always beside it.
ROLE_COLORS = {L.SHARES: "#0072B2", L.TAKES_OVER: "#E69F00", L.BOTH: "#009E73", L.NEITHER: "#bbbbbb"}
FOLLOWUP_COLORS = {
    L.RESOLVED: "#009E73",
    L.SUBSTANTIATED_NEXT: "#56B4E9",
    L.PERSISTS: "#E69F00",
    L.WORSENED: "#D55E00",
    L.NO_DATA: "#bbbbbb",
}


def labels() -> dict:
    """The Dutch words of the learning marts' codes (the contract's), their colours and which follow-up statuses
    a table marks (the deviation is still there without a reason that counts), for the scripts."""
    return {
        "role_color": ROLE_COLORS,
        "followup_color": FOLLOWUP_COLORS,
        "followup_concern": [L.PERSISTS, L.WORSENED],
        "followup": dict(L.FOLLOWUP_LABELS),
        "followup_order": list(L.FOLLOWUP_STATUSES),
        "role": dict(L.ROLE_LABELS),
        "role_order": list(L.ROLES),
        "change": dict(L.CHANGE_LABELS),
        "max_matches": L.MAX_MATCHES,
    }


def _frame(d: SiteData, mart: str, cols: list[str]) -> pd.DataFrame | None:
    df = d.marts.get(mart)
    if df is None:
        return None
    return df[[c for c in cols if c in df.columns]]


#: the folder under assets/data/ of the page's data parts per wave (beyond OVERVIEW_LIMIT regions)
PARTS_FOLDER = "leren"


def scale_note(n_regions: int) -> str:
    """What the page says beyond OVERVIEW_LIMIT regions."""
    return (
        loaded_when_chosen(n_regions, "de stromen, rollen en opvolging van een peiljaar")
        + ". De tellingen over alle peiljaren staan wel meteen klaar. Het netwerk toont bij "
        "veel verbindingen alleen de regio's die een les overnamen of van wie een les werd overgenomen; de "
        "tabellen eronder tonen alles."
    )


def add_learning(add, pages: list, d: SiteData, large: bool, parts: dict) -> None:
    """The page "Leren van elkaar", and the learning rows of each region page and the matrix (see module doc).

    ``large``: beyond OVERVIEW_LIMIT regions the flows, roles and follow-up of a wave are one data part in
    ``parts`` (under :data:`PARTS_FOLDER`), loaded when the wave is chosen; the counts per wave that the charts
    over all waves draw are always in the page."""
    flows = _frame(d, "lesson_flows", FLOW_COLS)
    roles = _frame(d, "lesson_roles", ROLE_COLS)
    follow = _frame(d, "deviation_followup", FOLLOWUP_COLS)
    recs = _frame(d, "recommendation_followup", RECOMMENDATION_COLS)
    matches = _frame(d, "learning_matches", [*MATCH_COLS, "region_code", "match_name"])
    payload: dict = {"learning_labels": labels(), "available": flows is not None}
    if flows is not None and roles is not None and follow is not None and recs is not None:
        national = recs.drop_duplicates(["wave", "recommendation"])[
            ["wave", "recommendation", "n_regions_op_orde", "n_regions_aandacht", "n_regions_missing"]
        ].sort_values(["wave", "recommendation"])
        tables = {
            "flows": (flows.sort_values(["wave", "from_region", "to_region"]), None),
            "roles": (roles.sort_values(["wave", "region_code"]), None),
            "followup": (follow.sort_values(["wave", "region_code", "indicator_id"]), None),
        }
        payload.update(rows_or_wave_parts(tables, PARTS_FOLDER, parts, per_wave=large))
        payload.update(
            national=pack(national),
            recommendations=pack(recs.sort_values(["wave", "region_code", "recommendation"])) if not large else None,
            # what the charts over all waves draw: regions per role, deviations per follow-up status
            role_counts=count_by(roles, ["wave", "role"]),
            followup_counts=count_by(follow, ["wave", "followup_status"]),
        )
    add(PAGE[0], "leren", payload, note=scale_note(len(d.regions)) if large and flows is not None else None)

    if matches is None or follow is None:
        return
    m_by, m_empty = pack_groups(matches, "region_code", MATCH_COLS, ["wave", "indicator_id", "match_rank"])
    f_by, f_empty = pack_groups(follow, "region_code", [c for c in FOLLOWUP_COLS if c != "region_code"])
    for page in pages:
        if page.script == "regio":
            code = page.payload["region"]
            page.payload["learning"] = {
                "matches": m_by.get(code, m_empty),
                "followup": f_by.get(code, f_empty),
                "labels": labels(),
            }
        elif page.script == "matrix" and not large:
            names = (
                matches.sort_values(["wave", "region_code", "indicator_id", "match_rank"])
                .groupby(["wave", "region_code", "indicator_id"], sort=True)["match_code"]
                .agg(lambda s: "|".join(map(str, s)))
                .reset_index(name="matches")
            )
            page.payload["learning"] = pack(names)
