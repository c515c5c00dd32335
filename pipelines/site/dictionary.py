"""The downloads page: every file the run publishes in the marts folder, and a data dictionary in Dutch.

The dictionary is generated from the marts contract (:data:`pipelines.contract.marts.MARTS`: purpose, grain,
key, every column with its type, unit and description) with the Dutch words of
:mod:`pipelines.contract.marts_nl`; where a column has no Dutch description the contract's English one is
given, and the page says so. The page draws it (``assets/pages/downloads.js``) as tables a reader can sort,
search and download.
"""

from __future__ import annotations

import re

from pipelines.contract import marts_nl
from pipelines.contract.marts import MARTS, MARTS_DATABASE, NL_FOLDER, WORKBOOK


def plain(text: str) -> str:
    """The contract's Markdown as plain text: ``[words](link)`` becomes words, backticks go."""
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("`", "")


def dictionary(marts_href: str) -> dict:
    """The downloads page's payload; ``marts_href``: the marts folder as seen from the site's root ('' or '.../')."""
    files = [
        {"file": WORKBOOK, "href": marts_href + WORKBOOK, "what": "Alle marts als werkbladen van één Excel-werkmap."},
        {
            "file": MARTS_DATABASE,
            "href": marts_href + MARTS_DATABASE,
            "what": "Alle marts als tabellen van één DuckDB-bestand, voor eigen analyses (alleen lezen).",
        },
    ]
    marts = []
    for m in MARTS.values():
        for name, what in (
            (f"{m.name}.csv", "CSV (komma's, UTF-8)"),
            (f"{m.name}.parquet", "Parquet"),
            (f"{NL_FOLDER}/{m.name}.csv", "CSV voor Excel in het Nederlands (puntkomma's, decimale komma)"),
        ):
            files.append({"file": name, "href": marts_href + name, "what": what, "mart": m.name})
        columns = []
        for c in m.columns:
            codes = marts_nl.code_labels(m.name, c.name)
            columns.append(
                {
                    "name": c.name,
                    "type": marts_nl.TYPE_NL.get(c.type, c.type),
                    "unit": plain(c.unit),
                    "nl": marts_nl.column_nl(m.name, c.name),
                    "en": plain(c.description),
                    "codes": [[k, v] for k, v in codes.items()] if codes else None,
                    "key": c.name in m.key,
                }
            )
        marts.append(
            {
                "name": m.name,
                "purpose": marts_nl.MART_PURPOSE_NL.get(m.name),
                "purpose_en": plain(m.purpose),
                "grain": marts_nl.MART_GRAIN_NL.get(m.name),
                "grain_en": plain(m.grain),
                "key": list(m.key),
                "columns": columns,
            }
        )
    return {"files": files, "marts": marts}
