"""The data the sample generator passes between its steps.

:class:`RegionWave` is one region's return for one wave as typed values;
:class:`Design` is the set of planted deviations and the constraints that make
them happen; :class:`_Base` and :func:`_bases` are what stays with a region
across waves (its exercise factor, risk basis, habits and respondent). Nothing
here draws a wave's data or writes a file.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from pipelines.contract.catalogues import CATALOGUES
from pipelines.contract.codebook import MODULES, Module
from pipelines.contract.reference import Region
from pipelines.sample.helpers import _pick, _rng, _weights
from pipelines.sample.names import METHOD_EXPERT, METHOD_NCTV, METHOD_NONE, METHOD_PROFILE
from pipelines.sample.text import _person


@dataclass
class RegionWave:
    """One region's return for one wave, as typed values (Dutch field names)."""

    code: str
    wave: int
    rows: dict[str, list[dict]]  # "one" and "many" modules
    grids: dict[str, dict[tuple, dict]]  # grid modules: key (in module.grid order) -> values

    def module_rows(self, module: Module) -> list[dict]:
        if module.rows == "grid":
            g = self.grids[module.name]
            return [dict(zip(module.grid, key)) | g[key] for key in _GRIDS[module.name]]
        return self.rows[module.name]


#: Every grid module's complete set of keys, in the codebook's order.
_GRIDS = {m.name: m.expected_grid() for m in MODULES.values() if m.rows == "grid"}


@dataclass
class _Base:
    """What stays with a region across waves."""

    region: Region
    u_ex: float  # lognormal exercise factor (overdispersion)
    hro: int
    events: int
    method: str
    vk_share: float
    follow_share: float
    eval_share: float
    multi_share: float
    id_style: int
    lesson_style: int
    person: dict
    risk_z: float = 0.0


@dataclass
class Plant:
    """One planted deviation: the verdict the pipeline must reach for a region on an indicator."""

    region: str
    indicator: str
    verdict: str
    waves: tuple[int, ...]  # waves where the verdict is intended (inside the planting waves)
    note: str
    since: int | None = None  # the intention holds only when every wave since this one is generated


@dataclass
class ReasonPlant:
    """One planted reason: the status the register must give it, and the signals it must carry.

    ``None`` for a signal: not part of the plant. ``since`` as in :class:`Plant`."""

    wave: int
    region: str
    indicator: str
    cell: str
    status: str
    note: str
    since: int | None = None
    rule_status: str | None = None
    contradiction: bool | None = None
    shared: bool = False  # the text is the one several regions give (n_other_regions_same_text: all the others)
    years_named_past: tuple[int, ...] | None = None
    waves_same_text_in_row: int | None = None


@dataclass
class ImplausiblePlant:
    """A return that is valid but implausible: the plausibility warnings it must get (docs/plausibility.md)."""

    region: str
    wave: int
    module: str
    rule: str  # the problem rule of the warning (pipelines.contract.plausibility.CHECKS)
    note: str


@dataclass
class Design:
    """Which region gets which planted deviation, and the constraints on the simulation that produce it.

    Tables are keyed by (region code, wave). ``forbid``/``require``: tokens an exercise or lesson may not /
    must carry; ``count``: the number of exercises; ``*_override``: cells set after the discipline pass;
    ``reason_plants`` and ``judgements``: the planted reasons and the analyst's word on some of them.
    """

    waves: list[int]
    planting: list[int]
    missing: set[tuple[str, int]] = field(default_factory=set)
    double_source: tuple[str, int] | None = None
    plants: list[Plant] = field(default_factory=list)
    forbid: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    require: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    count: dict[tuple[str, int], tuple[str, int]] = field(default_factory=dict)  # ("exact"|"min", n)
    ex_attr: dict[tuple[str, int], dict] = field(default_factory=dict)
    allowed_chars: dict[tuple[str, int], tuple[str, ...]] = field(default_factory=dict)
    lesson_min: dict[tuple[str, int], int] = field(default_factory=dict)
    lesson_attr: dict[tuple[str, int], dict] = field(default_factory=dict)
    plan_lock: dict[tuple[str, int], dict[str, dict]] = field(default_factory=dict)
    reason_plants: list[ReasonPlant] = field(default_factory=list)
    #: the analyst's judgements (wegingen.csv): (wave, region, indicator, cell) -> (judgement, motivation)
    judgements: dict[tuple[int, str, str, str], tuple[str, str]] = field(default_factory=dict)
    shared_text: dict[int, set[str]] = field(default_factory=dict)  # wave -> regions giving the shared sentence
    risk_override: dict[tuple[str, int], dict] = field(default_factory=dict)
    # cell -> (value, afwijking_toelichting, geldig_tot)
    ring_override: dict[tuple[str, int], dict[tuple, tuple[str, str | None, int | None]]] = field(default_factory=dict)
    equip_override: dict[tuple[str, int], dict[tuple, tuple[str, str | None, int | None]]] = field(default_factory=dict)
    equip_above: dict[tuple[str, int], set[tuple]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)  # plant label -> region code (for the summary)
    #: valid but implausible returns, and the contradictions planted in them (region, wave) -> what to set
    implausible: list[ImplausiblePlant] = field(default_factory=list)
    #: what the learning marts must say of the learning plants (learning.csv), filled in after the simulation
    learning: list[dict] = field(default_factory=list)
    contradict: dict[tuple[str, int], dict] = field(default_factory=dict)
    #: the one file with several problems: (region, wave) of a workbook whose meta sheet is broken
    broken_file: tuple[str, int] | None = None

    def add(self, table: dict, key, values) -> None:
        if isinstance(values, set):
            table.setdefault(key, set()).update(values)
        elif isinstance(values, dict):
            table.setdefault(key, {}).update(values)
        else:
            table[key] = values


def _bases(regions: list[Region], seed: int) -> dict[str, _Base]:
    bases = {}
    methods = CATALOGUES["methode"].codes
    mw = _weights("methode", {METHOD_NCTV: 0.28, METHOD_PROFILE: 0.34, METHOD_EXPERT: 0.18, METHOD_NONE: 0.04}, 0.16)
    for r in regions:
        rng = _rng(seed, "base", r.code)
        scale = r.population / 100_000
        bases[r.code] = _Base(
            region=r,
            u_ex=float(np.exp(rng.normal(0, 0.35))),
            hro=max(1, int(round(scale * rng.gamma(2.5, 0.6)))),
            events=max(0, int(round(scale * rng.gamma(2.0, 0.7)))),
            method=str(_pick(rng, methods, mw)),
            vk_share=_logistic(math.log(0.25 / 0.75) + rng.normal(0, 0.12)),
            follow_share=_logistic(rng.normal(0, 0.15)),
            eval_share=_logistic(math.log(0.83 / 0.17) + rng.normal(0, 0.25)),
            multi_share=_logistic(math.log(0.78 / 0.22) + rng.normal(0, 0.25)),
            id_style=int(rng.integers(4)),
            lesson_style=int(rng.integers(3)),
            person=_person(rng),
        )
    logs = np.array([math.log(b.region.population) + 0.5 * math.log1p(b.hro) for b in bases.values()])
    sd = float(logs.std()) or 1.0
    for b, v in zip(bases.values(), logs):
        b.risk_z = float((v - logs.mean()) / sd)
    return bases


def _logistic(x: float) -> float:
    return float(1 / (1 + math.exp(-x)))
