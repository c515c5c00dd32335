"""The survey's catalogues: the closed lists of codes its fields may hold, and how cells are spelled.

Part of the data contract in :mod:`pipelines.contract.codebook`, which names for each ``code`` or
``codes`` field the catalogue it draws from. This module also holds which role belongs to which
discipline, the accepted spellings of a boolean, the separator of several codes in one cell and the
date formats.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Catalogue:
    """A closed list of codes, optionally ordered (``levels``) from low to high."""

    name: str
    codes: tuple[str, ...]
    description: str
    labels: Mapping[str, str] = field(default_factory=dict)
    levels: Mapping[str, int] | None = None

    def label(self, code: str) -> str:
        return self.labels.get(code, code.replace("_", " "))


def _cat(name, description, codes, labels=None, ordinal=False) -> Catalogue:
    codes = tuple(codes)
    levels = MappingProxyType({c: i for i, c in enumerate(codes)}) if ordinal else None
    return Catalogue(name, codes, description, MappingProxyType(dict(labels or {})), levels)


CATALOGUES: Mapping[str, Catalogue] = MappingProxyType(
    {
        c.name: c
        for c in [
            _cat(
                "bijzonderheid",
                "bijzondere kenmerken van een terroristisch scenario",
                [
                    "ringenmodel",
                    "aanhoudende_dreiging",
                    "plaats_delict",
                    "politie_leiding",
                    "massaslachtoffers",
                    "cbrn",
                    "informatiedeling",
                    "crisiscommunicatie",
                    "maatschappelijke_impact",
                    "nazorg",
                    "bovenregionale_bijstand",
                    "nationale_opschaling",
                ],
                {
                    "ringenmodel": "werken met het ringenmodel (hot, warm, cold)",
                    "aanhoudende_dreiging": "aanhoudende dreiging, tweede aanslag, secundair explosief",
                    "plaats_delict": "plaats delict en forensisch onderzoek naast hulpverlening",
                    "politie_leiding": "leiding bij de politie, SGBO naast GRIP",
                    "massaslachtoffers": "grote aantallen slachtoffers, triage, bloedingscontrole",
                    "cbrn": "CBRN",
                    "informatiedeling": "delen van vertrouwelijke informatie",
                    "crisiscommunicatie": "crisiscommunicatie",
                    "maatschappelijke_impact": "maatschappelijke impact en onrust",
                    "nazorg": "nazorg voor slachtoffers, verwanten en hulpverleners",
                    "bovenregionale_bijstand": "bovenregionale bijstand",
                    "nationale_opschaling": "opschaling naar de nationale crisisstructuur",
                },
            ),
            _cat("discipline", "discipline (middelen en ringenmodel)", ["brandweer", "ambulance", "politie"]),
            _cat(
                "discipline_oefening",
                "discipline die aan een oefening deelnam",
                ["brandweer", "ambulance", "politie", "ghor", "gemeente", "defensie", "om"],
                {"ghor": "GHOR", "om": "Openbaar Ministerie"},
            ),
            _cat(
                "functie",
                "functie van een hulpverlener",
                [
                    "manschap",
                    "bevelvoerder",
                    "ovd_b",
                    "ambulanceverpleegkundige",
                    "ambulancechauffeur",
                    "ovd_g",
                    "noodhulp",
                    "ovd_p",
                ],
                {"ovd_b": "OvD-B", "ovd_g": "OvD-G", "ovd_p": "OvD-P"},
            ),
            _cat(
                "middel",
                "beschermend middel",
                [
                    "scherfwerend_vest",
                    "steekwerend_vest",
                    "kogelwerend_vest",
                    "helm",
                    "tourniquet",
                    "hemostatisch_gaas",
                    "chest_seal",
                    "traumapakket",
                ],
            ),
            _cat(
                "beschikbaarheid",
                "beschikbaarheid van een middel, van laag naar hoog",
                ["niet", "op_afroep", "per_voertuig", "persoonlijk"],
                {"op_afroep": "op afroep (centrale voorraad)", "per_voertuig": "per voertuig"},
                ordinal=True,
            ),
            _cat("zone", "zone van het ringenmodel", ["hot", "warm", "cold"]),
            _cat(
                "toegang",
                "toegang tot een zone, van laag naar hoog",
                ["geen", "onder_dekking", "met_bescherming", "vrij"],
                {"onder_dekking": "alleen onder dekking van politie", "met_bescherming": "met beschermende middelen"},
                ordinal=True,
            ),
            _cat(
                "methode",
                "methode van risicobeoordeling",
                ["nctv_dreigingsbeeld", "regionaal_risicoprofiel", "scenario_analyse", "expert_oordeel", "geen"],
                {"nctv_dreigingsbeeld": "dreigingsbeeld NCTV"},
            ),
            _cat("niveau", "niveau van een oefening", ["operationeel", "tactisch", "strategisch"]),
            _cat("vorm", "vorm van een oefening", ["tabletop", "praktijk", "systeem", "simulatie"]),
            _cat(
                "scenario",
                "scenario van een oefening",
                ["steekincident", "vuurwapen", "voertuig", "explosief", "cbrn", "gijzeling", "gecombineerd"],
            ),
            _cat("bron", "bron van een les", ["oefening", "incident", "andere_regio", "landelijk"]),
            _cat(
                "gedeeld",
                "hoe een les is gedeeld",
                ["virtueel_kantoor", "overleg", "email", "niet"],
                {"virtueel_kantoor": "virtueel kantoor", "email": "e-mail"},
            ),
            _cat("opvolging", "opvolging van een les", ["uitgevoerd", "in_uitvoering", "gepland", "geen"]),
            _cat("ja_nee_deels", "ja, nee of deels", ["ja", "nee", "deels"]),
        ]
    }
)

#: Which roles belong to which discipline (equipment module).
ROLE_DISCIPLINE: Mapping[str, str] = MappingProxyType(
    {
        "manschap": "brandweer",
        "bevelvoerder": "brandweer",
        "ovd_b": "brandweer",
        "ambulanceverpleegkundige": "ambulance",
        "ambulancechauffeur": "ambulance",
        "ovd_g": "ambulance",
        "noodhulp": "politie",
        "ovd_p": "politie",
    }
)

#: Accepted spellings of a boolean, after lower-casing and trimming.
BOOLEAN_WORDS: Mapping[str, bool] = MappingProxyType(
    {
        "ja": True,
        "j": True,
        "yes": True,
        "true": True,
        "1": True,
        "waar": True,
        "nee": False,
        "n": False,
        "no": False,
        "false": False,
        "0": False,
        "onwaar": False,
    }
)
# "waar"/"onwaar" are what a Dutch Excel shows for a logical cell; the reader
# turns real logical cells into ja/nee before parsing anyway.

MULTI_SEPARATOR = "|"
DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y")


def _short(code: str) -> str:
    """A code's words short enough for a list inside a sentence: its label, or the code without '_' where
    the label is itself a list (a comma would split the sentence's list)."""
    for cat in CATALOGUES.values():
        if code in cat.codes:
            label = cat.label(code)
            label = label.split(" (")[0]  # 'op afroep (centrale voorraad)': the aside stays in the legend
            return label if "," not in label else code.replace("_", " ")
    return code


#: Every catalogue code with an underscore -> its words in a sentence (``ovd_p`` -> ``OvD-P``).
CODE_WORDS: Mapping[str, str] = MappingProxyType(
    {c: _short(c) for cat in CATALOGUES.values() for c in cat.codes if "_" in c}
)
#: A code as it stands in text: lower-case words joined by '_' (codes without '_' read as words already).
CODE_IN_TEXT = re.compile(r"(?<![A-Za-z0-9_])[a-z]+(?:_[a-z]+)+(?![A-Za-z0-9_])")


def readable(text: str) -> str:
    """Text in which every catalogue code (``per_voertuig``, ``nctv_dreigingsbeeld``) is replaced by its words."""
    return CODE_IN_TEXT.sub(lambda m: CODE_WORDS.get(m.group(0), m.group(0)), text)
