"""Deterministic sample returns, with a planted and documented ground truth.

:func:`generate` writes a synthetic but plausible world of survey returns under
``out/<wave>/`` and, on request, the *ground truth*: the verdicts the pipeline
must reach for a known set of planted deviations (``tests/ground_truth/planted.csv``),
every reason the register must hold with its status (``tests/ground_truth/reasons.csv``),
every problem ``submission_problems`` must list (``tests/ground_truth/problems.csv``: one
broken file and the plausibility warnings) and the analyst's judgements of some
reasons (``data/reference/wegingen.csv``).
Use it as ``from pipelines import sample; sample.generate(...)``; the names
below are the package's public API, the modules behind them are not.

Everything derives from :mod:`pipelines.contract.codebook` (modules, fields, grids,
catalogues) and from the reference data (regions, norm files); the few codes the
generator must name are looked up when :mod:`~pipelines.sample.names` is
imported, so a renamed code fails loudly there.

How the world is built, one module per step
-------------------------------------------
1. *Design* (:mod:`~pipelines.sample.design`, :mod:`~pipelines.sample.plants`,
   :mod:`~pipelines.sample.reasons_plants`, :mod:`~pipelines.sample.stat_plants`):
   which region gets which planted deviation, in which waves. Plants are
   constraints: tokens an exercise or lesson may not carry (``forbid``), must
   carry (``require``), forced counts or attributes, locked plan cells, and
   overrides of the risk, ring-model and equipment cells; a planted reason also
   records its intended status, and the analyst's judgement where there is one.
   :mod:`~pipelines.sample.implausible` adds two valid but implausible returns and
   one file with several problems, on regions without another plant.
2. *Simulation* (:mod:`~pipelines.sample.simulation`, :mod:`~pipelines.sample.practice`):
   per region and wave, respecting the design.
3. *Discipline* (:mod:`~pipelines.sample.discipline`): in the planting waves (the
   last three) every region is made conform on every rule-based indicator unless
   a plant says otherwise (a background reason that would lapse is replaced by
   an exercise); then the overrides, the shares and the scores.
4. *Oracle and ground truth* (:mod:`~pipelines.sample.oracle`, :mod:`~pipelines.sample.weighing`,
   :mod:`~pipelines.sample.truth`, :mod:`~pipelines.sample.reasons_truth`):
   an independent implementation of the rule-based indicators of ``docs/method.md``
   and of the weighing of reasons of ``docs/verdicts.md`` 5a computes every
   verdict and every reason's status from the generated data, over all waves;
   the design's intentions are checked against it, and the planted proportions
   against funnel limits computed there; :mod:`~pipelines.sample.plausibility_truth`
   computes every plausibility warning the data give (docs/plausibility.md).
5. *Rendering* (:mod:`~pipelines.sample.render`, :mod:`~pipelines.sample.writers`):
   the same world written as survey-tool exports, as one workbook per region, or
   in the shipped mix (``form=None``), by :mod:`~pipelines.sample.generator`.

The low-level writers :func:`write_workbook` and :func:`write_export` are
public so tests can build broken files with them. The bytes written are
identical across runs for the same arguments.
"""

from pipelines.sample.generator import generate
from pipelines.sample.helpers import slug
from pipelines.sample.names import INDICATORS, STATISTICAL_INDICATORS, UNIFORM_INDICATORS, VERDICTS
from pipelines.sample.oracle import uniform_verdicts
from pipelines.sample.plausibility_truth import PROBLEM_TRUTH_COLUMNS
from pipelines.sample.reasons_truth import REASON_TRUTH_COLUMNS
from pipelines.sample.regions import make_regions, write_regions_csv
from pipelines.sample.truth import GROUND_TRUTH_COLUMNS
from pipelines.sample.writers import write_export, write_workbook

__all__ = [
    "generate",
    "make_regions",
    "write_regions_csv",
    "write_workbook",
    "write_export",
    "uniform_verdicts",
    "slug",
    "INDICATORS",
    "UNIFORM_INDICATORS",
    "STATISTICAL_INDICATORS",
    "VERDICTS",
    "GROUND_TRUTH_COLUMNS",
    "REASON_TRUTH_COLUMNS",
    "PROBLEM_TRUTH_COLUMNS",
]
