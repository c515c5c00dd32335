"""The learning marts of the synthetic warehouse (docs/learning.md), derived from its register, lessons and
recommendation tracker with the contract's columns. Deterministic, and simpler than the engine: the regions to
learn from are the conform or favourable regions nearest in code order, a lesson's subject is any
characteristic. The fixture's lessons taken over (``taken_from_region``) are the network's edges; the
next wave's verdict decides the follow-up, as in the engine.
"""

from __future__ import annotations

import pandas as pd

from pipelines.contract import learning as L
from pipelines.contract.marts import MARTS
from pipelines.contract.verdicts import MISSING

NAMES = ("learning_matches", "lesson_flows", "lesson_roles", "deviation_followup", "recommendation_followup")
CONTRACT = {m: list(MARTS[m].column_names) for m in NAMES}
UNFAVOURABLE = ("afwijking_onderbouwd", "afwijking_niet_onderbouwd")
GOOD = ("conform", "gunstige_afwijking")


def _w(code: str | None) -> str:
    """A catalogue code as int_lessons.sql writes it in a lesson line: underscores as spaces."""
    return (code or "onbekend").replace("_", " ")


def _frame(name: str, rows: list[dict]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=CONTRACT[name])
    return df


def learning_marts(frames: dict[str, pd.DataFrame], names: dict[str, str]) -> dict[str, pd.DataFrame]:
    reg = frames["marts.variation_register"]
    lessons = frames["stg_lessons"]
    recs = frames["marts.recommendation_tracker"]
    waves = sorted(int(w) for w in reg["wave"].unique())
    codes = sorted(names)
    verdict = {(int(r.wave), r.region_code, r.indicator_id): r.verdict for r in reg.itertuples(index=False)}
    matches, follow = [], []
    for r in reg[reg["verdict"].isin(UNFAVOURABLE)].itertuples(index=False):
        w, code, ind = int(r.wave), r.region_code, r.indicator_id
        i = codes.index(code)
        good = [c for c in codes if c != code and verdict.get((w, c, ind)) in GOOD]
        good.sort(key=lambda c: (abs(codes.index(c) - i), c))
        window = [x for x in waves if x <= w][-3:]
        for rank, c in enumerate(good[: L.MAX_MATCHES], start=1):
            gw = [x for x in window if verdict.get((x, c, ind)) in GOOD]
            mine = lessons[(lessons["region_code"] == c) & lessons["wave"].isin(window)]
            lines = [
                f"{x.wave}, {_w(x.characteristic)}: {x.description} (gedeeld: {_w(x.shared_via)}; opvolging: {_w(x.follow_up)})"
                for x in mine.sort_values("wave", ascending=False).itertuples(index=False)
            ]
            matches.append(
                {
                    "wave": w,
                    "region_code": code,
                    "region_name": names[code],
                    "indicator_id": ind,
                    "verdict": r.verdict,
                    "severity": r.severity if "severity" in reg.columns else None,
                    "persistent": bool(getattr(r, "persistent", False)),
                    "match_rank": rank,
                    "match_code": c,
                    "match_name": names[c],
                    "match_verdict": verdict[(w, c, ind)],
                    "peer_rank": rank if rank <= 2 else None,
                    "distance": 0.25 * abs(codes.index(c) - i),
                    "distance_rank": rank,
                    "n_good_waves": len(gw),
                    "n_waves_with_data": len(window),
                    "good_waves": ", ".join(map(str, gw)),
                    "n_candidates": len(good),
                    "why": f"nr. {rank} naar afstand op het risicoprofiel; in {w} {verdict[(w, c, ind)]}, "
                    f"conform of gunstig in {len(gw)} van de {len(window)} peiljaren",
                    "subject": "alle bijzonderheden",
                    "n_lessons": len(mine),
                    "n_lessons_shared": int((mine["shared_via"] == "virtueel_kantoor").sum()),
                    "n_lessons_followed_up": int((mine["follow_up"] == "uitgevoerd").sum()),
                    "lesson_refs": ", ".join(f"{x.wave}/{x.lesson_id}" for x in mine.itertuples(index=False)) or None,
                    "lessons": " | ".join(lines) or None,
                }
            )
        later = [x for x in waves if x > w]
        nxt = later[0] if later else None
        nv = verdict.get((nxt, code, ind)) if nxt else None
        status = (
            L.NO_DATA
            if nv is None or nv == MISSING
            else L.RESOLVED
            if nv in GOOD
            else L.WORSENED
            if r.verdict == "afwijking_onderbouwd" and nv == "afwijking_niet_onderbouwd"
            else L.SUBSTANTIATED_NEXT
            if nv == "afwijking_onderbouwd"
            else L.PERSISTS
        )
        theirs = lessons[(lessons["region_code"] == code) & (lessons["wave"] == nxt)] if nxt else lessons.head(0)
        taken = theirs[theirs["source"] == "andere_regio"]
        follow.append(
            {
                "wave": w,
                "region_code": code,
                "region_name": names[code],
                "indicator_id": ind,
                "recommendation": 1,
                "verdict": r.verdict,
                "severity": getattr(r, "severity", None),
                "persistent": bool(getattr(r, "persistent", False)),
                "next_wave": nxt,
                "next_verdict": nv,
                "next_severity": None,
                "followup_status": status,
                "next_reason_status": None,
                "n_lessons_on_subject": len(theirs) if nxt else None,
                "n_taken_over": len(taken) if nxt else None,
                "n_from_matches": 0 if nxt else None,
                "n_followed_up": int((theirs["follow_up"] == "uitgevoerd").sum()) if nxt else None,
                "n_lessons_next_wave": len(theirs) if nxt else None,
                "taken_from": ", ".join(sorted(set(taken["taken_from_region"].dropna()))) or None,
                "lesson_ids": ", ".join(theirs["lesson_id"]) or None,
                "lessons": " | ".join(f"{nxt}, {_w(x.characteristic)}: {x.description}" for x in theirs.itertuples())
                or None,
                "n_reasons": 0,
                "reasons": None,
            }
        )

    edges = lessons[lessons["taken_from_region"].notna() & (lessons["source"] == "andere_regio")]
    edges = edges[edges["taken_from_region"] != edges["region_code"]]
    flows = []
    for (w, src, dst), g in edges.groupby(["wave", "taken_from_region", "region_code"], sort=True):
        flows.append(
            {
                "wave": int(w),
                "from_region": src,
                "from_name": names.get(src, src),
                "to_region": dst,
                "to_name": names[dst],
                "n_lessons": len(g),
                "n_followed_up": int((g["follow_up"] == "uitgevoerd").sum()),
                "n_shared_by_source": 0,
                "lesson_characteristics": ", ".join(sorted(set(g["characteristic"]))),
                "lesson_ids": ", ".join(g["lesson_id"]),
                "lessons": " | ".join(f"{w}, {_w(x.characteristic)}: {x.description}" for x in g.itertuples()),
            }
        )
    roles, previous = [], {}
    for w in waves:
        for code in codes:
            mine = lessons[(lessons["wave"] == w) & (lessons["region_code"] == code)]
            by_others = edges[(edges["wave"] == w) & (edges["taken_from_region"] == code)]
            took = mine[mine["source"] == "andere_regio"]
            shared = int((mine["shared_via"] == "virtueel_kantoor").sum())
            if not len(mine):
                role = MISSING
            else:
                s, t = shared > 0 or len(by_others) > 0, len(took) > 0
                role = L.BOTH if s and t else L.SHARES if s else L.TAKES_OVER if t else L.NEITHER
            roles.append(
                {
                    "wave": w,
                    "region_code": code,
                    "region_name": names[code],
                    "role": role,
                    "n_lessons": len(mine) if len(mine) else None,
                    "n_shared_virtual_office": shared if len(mine) else None,
                    "n_taken_over": len(took) if len(mine) else None,
                    "n_taken_by_others": len(by_others),
                    "n_followed_up": int((mine["follow_up"] == "uitgevoerd").sum()) if len(mine) else None,
                    "taken_from": ", ".join(sorted(set(took["taken_from_region"].dropna()))) or None,
                    "taken_by": ", ".join(sorted(set(by_others["region_code"]))) or None,
                    "previous_role": previous.get(code),
                }
            )
            previous[code] = role
    rec_rows, course = [], {}
    nat = recs.groupby(["wave", "recommendation", "status"]).size()
    prev_status: dict = {}
    for r in recs.sort_values(["wave", "region_code", "recommendation"]).itertuples(index=False):
        key = (r.region_code, r.recommendation)
        before = prev_status.get(key)
        course.setdefault(key, []).append(f"{r.wave}: {r.status}")
        change = (
            None
            if r.recommendation >= 9
            else L.NO_DATA
            if before is None or MISSING in (before, r.status)
            else L.IMPROVED
            if (before, r.status) == ("aandacht", "op_orde")
            else L.WORSENED
            if (before, r.status) == ("op_orde", "aandacht")
            else L.UNCHANGED
        )
        rec_rows.append(
            {
                "wave": int(r.wave),
                "region_code": r.region_code,
                "region_name": names[r.region_code],
                "recommendation": int(r.recommendation),
                "status": r.status,
                "previous_wave": int(r.wave) - 1 if before is not None else None,
                "previous_status": before,
                "status_change": change,
                "n_waves_op_orde": sum(x.endswith("op_orde") for x in course[key]),
                "n_waves_aandacht": sum(x.endswith("aandacht") for x in course[key]),
                "course": "; ".join(course[key]),
                "n_regions_op_orde": int(nat.get((r.wave, r.recommendation, "op_orde"), 0)),
                "n_regions_aandacht": int(nat.get((r.wave, r.recommendation, "aandacht"), 0)),
                "n_regions_missing": int(nat.get((r.wave, r.recommendation, MISSING), 0)),
            }
        )
        prev_status[key] = r.status
    return {
        "marts.learning_matches": _frame("learning_matches", matches),
        "marts.lesson_flows": _frame("lesson_flows", flows),
        "marts.lesson_roles": _frame("lesson_roles", roles),
        "marts.deviation_followup": _frame("deviation_followup", follow),
        "marts.recommendation_followup": _frame("recommendation_followup", rec_rows),
    }
