"""The marts contract: each mart's purpose, grain, key and columns, kept beside its SQL.

Every mart has a file ``pipelines/sql/marts/<mart>.toml`` (as dbt keeps a
model's yml beside it), read with :mod:`tomllib` from the standard library:

- ``order``: the mart's place in the document and the engine's table list;
- ``purpose``, ``grain``: prose for the document;
- ``key``: the grain's columns (empty: no key, so no ``unique_grain`` check);
- ``contract_columns``: the first n columns are the contract (never renamed,
  removed or moved);
- ``[[columns]]``: every column the mart has, in order, with ``name``,
  ``type`` (DuckDB's, lower case), ``unit`` and ``description``.

:data:`MARTS` holds them; :func:`describe_markdown` writes
``docs/marts-contract.md`` from them. Pure Python: no Dagster, no DuckDB.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from pipelines.core import paths

#: The folder of the marts' SQL and contract files.
CONTRACT_DIR = paths.SQL / "marts"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    unit: str
    description: str


@dataclass(frozen=True)
class MartContract:
    name: str
    order: int
    purpose: str
    grain: str
    key: tuple[str, ...]
    n_contract: int
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def contract_columns(self) -> tuple[str, ...]:
        """The columns that come first, in this order, and never change."""
        return self.column_names[: self.n_contract]

    @property
    def types(self) -> dict[str, str]:
        """Column -> DuckDB type, in order."""
        return {c.name: c.type for c in self.columns}


def read_contract(path: Path) -> MartContract:
    """One mart's contract file; a file that breaks the format raises ``ValueError`` naming it."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    try:
        columns = tuple(Column(c["name"], c["type"], c["unit"], c["description"]) for c in data["columns"])
        contract = MartContract(
            Path(path).stem,
            int(data["order"]),
            data["purpose"],
            data["grain"],
            tuple(data["key"]),
            int(data["contract_columns"]),
            columns,
        )
    except (KeyError, TypeError) as e:
        raise ValueError(f"{path}: marts contract without {e}") from e
    names = contract.column_names
    if len(set(names)) != len(names):
        raise ValueError(f"{path}: a column is listed twice")
    if not 0 < contract.n_contract <= len(names) or not set(contract.key) <= set(contract.contract_columns):
        raise ValueError(f"{path}: contract_columns or key do not fit the columns")
    return contract


def read_contracts(folder: Path = CONTRACT_DIR) -> dict[str, MartContract]:
    """Every ``<mart>.toml`` in ``folder``, by ``order``."""
    found = [read_contract(p) for p in sorted(Path(folder).glob("*.toml"))]
    return {c.name: c for c in sorted(found, key=lambda c: c.order)}


#: Every mart's contract, in the document's order.
MARTS: dict[str, MartContract] = read_contracts()
#: Every mart's name, in that order: the tables of schema ``marts`` and the files of the marts folder.
MART_NAMES: tuple[str, ...] = tuple(MARTS)
#: The files of the marts folder beside each mart's ``<mart>.parquet`` and ``<mart>.csv``: every mart as a sheet of
#: one workbook, and every mart as a table of one DuckDB file for the analysts' own queries.
WORKBOOK = "benchmark.xlsx"
MARTS_DATABASE = "marts.duckdb"
#: The folder, inside the marts folder, of the CSV files for Dutch Excel (``nl/<mart>.csv``).
NL_FOLDER = "nl"

INTRO = """\
# The marts contract

The marts are what regiobench publishes for analysts and for other tools. This
page is their contract: for every mart its purpose, its grain (what one row
is), its key, and every column it has, with type, unit or codes, and meaning.
The method behind the numbers is in [method.md](method.md) and
[verdicts.md](verdicts.md); the codes of the survey are in
[codebook.md](codebook.md).

## Where the marts are

Each mart is a table in schema `marts` of the warehouse
(`data/warehouse.duckdb`) and a pair of files `data/marts/<mart>.parquet` and
`data/marts/<mart>.csv` (UTF-8, comma-separated, a decimal point, a header row).

For analysts who work in a spreadsheet there are two more forms, with the same
rows and, beside each column of codes, a column `<column>_label` holding the
Dutch words for the code (`verdict_label` beside `verdict`; which columns get
one: `pipelines/contract/column_labels.py`). The tables, the Parquet files and
`<mart>.csv` have only the codes.

- `data/marts/benchmark.xlsx`: a first sheet `Toelichting` (what the workbook
  holds, every sheet with its rows, every column with its unit and meaning from
  this contract), then every mart as a sheet of the same name, with a frozen
  header row, an autofilter and fitted column widths. Numbers are stored exact
  and shown rounded (three decimals; four for p-values and probabilities, five
  for variances, one for counts).
- `data/marts/nl/<mart>.csv`: for Excel set to Dutch, which opens it correctly
  by double-click: UTF-8 with a BOM, `;` between fields, a decimal comma, every
  digit of a number, booleans as `WAAR`/`ONWAAR`, CRLF line ends; NaN and
  infinity are empty, as in the workbook. Excel (like LibreOffice) reads a text
  that looks like a whole number or a date as one (a `window_waves` of `2019`,
  a `judged_on` date); the workbook keeps it as text.

In the workbook a text cell is always text, never a formula; in both CSV forms
a text that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
leading apostrophe; the Parquet files keep the exact text. Null is an empty
cell in CSV and workbook.

## What may change

- Mart and column names are exact. A column listed under **Contract columns**
  is never renamed, removed, moved or given another meaning. They come first,
  in the order below (checked on every build by the asset check
  `contract_columns`).
- Columns after them are published and documented here too; new columns may
  be added after the last one.
- The key of a mart is unique (asset check `unique_grain`).
- Types are DuckDB's (`integer`, `bigint`: whole numbers; `double`: decimal
  numbers; `varchar`: text; `boolean`: true/false). The same types are in the
  Parquet files.

Each mart's contract lives beside its SQL, as `pipelines/sql/marts/<mart>.toml`
(purpose, grain, key, how many columns are contract columns, and every column
with type, unit and description); `variation_register`, written from Python,
has its file there too. The engine takes its contract columns, keys and the
`unique_grain` and `contract_columns` checks from those files, and this page is
generated from them: `regiobench marts-contract > docs/marts-contract.md`.
`tests/engine/test_engine.py` fails when this page is not what the files generate,
and when a mart's columns or types, built on the sample, differ from its file.

## Format of the sections

Each mart is a section `### <mart>` with a short purpose, the lines
`- Grain:`, `- Key:` and `- Contract columns: the first <n>.`, and a table
`| column | type | unit / codes | description |` with one row per column, in
the order of the files.

"""

NOTES = """\
## Notes that apply to several marts

- In `variation_register`, `value` is the statistic the verdict compares; for
  `ex_count` that is O/E with `numerator` = O, `denominator` = E and
  `target` = 1. `indicator_values` keeps the plain value (for `ex_count` the
  count). Limits are null where the norm type has none (uniform norms).
- `submission_status` says for a rejected file whether earlier data of that
  region, module and wave is still in use (`earlier_data_in_use`, and in
  `message`); `submission_problems` lists each of the file's problems.
- Indicator ids, verdicts, norm types and the three-wave window: see
  [method.md](method.md).
"""


def _section(m: MartContract) -> list[str]:
    key = ", ".join(f"`{k}`" for k in m.key) or "none"
    out = [
        f"### {m.name}",
        "",
        m.purpose,
        "",
        f"- Grain: {m.grain}",
        f"- Key: {key}",
        f"- Contract columns: the first {m.n_contract}.",
        "",
        "| column | type | unit / codes | description |",
        "| --- | --- | --- | --- |",
    ]
    out += [f"| `{c.name}` | {c.type} | {c.unit} | {c.description} |" for c in m.columns]
    return out + [""]


def describe_markdown(marts: dict[str, MartContract] | None = None) -> str:
    """``docs/marts-contract.md``, generated from the contract files (or from ``marts``)."""
    out = [INTRO + "## The marts", ""]
    for m in (MARTS if marts is None else marts).values():
        out += _section(m)
    return "\n".join(out) + "\n" + NOTES
