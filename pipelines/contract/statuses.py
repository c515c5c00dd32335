"""Submission status codes with their Dutch words and phrases: the one home of these codes.

Each (wave, region, module, file) in ``stg_submission_status`` (and the mart
``submission_status``) has one of these statuses. The ingest
(:mod:`pipelines.ingest.sources`, :mod:`~pipelines.ingest.staging`,
:mod:`~pipelines.ingest.crossref`, :mod:`~pipelines.ingest.loader`) sets them,
the engine says why a module is not in use (:data:`NOT_IN_USE`), the runner
counts them and the site shows them; all name them by the constants below.
SQL that compares a status binds these codes as parameters.
"""

from __future__ import annotations

#: The module of the file is in use (its rows are staged).
LOADED = "geladen"
#: The file has an error: nothing of it is loaded (earlier data of the region and module stays in use).
REJECTED = "afgewezen"
#: Nothing was supplied for the region and module.
ABSENT = "ontbreekt"
#: The survey tool's export for the region is set aside: the region's own workbook goes first.
REPLACED = "vervangen"
#: Several workbooks of one region in one wave: none of them is loaded.
CONFLICT = "conflict"

#: Status -> Dutch words.
SUBMISSION_LABELS: dict[str, str] = {
    LOADED: "geladen",
    REJECTED: "afgewezen",
    ABSENT: "ontbreekt",
    REPLACED: "vervangen",
    CONFLICT: "conflict",
}
SUBMISSION_STATUSES: tuple[str, ...] = tuple(SUBMISSION_LABELS)
#: The glyph the site shows beside each status's word.
SUBMISSION_GLYPHS: dict[str, str] = {LOADED: "✔", REJECTED: "✖", ABSENT: "?", REPLACED: "↺", CONFLICT: "!"}

#: Why a module is not in use, after "de module '<module>'", per status, the most telling first: when a
#: region's module has several statuses the first of this order is the one the explanation names.
#: ``{errors}`` stands for the number of errors ("3 fouten").
NOT_IN_USE: dict[str, str] = {
    REJECTED: "is afgewezen ({errors}) en er zijn geen eerder geladen gegevens",
    CONFLICT: "is niet geladen, omdat er meerdere werkboeken van de regio zijn (conflict)",
    ABSENT: "is niet aangeleverd (status ontbreekt)",
}
#: Why a module is not in use when it has none of the statuses of :data:`NOT_IN_USE`.
NOT_IN_USE_OTHERWISE = "is niet aangeleverd"
