"""A synthetic warehouse for the site builder: marts with exactly the contract's columns.

The marts (``pipelines/engine/build.py``) were being written while the site was; this
fixture lets the site be built and tested without them. It writes, into a DuckDB
file, every table :func:`pipelines.site.build_site` reads:

- ``marts.*``: the eleven marts the site reads (the reasons: :mod:`tests.site.synthetic_reasons`), of ``docs/marts-contract.md``, with plausible values and
  verdicts that agree with each other (scorecard = counts of the register, and so on);
- ``stg_submission_status``, ``stg_problems`` (as in :mod:`pipelines.ingest.warehouse`);
- ``stg_risk_assessments``, ``stg_lessons``, ``ref_regions`` and ``run_history``.

It plants what the tests look for: one region without a return in the oldest wave
but one, a rejected module with its problems and earlier data in use, and an XSS
payload in an explanation, a substantiation (register, equipment, ring model) and a
lesson's text. ``test_site_fixture.py`` checks the fixture itself.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from pipelines.contract.catalogues import CATALOGUES, ROLE_DISCIPLINE
from pipelines.contract.codebook import MODULES
from tests.site.synthetic_learning import learning_marts
from tests.site.synthetic_peers import peers_mart
from tests.site.synthetic_reasons import CONTRACT as REASON_CONTRACT
from tests.site.synthetic_reasons import reason_marts
from tests.site.synthetic_stats import (
    REGISTER_EXTRA,
    SCORECARD_EXTRA,
    SUMMARY_EXTRA,
    plant_ranking,
    register_extra,
    scorecard_extra,
    summary_extra,
)

#: Sets ``window.__xss`` if it ever runs; the browser tests assert it never does.
XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=1"> & "quotes"'
XSS_REGION = "VR03"

#: The contract columns (docs/marts-contract.md) of the marts the site reads: mart -> columns, in order.
CONTRACT = {
    "indicator_values": ["wave", "region_code", "indicator_id", "value", "numerator", "denominator"],
    "variation_register": [
        "wave",
        "region_code",
        "region_name",
        "indicator_id",
        "domain",
        "value",
        "numerator",
        "denominator",
        "target",
        "norm_source",
        "lower_95",
        "upper_95",
        "lower_998",
        "upper_998",
        "z_score",
        "direction",
        "verdict",
        "substantiation",
        "explanation",
        *REGISTER_EXTRA,  # from synthetic_stats
        "reason_status",  # from synthetic_reasons
    ],
    "indicator_summary": [
        "wave",
        "indicator_id",
        "n_regions",
        "national_value",
        "min",
        "p25",
        "median",
        "p75",
        "max",
        "fold_variation",
        "phi",
        "tau2",
        "r2_risk",
        "r2_method",
        "n_unfavourable",
        "n_unjustified",
        *SUMMARY_EXTRA,
    ],
    "region_scorecard": [
        "wave",
        "region_code",
        "region_name",
        "n_indicators",
        "n_conform",
        "n_favourable",
        "n_unjustified",
        "n_substantiated",
        "n_missing",
        *SCORECARD_EXTRA,
    ],
    "equipment_matrix": [
        "wave",
        "region_code",
        "discipline",
        "role",
        "item",
        "level",
        "norm_level",
        "norm_source",
        "below_norm",
        "substantiation",
    ],
    "ring_model_matrix": [
        "wave",
        "region_code",
        "zone",
        "discipline",
        "access",
        "norm_access",
        "norm_source",
        "deviates",
        "substantiation",
    ],
    "plan_exercise_matrix": [
        "wave",
        "region_code",
        "characteristic",
        "in_plan",
        "exercised_3w",
        "substantiated",
        "status",
    ],
    "recommendation_tracker": ["wave", "region_code", "recommendation", "status", "indicator_ids", "n_unjustified"],
    "submission_status": ["wave", "region_code", "module", "source_file", "status", "n_rows", "n_errors", "message"],
    **REASON_CONTRACT,
}

REAL_REGIONS = [
    ("VR01", "Groningen", 586813),
    ("VR02", "Fryslân", 651459),
    ("VR03", "Drenthe", 494760),
    ("VR04", "IJsselland", 534778),
    ("VR05", "Twente", 631700),
    ("VR06", "Noord- en Oost-Gelderland", 831319),
    ("VR07", "Gelderland-Midden", 701322),
    ("VR08", "Gelderland-Zuid", 563979),
    ("VR09", "Utrecht", 1361093),
    ("VR10", "Noord-Holland-Noord", 665816),
    ("VR11", "Zaanstreek-Waterland", 339925),
    ("VR12", "Kennemerland", 551800),
    ("VR13", "Amsterdam-Amstelland", 1071316),
    ("VR14", "Gooi en Vechtstreek", 259049),
    ("VR15", "Haaglanden", 1121614),
    ("VR16", "Hollands Midden", 814421),
    ("VR17", "Rotterdam-Rijnmond", 1329136),
    ("VR18", "Zuid-Holland-Zuid", 461002),
    ("VR19", "Zeeland", 385379),
    ("VR20", "Midden- en West-Brabant", 1129951),
    ("VR21", "Brabant-Noord", 659533),
    ("VR22", "Brabant-Zuidoost", 784369),
    ("VR23", "Limburg-Noord", 521683),
    ("VR24", "Zuid-Limburg", 594212),
    ("VR25", "Flevoland", 428264),
]

# id, domain, kind, polarity ('hoger' = higher is better, 'lager', 'beide'), recommendation
INDICATORS = [
    ("ex_count", "oefenen", "ratio", "hoger", 4),
    ("ex_multidisciplinary_share", "oefenen", "share", "hoger", 4),
    ("ex_strategic", "oefenen", "yesno", "hoger", 8),
    ("ex_with_ncc", "oefenen", "yesno", "hoger", 8),
    ("ex_evaluated_share", "oefenen", "share", "hoger", 6),
    ("plan_coverage", "planvorming", "share", "hoger", 4),
    ("plan_unexercised_unsubstantiated", "planvorming", "count0", "lager", 4),
    ("risk_substantiated", "risico", "yesno", "hoger", 1),
    ("risk_probability", "risico", "score", "beide", 1),
    ("ring_conformity", "ringenmodel", "uniform_share", "hoger", 2),
    ("ring_exercised", "ringenmodel", "yesno", "hoger", 2),
    ("equipment_parity", "middelen", "uniform_share", "hoger", 3),
    ("lessons_shared_share", "leren", "share", "hoger", 7),
    ("lessons_followed_up_share", "leren", "share", "hoger", 6),
    ("lessons_from_others", "leren", "count1", "hoger", 5),
]
Z95, Z998 = 1.959964, 3.090232
ITEMS = CATALOGUES["middel"].codes
LEVELS = CATALOGUES["beschikbaarheid"].codes
ACCESS = CATALOGUES["toegang"].codes
RING_NORM = {
    ("hot", "brandweer"): "geen",
    ("hot", "ambulance"): "geen",
    ("hot", "politie"): "met_bescherming",
    ("warm", "brandweer"): "onder_dekking",
    ("warm", "ambulance"): "onder_dekking",
    ("warm", "politie"): "met_bescherming",
    ("cold", "brandweer"): "vrij",
    ("cold", "ambulance"): "vrij",
    ("cold", "politie"): "vrij",
}

VERDICT_WORDS = {
    "conform": "binnen de grenzen",
    "gunstige_afwijking": "buiten de grenzen aan de gunstige kant",
    "afwijking_onderbouwd": "buiten de grenzen aan de ongunstige kant; de regio geeft een onderbouwing",
    "afwijking_niet_onderbouwd": "buiten de grenzen aan de ongunstige kant zonder onderbouwing",
    "onvoldoende_gegevens": "de gegevens van de regio ontbreken of zijn afgewezen",
}


def make_regions(n: int) -> list[tuple[str, str, int]]:
    if n <= len(REAL_REGIONS):
        return REAL_REGIONS[:n]
    extra = [(f"VR{i:02d}", f"Regio {i}", 300000 + 10000 * i) for i in range(len(REAL_REGIONS) + 1, n + 1)]
    return REAL_REGIONS + extra


def build_synthetic_warehouse(
    path: Path | str,
    n_regions: int = 25,
    waves: list[int] | None = None,
    seed: int = 7,
    missing: tuple[int, str] | None = None,
    with_run_history: bool = True,
    xss: bool = True,
) -> dict:
    """Write the synthetic warehouse to ``path``; return what was planted (for the tests).

    ``missing`` = (wave, region) without any return; default: the second-oldest
    wave's last region (so the latest wave has every region).
    """
    waves = list(waves or [2023, 2024, 2025])
    regions = make_regions(n_regions)
    codes = [r[0] for r in regions]
    names = {r[0]: r[1] for r in regions}
    if missing is None and len(waves) > 1:
        missing = (waves[-2], codes[-1])
    rng = np.random.default_rng(seed)
    rejected = (waves[-1], codes[1], "middelen")  # rejected in the latest wave; earlier data in use
    xss_code = XSS_REGION if XSS_REGION in codes else codes[0]

    def has_return(w, c):
        return missing is None or (w, c) != missing

    # ------------------------------------------------------------------ register
    reg_rows, val_rows = [], []
    size = {c: p / 700000 for c, _, p in regions}
    ring_rows, equip_rows, plan_rows = [], [], []
    for w in waves:
        for code in codes:
            present = has_return(w, code)
            # ring model and equipment first: their indicators derive from them
            deviating_ring = 0
            for zone in CATALOGUES["zone"].codes:
                for disc in CATALOGUES["discipline"].codes:
                    norm = RING_NORM[(zone, disc)]
                    if not present:
                        continue
                    lvl = ACCESS.index(norm)
                    if rng.random() < 0.12:
                        lvl = int(min(3, max(0, lvl + rng.choice([-1, 1]))))
                    access = ACCESS[lvl]
                    dev = access != norm
                    deviating_ring += dev
                    sub = None
                    if dev and rng.random() < 0.5:
                        sub = (
                            f"In {names[code]} werkt de {disc} in de {zone} zone volgens eigen afspraak met de politie."
                        )
                    if xss and dev and code == xss_code:
                        sub = XSS
                    ring_rows.append(
                        [w, code, zone, disc, access, norm, "vastgesteld" if zone == "hot" else "modaal", dev, sub]
                    )
            below_cells = total_cells = 0
            for role, disc in ROLE_DISCIPLINE.items():
                for item in ITEMS:
                    norm = (
                        "persoonlijk"
                        if item == "tourniquet"
                        else (
                            "per_voertuig"
                            if item in ("hemostatisch_gaas", "traumapakket", "chest_seal")
                            else "op_afroep"
                            if disc == "politie" or item != "kogelwerend_vest"
                            else "niet"
                        )
                    )
                    if not present:
                        continue
                    lvl = LEVELS.index(norm) + int(rng.choice([-1, 0, 0, 0, 0, 1]))
                    lvl = min(3, max(0, lvl))
                    below = lvl < LEVELS.index(norm)
                    total_cells += 1
                    below_cells += below
                    sub = (
                        "Levering vertraagd door de leverancier; verwacht in het volgende kwartaal."
                        if below and rng.random() < 0.3
                        else None
                    )
                    if xss and below and code == xss_code:
                        sub = XSS
                    equip_rows.append(
                        [
                            w,
                            code,
                            disc,
                            role,
                            item,
                            LEVELS[lvl],
                            norm,
                            "vastgesteld" if item == "tourniquet" else "modaal",
                            below,
                            sub,
                        ]
                    )
            for ch in CATALOGUES["bijzonderheid"].codes:
                if not present:
                    continue
                in_plan = rng.random() < 0.8
                ex3 = in_plan and rng.random() < 0.6
                subst = in_plan and not ex3 and rng.random() < 0.4
                status = (
                    "niet_in_plan" if not in_plan else "beoefend" if ex3 else "onderbouwd" if subst else "niet_beoefend"
                )
                plan_rows.append([w, code, ch, in_plan, ex3, subst, status])

            for ind, domain, kind, pol, _rec in INDICATORS:
                num = den = target = l95 = u95 = l998 = u998 = z = None
                norm_source = {"ratio": "model", "score": "model", "share": "landelijk"}.get(kind, "vastgesteld")
                if not present:
                    value = None
                elif kind == "ratio":
                    den = round(3 + 10 * size[code] + rng.random() * 2, 3)
                    num = int(rng.poisson(den * rng.choice([0.4, 1, 1, 1, 1.3, 2.2])))
                    value, target = num / den, 1.0
                    half95 = Z95 / math.sqrt(den)
                    half998 = Z998 / math.sqrt(den)
                    l95, u95, l998, u998 = math.exp(-half95), math.exp(half95), math.exp(-half998), math.exp(half998)
                    z = math.log(max(value, 0.05)) * math.sqrt(den)
                elif kind == "share":
                    den = int(rng.integers(4, 30))
                    p = min(0.98, max(0.05, rng.normal(0.6, 0.18)))
                    num = int(rng.binomial(den, p))
                    value, target = num / den, 0.6
                    se = math.sqrt(target * (1 - target) / den)
                    l95, u95 = max(0, target - Z95 * se), min(1, target + Z95 * se)
                    l998, u998 = max(0, target - Z998 * se), min(1, target + Z998 * se)
                    z = (value - target) / se
                elif kind == "yesno":
                    value, target = float(rng.random() < 0.8), 1.0
                elif kind == "count0":
                    value, target = float(rng.choice([0, 0, 0, 1, 2])), 0.0
                elif kind == "count1":
                    value, target = float(rng.choice([0, 1, 1, 2, 3])), 1.0
                elif kind == "uniform_share":
                    if ind == "ring_conformity":
                        value = 1 - deviating_ring / 9
                    else:
                        value = 1 - below_cells / max(total_cells, 1)
                    target = 1.0
                elif kind == "score":
                    target = round(2.2 + 1.5 * size[code] / 2 + rng.normal(0, 0.2), 3)
                    value = float(min(5, max(1, round(target + rng.normal(0, 0.9)))))
                    l95, u95, l998, u998 = target - 1.6, target + 1.6, target - 2.6, target + 2.6
                    z = (value - target) / 0.8
                # verdict
                direction = None
                if value is None:
                    verdict = "onvoldoende_gegevens"
                else:
                    if l998 is not None:
                        out_low, out_high = value < l998, value > u998
                    else:
                        out_low, out_high = value < target, value > target
                        if kind == "count1":
                            out_high = False
                    if out_low or out_high:
                        direction = "hoger" if out_high else "lager"
                        favourable = (pol == "hoger" and out_high) or (pol == "lager" and out_low)
                        if favourable:
                            verdict = "gunstige_afwijking"
                        else:
                            verdict = "afwijking_onderbouwd" if rng.random() < 0.3 else "afwijking_niet_onderbouwd"
                    else:
                        verdict = "conform"
                substantiation = None
                if verdict == "afwijking_onderbouwd":
                    substantiation = (
                        "De risicobeoordeling is bestuurlijk vastgesteld en verklaart het afwijkende aantal."
                    )
                if value is None:
                    explanation = (
                        f"Voor {names[code]} ontbreken de gegevens voor {ind} in {w}: {VERDICT_WORDS[verdict]}."
                    )
                else:
                    lim = (
                        f"de 99,8%-grenzen {l998:.2f} tot {u998:.2f}"
                        if l998 is not None
                        else f"de landelijke norm {target:g}"
                    )
                    explanation = (
                        f"{names[code]} heeft in {w} een waarde van {value:.2f} bij {lim} "
                        f"(doel {target:.2f}): {VERDICT_WORDS[verdict]}."
                    )
                if xss and code == xss_code and ind == "ex_count":
                    explanation = XSS
                    substantiation = XSS
                plain = num if kind == "ratio" else value
                val_rows.append([w, code, ind, plain, num, den])
                reg_rows.append(
                    [
                        w,
                        code,
                        names[code],
                        ind,
                        domain,
                        value,
                        num,
                        den,
                        target,
                        norm_source,
                        l95,
                        u95,
                        l998,
                        u998,
                        z,
                        direction,
                        verdict,
                        substantiation,
                        explanation,
                    ]
                )

    register = pd.DataFrame(reg_rows, columns=CONTRACT["variation_register"][: -1 - len(REGISTER_EXTRA)])
    values = pd.DataFrame(val_rows, columns=CONTRACT["indicator_values"])

    # ------------------------------------------------------------------ summary, scorecard
    sum_rows = []
    for (w, ind), g in register.groupby(["wave", "indicator_id"], sort=True):
        v = g["value"].dropna()
        mn, mx = (float(v.min()), float(v.max())) if len(v) else (None, None)
        kind = dict((i[0], i[2]) for i in INDICATORS)[ind]
        phi = tau2 = r2r = r2m = None
        if kind in ("ratio", "share"):
            phi = round(float(rng.uniform(0.8, 3.5)), 4)
            tau2 = round(float(rng.uniform(0, 0.05)), 5) if phi > 1.04 else 0.0
        if kind in ("ratio", "score"):
            r2r = round(float(rng.uniform(0.05, 0.4)), 3)
        if ind == "risk_probability":
            r2m = round(float(rng.uniform(0.35, 0.7)), 3)
        sum_rows.append(
            [
                w,
                ind,
                int(len(v)),
                float(v.mean()) if len(v) else None,
                mn,
                float(v.quantile(0.25)) if len(v) else None,
                float(v.median()) if len(v) else None,
                float(v.quantile(0.75)) if len(v) else None,
                mx,
                (mx / mn) if len(v) and mn else None,
                phi,
                tau2,
                r2r,
                r2m,
                int(g["verdict"].isin(["afwijking_onderbouwd", "afwijking_niet_onderbouwd"]).sum()),
                int((g["verdict"] == "afwijking_niet_onderbouwd").sum()),
            ]
        )
    n_base = len(CONTRACT["indicator_summary"]) - len(SUMMARY_EXTRA)
    summary = pd.DataFrame(sum_rows, columns=CONTRACT["indicator_summary"][:n_base])
    # the statistics of issue 17 from their own generator: the rest of the data stays as it was
    stats_rng = np.random.default_rng(seed + 1000)
    summary = summary_extra(summary, register, stats_rng)
    register = register_extra(register, stats_rng)

    sc_rows = []
    for (w, code), g in register.groupby(["wave", "region_code"], sort=True):
        vc = g["verdict"].value_counts()
        sc_rows.append(
            [
                w,
                code,
                names[code],
                len(g),
                int(vc.get("conform", 0)),
                int(vc.get("gunstige_afwijking", 0)),
                int(vc.get("afwijking_niet_onderbouwd", 0)),
                int(vc.get("afwijking_onderbouwd", 0)),
                int(vc.get("onvoldoende_gegevens", 0)),
            ]
        )
    n_base = len(CONTRACT["region_scorecard"]) - len(SCORECARD_EXTRA)
    scorecard = scorecard_extra(register, pd.DataFrame(sc_rows, columns=CONTRACT["region_scorecard"][:n_base]))
    ranking = plant_ranking(scorecard)

    # ------------------------------------------------------------------ recommendations
    rec_inds: dict[int, list[str]] = {}
    for ind, _, _, _, rec in INDICATORS:
        rec_inds.setdefault(rec, []).append(ind)
    rec_rows = []
    for (w, code), g in register.groupby(["wave", "region_code"], sort=True):
        verdicts = dict(zip(g["indicator_id"], g["verdict"]))
        for rec in range(1, 11):
            inds = rec_inds.get(rec, [])
            if not inds:
                rec_rows.append([w, code, rec, "buiten_uitvraag", [], 0])
                continue
            vs = [verdicts[i] for i in inds]
            if all(v == "onvoldoende_gegevens" for v in vs):
                st = "onvoldoende_gegevens"
            elif any(v in ("afwijking_onderbouwd", "afwijking_niet_onderbouwd") for v in vs):
                st = "aandacht"
            else:
                st = "op_orde"
            rec_rows.append([w, code, rec, st, inds, sum(v == "afwijking_niet_onderbouwd" for v in vs)])
    recs = pd.DataFrame(rec_rows, columns=CONTRACT["recommendation_tracker"])

    # ------------------------------------------------------------------ submission status, problems
    stat_rows, prob_rows = [], []
    for w in waves:
        for code in codes:
            for module in MODULES:
                src = f"{w}/{code}_uitvraag_{w}.xlsx"
                if not has_return(w, code):
                    stat_rows.append(
                        [w, code, module, None, "ontbreekt", 0, 0, 0, "geen aanlevering gevonden", False, None]
                    )
                elif (w, code, module) == rejected:
                    msg = "kolom beschikbaarheid: 'altijd' is geen code uit 'beschikbaarheid'"
                    stat_rows.append([w, code, module, src, "afgewezen", 64, 2, 0, msg, True, "ab" * 32])
                    for row, val in ((5, "altijd"), (9, XSS if xss else "x")):
                        prob_rows.append(
                            [
                                w,
                                code,
                                module,
                                src,
                                "middelen",
                                row,
                                "beschikbaarheid",
                                val,
                                "catalogue",
                                "error",
                                f"'{val}' is geen code uit 'beschikbaarheid' (niet, op_afroep, per_voertuig, persoonlijk)",
                            ]
                        )
                else:
                    n = {"meta": 1, "risico": 1, "planvorming": 12, "ringenmodel": 9, "middelen": 64}.get(module, 7)
                    stat_rows.append([w, code, module, src, "geladen", n, 0, 0, "", False, "cd" * 32])
        # an export set aside by a workbook, with a warning
        stat_rows.append(
            [
                w,
                codes[0],
                "oefeningen",
                f"{w}/oefeningen.csv",
                "vervangen",
                6,
                0,
                1,
                "de werkmap van de regio gaat voor de export",
                False,
                "ef" * 32,
            ]
        )
        prob_rows.append(
            [
                w,
                None,
                "oefeningen",
                f"{w}/oefeningen.csv",
                None,
                1,
                "opmerking",
                None,
                "unknown_column",
                "warning",
                "onbekende kolom 'opmerking' genegeerd",
            ]
        )
    stg_status = pd.DataFrame(
        stat_rows,
        columns=[
            "wave",
            "region_code",
            "module",
            "source_file",
            "status",
            "n_rows",
            "n_errors",
            "n_warnings",
            "message",
            "earlier_data_in_use",
            "source_sha256",
        ],
    )
    problems = pd.DataFrame(
        prob_rows,
        columns=[
            "wave",
            "region_code",
            "module",
            "source_file",
            "sheet",
            "row_number",
            "column_name",
            "value",
            "rule",
            "severity",
            "message",
        ],
    )
    mart_status = stg_status[CONTRACT["submission_status"]].copy()

    # ------------------------------------------------------------------ staging extras
    methods = CATALOGUES["methode"].codes
    risk_rows, lesson_rows = [], []
    for w in waves:
        for i, code in enumerate(codes):
            if not has_return(w, code):
                continue
            kans = register.query("wave == @w and region_code == @code and indicator_id == 'risk_probability'")["value"]
            risk_rows.append(
                [
                    w,
                    code,
                    f"{w}/{code}.xlsx",
                    methods[(i + w) % len(methods)],
                    int(kans.iloc[0]) if len(kans) and pd.notna(kans.iloc[0]) else 3,
                    int(rng.integers(2, 40)),
                    int(rng.integers(0, 25)),
                ]
            )
            for k in range(int(rng.integers(2, 5))):
                text = (
                    f"Les {k + 1} van {names[code]}: afstemming tussen politie en brandweer over de "
                    f"warme zone verliep traag; vaste contactpersoon aangewezen."
                )
                if xss and code == xss_code and k == 0:
                    text = XSS
                lesson_rows.append(
                    [
                        w,
                        code,
                        f"L{k + 1}",
                        CATALOGUES["bron"].codes[k % 4],
                        CATALOGUES["bijzonderheid"].codes[(k + i) % 12],
                        text,
                        CATALOGUES["gedeeld"].codes[(k + i) % 4],
                        CATALOGUES["opvolging"].codes[k % 4],
                        codes[(i + 1) % len(codes)] if k % 4 == 2 else None,
                    ]
                )
    risk = pd.DataFrame(
        risk_rows,
        columns=[
            "wave",
            "region_code",
            "source_file",
            "method",
            "probability_score",
            "high_risk_sites",
            "large_events",
        ],
    )
    lessons = pd.DataFrame(
        lesson_rows,
        columns=[
            "wave",
            "region_code",
            "lesson_id",
            "source",
            "characteristic",
            "description",
            "shared_via",
            "follow_up",
            "taken_from_region",
        ],
    )
    ref = pd.DataFrame(regions, columns=["region_code", "region_name", "population"])
    frames = {
        "marts.indicator_values": values,
        "marts.variation_register": register,
        "marts.indicator_summary": summary,
        "marts.region_scorecard": scorecard,
        "marts.equipment_matrix": pd.DataFrame(equip_rows, columns=CONTRACT["equipment_matrix"]),
        "marts.ring_model_matrix": pd.DataFrame(ring_rows, columns=CONTRACT["ring_model_matrix"]),
        "marts.plan_exercise_matrix": pd.DataFrame(plan_rows, columns=CONTRACT["plan_exercise_matrix"]),
        "marts.recommendation_tracker": recs,
        "marts.submission_status": mart_status,
        "stg_submission_status": stg_status,
        "stg_problems": problems,
        "stg_risk_assessments": risk,
        "stg_lessons": lessons,
        "ref_regions": ref,
    }
    frames["marts.region_peers"] = peers_mart(risk, ref)
    if with_run_history:  # as pipelines.ingest.warehouse.RUN_HISTORY_DDL
        started = dt.datetime(2026, 3, 1, 9, 0)
        frames["run_history"] = pd.DataFrame(
            [
                [
                    f"run{i}",
                    started + dt.timedelta(days=i),
                    "cli",
                    step,
                    ", ".join(map(str, waves)),
                    25 * len(waves) if step == "ingest" else None,
                    0 if step == "ingest" else None,
                    1 if step == "ingest" else None,
                    f"{step}: klaar",
                ]
                for i in range(2)
                for step in ("ingest", "dashboards")
            ],
            columns=[
                "run_id",
                "recorded_at",
                "trigger",
                "step",
                "waves",
                "units_loaded",
                "units_unchanged",
                "files_rejected",
                "summary",
            ],
        )
    frames.update(reason_marts(frames, names))
    frames.update(learning_marts(frames, names))
    con = duckdb.connect(str(path))
    try:
        con.execute("create schema if not exists marts")
        for name, frame in frames.items():
            con.register("_f", frame)
            con.execute(f"create or replace table {name} as select * from _f")
            con.unregister("_f")
        # list columns as VARCHAR[] like the real marts may hold them
        con.execute("alter table marts.recommendation_tracker alter indicator_ids type varchar[]")
    finally:
        con.close()
    return {
        "waves": waves,
        "regions": codes,
        "names": names,
        "missing": missing,
        "rejected": rejected,
        "xss_region": xss_code,
        "ranking": ranking,
    }
