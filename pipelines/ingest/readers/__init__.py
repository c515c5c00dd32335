"""Reading returns: workbooks and survey-tool exports into typed tables.

Two steps, both driven by :mod:`pipelines.contract.codebook`:

1. :func:`read_workbook` / :func:`read_export` turn a file into
   :class:`SheetTable` objects: normalised header names and rows of text, each
   with the row number the person sees in Excel or a text editor. Files that
   cannot be read at all give a :class:`~pipelines.core.problems.Problem`, not
   an exception.
2. :func:`parse_module` turns a sheet into a pandas DataFrame with one column
   per codebook field (Dutch names), typed values, and the columns ``_row``
   (row number) and ``regio_code``. Every value that cannot be parsed becomes a
   problem naming the file, sheet, row, column, value and the expected form;
   all of them are reported, not only the first.

Names and e-mail addresses (fields marked ``personal``) are dropped here and
never leave this module. E-mail addresses, phone numbers and BSN-like numbers
typed into text, free text and code fields are replaced by a marker for the
same reason (:mod:`pipelines.core.privacy`); in any other field they can only
reach a problem, which redacts its own value and message.

Rules about allowed values (catalogues, ranges, completeness, keys) are not
checked here: that is validation's job (:mod:`pipelines.ingest.validation`).

The package's rooms: :mod:`.limits` (what a file may cost, opening a file),
:mod:`.tables` (a sheet as text), :mod:`.workbook` (xlsx, opened in a helper
process: :mod:`pipelines.ingest.workbook_child`), :mod:`.export` (CSV exports),
:mod:`.parse` (text to typed values by the codebook).
"""

from pipelines.core.privacy import EMAIL_MARK  # noqa: F401  (re-exported: the marker the readers put in text)
from pipelines.ingest.readers.export import decode_text, read_export, sniff_delimiter  # noqa: F401
from pipelines.ingest.readers.limits import DEFAULT_LIMITS, Limits  # noqa: F401
from pipelines.ingest.readers.parse import (  # noqa: F401
    DUTCH,
    ENGLISH,
    EXPECTED_FORM,
    FORMULA_ERRORS,
    PLAIN,
    parse_bool,
    parse_codes,
    parse_date,
    parse_module,
    parse_number,
    parse_tables,
    read_number_text,
    read_numbers,
)
from pipelines.ingest.readers.tables import SheetTable, cell_text, normalise_header  # noqa: F401
from pipelines.ingest.readers.workbook import (  # noqa: F401
    check_zip,
    near_miss_module,
    read_workbook,
    read_workbooks,
    sniff_workbook,
)
