"""Validating a wave's returns against the codebook with Great Expectations 1.x.

Every expectation is derived from :mod:`pipelines.contract.codebook`: which fields
are required, which catalogue a code belongs to, the bounds of a number, the
key of a module, its grid, :data:`~pipelines.contract.catalogues.ROLE_DISCIPLINE`.
The few rules the codebook states only in words (a date in the wave year, a
field required when another has a given value, a reference to an exercise)
are in :data:`CONDITIONAL_RULES` below, by field and catalogue code; both are
checked against the codebook when this module is imported, so renaming a
field or code there breaks loudly here instead of silently checking nothing.

One GX validation run per module covers all regions of the wave: a module's
candidate rows become one batch (a pandas DataFrame) and one suite is run on
it. Rules GX has no expectation for are computed in pandas as a helper column
(name starting with ``_``) that a plain expectation then checks, so every
failure still comes out of GX's result. Failures are attributed to rows via
GX's unexpected index reporting (``result_format`` ``COMPLETE`` with
``unexpected_index_column_names``): each batch row carries ``_idx`` (its
position), ``regio_code``, ``_file``, ``_sheet`` and ``_row`` (the row number
the person sees in Excel), and GX returns those for every unexpected row.

Missing rows (a grid combination a region did not send, or the single row of
a ``one`` module) cannot be an unexpected row of the data, so they are added
to the batch as *placeholder* rows: ``_ontbreekt`` names what is missing,
``_row`` is empty, and every field is empty. The ``volledig`` / ``een_rij``
expectation reports them; ``verplicht`` skips them through a GX row
condition, and all other expectations ignore empty values anyway.

What GX cannot know from the rows alone: a region whose ``one`` or ``grid``
sheet has no rows at all looks like a region that did not send the module;
pass ``sheets=`` to the validator to have those reported (``validate_paths``
does). And a value the reader could not parse reaches GX as empty:
:func:`drop_reader_repeats` removes GX's repeat of the reader's problem.

This module imports great_expectations (several seconds) at load time; the
pipeline imports it lazily, and nothing else in the project may import it at
load time. It never imports dagster.
"""

from pipelines.ingest.validation.files import default_validator, validate_paths  # noqa: F401
from pipelines.ingest.validation.rules import (  # noqa: F401
    CONDITIONAL_RULES,
    RULES,
    ConditionalRules,
    Reference,
    RequiredWhen,
)
from pipelines.ingest.validation.validator import GXValidator, sort_key  # noqa: F401
