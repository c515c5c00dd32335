"""One home per fact (issue 16, point 1): indicators, verdicts and status codes live in pipelines/contract/.

These tests fail when such a fact is written a second time outside the
contract package, and when what the site shows differs from what the engine uses.
"""

from __future__ import annotations

import ast
import re

import pandas as pd
import pytest

from pipelines.contract import docs, indicators, learning, reasons, statuses, verdicts
from pipelines.core import paths
from pipelines.engine import build, explain, sentences
from pipelines.site import labels

PIPELINES = paths.PROJECT_ROOT / "pipelines"
CONTRACT = PIPELINES / "contract"

#: Folders still to be brought onto the contract, each with why. Remove an entry to include it in the scan.
NOT_YET_SCANNED: dict[str, str] = {}
#: Codes scanned for.
IDS = set(indicators.INDICATOR_IDS)
VERDICT_CODES = set(verdicts.VERDICTS)
SUBMISSION_CODES = set(statuses.SUBMISSION_STATUSES)
#: (file, literal) outside the contract that spells a submission status but means something else, with why.
NOT_A_STATUS = {
    ("defs/reference/assets.py", "ontbreekt"): "the data version of a reference file that is absent",
}


def _files(*suffixes: str):
    for path in sorted(PIPELINES.rglob("*")):
        rel = path.relative_to(PIPELINES)
        if path.suffix in suffixes and CONTRACT not in path.parents and rel.parts[0] not in NOT_YET_SCANNED:
            yield path


def _python_literals(path) -> list[str]:
    """Every string constant of a Python file that is exactly one code (docstrings and prose never are)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _sql_literals(text: str) -> list[str]:
    """The '...' literals of SQL, comments left out."""
    return re.findall(r"'([^'\n]*)'", re.sub(r"--[^\n]*", "", text))


def test_no_python_module_outside_the_contract_writes_an_indicator_id_or_verdict_code():
    found = []
    for path in _files(".py"):
        for value in _python_literals(path):
            if value in IDS or value in VERDICT_CODES:
                found.append(f"{path.relative_to(PIPELINES)}: {value!r}")
            # SQL inside Python (mart checks, queries): an indicator id there is a second home too
            for lit in _sql_literals(value) if "'" in value else ():
                if lit in IDS:
                    found.append(f"{path.relative_to(PIPELINES)}: SQL {lit!r}")
    assert found == []


def test_no_python_module_outside_the_contract_writes_a_submission_status():
    """Ingest, engine, runner and site name the statuses by pipelines.contract.statuses; SQL binds them."""
    found = []
    for path in _files(".py"):
        rel = str(path.relative_to(PIPELINES))
        for value in _python_literals(path):
            for lit in [value, *(_sql_literals(value) if "'" in value else ())]:
                if lit in SUBMISSION_CODES and (rel, lit) not in NOT_A_STATUS:
                    found.append(f"{rel}: {lit!r}")
    assert found == []


def test_why_a_module_is_not_in_use_is_said_per_status():
    """The sentences of engine.explain.status_phrase, per status, as an analyst reads them."""
    codes = [statuses.REJECTED, statuses.REJECTED, statuses.CONFLICT, statuses.ABSENT, statuses.LOADED]
    got = explain.status_phrase(
        pd.Series(["risico", "x", "lessen", "lessen", "lessen"]), pd.Series(codes), pd.Series([1, 3, 1, 0, 0])
    )
    assert got.tolist() == [
        "de module 'risico' (risicobeoordeling) is afgewezen (1 fout) en er zijn geen eerder geladen gegevens",
        "de module 'x' is afgewezen (3 fouten) en er zijn geen eerder geladen gegevens",
        "de module 'lessen' is niet geladen, omdat er meerdere werkboeken van de regio zijn (conflict)",
        "de module 'lessen' is niet aangeleverd (status ontbreekt)",
        "de module 'lessen' is niet aangeleverd",
    ]


def test_the_site_scripts_and_templates_write_no_indicator_id():
    found = [
        f"{p.relative_to(PIPELINES)}: {m}"
        for p in _files(".js", ".j2")
        for m in re.findall(r"['\"]([a-z_]+)['\"]", p.read_text(encoding="utf-8"))
        if m in IDS
    ]
    assert found == []


#: Every code the site's scripts and templates work with: they take these from the metadata (S.codes).
SITE_CODES = (
    VERDICT_CODES
    | SUBMISSION_CODES
    | set(verdicts.PLAN_STATUSES)
    | set(verdicts.TRACKER_STATUSES)
    | set(reasons.REASON_CODES)
)
#: Words on a page that are spelled like a code but are text: (file, word) -> where.
PAGE_WORDS = {
    ("site/static/pages/regios.js", "conform"): "column header, the glyph from the metadata beside it",
    ("site/static/pages/regios.js", "onderbouwd"): "column header ('afwijking, onderbouwd' in short)",
    ("site/static/pages/overzicht.js", "onderbouwd"): "tile map legend, second line of 'niet / onderbouwd'",
    ("site/static/pages/overzicht.js", "geen"): "meta.role of the map's trace of regions without data",
}
S_CODE = re.compile(r"S\.code\(\s*'([a-z_]+)'\s*,\s*'([a-z_]+)'\s*\)")


def _script_literals(text: str) -> list[str]:
    """Quoted strings, leaving out S.code(group, name) (names, not codes) and element ids (words of the page)."""
    text = S_CODE.sub("", text)
    text = re.sub(r"S\.(?:byId|put|purge|plot)\(\s*'[^']*'|\bid=\"[^\"]*\"", "", text)
    return re.findall(r"'([^'\n]*)'|\"([^\"\n]*)\"", text)


def test_site_scripts_and_templates_name_no_verdict_or_status_code():
    """Order, colour, glyph and marker of every code reach the scripts as metadata (pipelines.site.labels.CODES)."""
    found = []
    for p in _files(".js", ".j2"):
        rel = str(p.relative_to(PIPELINES))
        text = p.read_text(encoding="utf-8")
        words = [a or b for a, b in _script_literals(text)] + re.findall(r"\b[vs]-([a-z_]+)", text)
        found += [f"{rel}: {w!r}" for w in words if w in SITE_CODES and (rel, w) not in PAGE_WORDS]
    assert found == []


#: Looks of a code that are also the page's own: white (the background) and the dash and dot of "no value".
GENERIC_MARKS = {"#ffffff", "–", "·"}


def test_the_shared_script_holds_no_colour_or_glyph_of_a_code():
    text = (PIPELINES / "site" / "static" / "site.js").read_text(encoding="utf-8").lower()
    looks = [
        *verdicts.VERDICT_LOOKS.values(),
        *verdicts.PLAN_LOOKS.values(),
        *verdicts.TRACKER_LOOKS.values(),
        *reasons.REASON_LOOKS.values(),
    ]
    marks = {x.lower() for look in looks for x in (look.color, look.glyph) if len(x) > 1 or ord(x) > 0x2000}
    marks |= {g for g in statuses.SUBMISSION_GLYPHS.values() if ord(g) > 0x2000}
    marks -= GENERIC_MARKS
    assert sorted(m for m in marks if m in text) == []


def test_every_code_a_script_asks_for_is_in_the_metadata():
    """S.code(group, name) throws in the browser for an unknown name; this finds it before a page is opened."""
    asked = {m for p in _files(".js") for m in S_CODE.findall(p.read_text(encoding="utf-8"))}
    groups = {
        g for p in _files(".js") for g in re.findall(r"S\.(?:order|glyphs|look)\('([a-z_]+)'", p.read_text("utf-8"))
    }
    known = {(g, name) for g, group in labels.CODES.items() for name in group["names"]}
    assert asked and asked <= known, asked - known
    assert groups and groups <= set(labels.CODES)


def test_the_metadata_names_every_code_once():
    for group in labels.CODES.values():
        assert sorted(group["names"].values()) == sorted(group["order"]) == sorted(group["look"])
    assert labels.CODES["verdict"]["order"] == list(verdicts.VERDICTS)
    assert sorted(labels.CODES["verdict"]["by_concern"]) == sorted(verdicts.VERDICTS)
    assert sorted(labels.CODES["plan"]["order"]) == sorted(verdicts.PLAN_STATUSES)
    assert sorted(labels.CODES["recommendation_status"]["order"]) == sorted(verdicts.TRACKER_STATUSES)
    assert labels.CODES["submission"]["order"] == list(statuses.SUBMISSION_STATUSES)
    assert labels.CODES["reason"]["order"] == list(reasons.REASON_CODES)
    assert labels.CODES["reason"]["counts"] == list(reasons.COUNTS)
    assert list(labels.REASON_STATUS) == list(reasons.REASON_CODES)


def test_the_stylesheet_styles_every_verdict_and_status_and_no_other_code():
    """site.css keeps its badge classes (.v-<verdict>, .s-<status>); they must be the contract's codes and colours."""
    css = (PIPELINES / "site" / "static" / "site.css").read_text(encoding="utf-8")
    borders = dict(re.findall(r"\.v-([a-z_]+) \{[^}]*border-color: (#[0-9A-Fa-f]{6})", css))
    assert borders == {code: look.color for code, look in verdicts.VERDICT_LOOKS.items()}
    assert set(re.findall(r"\.v-([a-z_]+)", css)) == VERDICT_CODES
    statuses_styled = set(re.findall(r"\.s-([a-z_]+)", css))
    assert statuses_styled == SITE_CODES - VERDICT_CODES | {verdicts.MISSING} | set(labels.SEVERITY)


def test_an_indicator_id_in_sql_is_only_the_one_its_model_file_is_named_after():
    """Allow-list, explained: int_<id>.sql computes indicator <id> and says so in `'<id>' as indicator_id`.

    Every other SQL file names no indicator id (SQL reads the metadata from
    int_indicator_definitions, which build.prepare writes from the contract).
    """
    found = []
    for path in _files(".sql"):
        for lit in _sql_literals(path.read_text(encoding="utf-8")):
            if lit in IDS and path.stem != f"int_{lit}":
                found.append(f"{path.relative_to(PIPELINES)}: {lit!r}")
    assert found == []


def test_every_indicator_has_one_model_file_and_int_indicators_unions_them_in_the_contracts_order():
    folder = PIPELINES / "sql" / "intermediate"
    for i in indicators.INDICATORS:
        text = (folder / f"int_{i.id}.sql").read_text(encoding="utf-8")
        assert f"'{i.id}' as indicator_id" in text
    union = re.findall(r"from (int_[a-z_]+)", (folder / "int_indicators.sql").read_text(encoding="utf-8"))
    assert union == [f"int_{i}" for i in indicators.INDICATOR_IDS]


def test_every_code_sql_writes_is_a_code_of_the_contract():
    """The marts set and count verdict and status codes in SQL; each must be one the contract knows."""
    unknown = []
    for path in _files(".sql"):
        text = re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))
        # literals compared with or assigned to a verdict/status: `verdict = 'x'`, `in ('x', 'y')`, `then 'x'`
        for m in re.finditer(r"(?:verdict|status)\s*(?:=|in)\s*\(?([^)\n]*)|then '([a-z_]+)'|else '([a-z_]+)'", text):
            lits = re.findall(r"'([a-z_]+)'", m.group(1) or "") + [g for g in m.groups()[1:] if g]
            known = set(verdicts.ALL_CODES) | set(reasons.REASON_CODES) | set(learning.CODES)
            unknown += [f"{path.name}: {lit}" for lit in lits if lit not in known]
    assert unknown == []


def test_the_sites_indicator_metadata_is_the_engines():
    engine = {i.id: (i.domain, i.polarity, i.recommendation) for i in build.INDICATORS}
    site = {k: (m["domain"], m["polarity"], m["recommendation"]) for k, m in labels.INDICATORS.items()}
    to_dutch = {k: (d, indicators.POLARITY_NL[p], r) for k, (d, p, r) in engine.items()}
    assert site == to_dutch
    assert list(labels.INDICATORS) == list(build.INDICATOR_IDS)
    assert set(labels.DOMAINS) == {i.domain for i in build.INDICATORS}
    assert {m["recommendation"] for m in labels.INDICATORS.values()} <= set(labels.RECOMMENDATIONS)


def test_the_sites_codes_are_the_engines():
    assert list(labels.VERDICTS) == list(explain.VERDICTS)
    assert list(labels.PLAN_STATUS) == list(build.PLAN_STATUSES)
    assert list(labels.RECOMMENDATION_STATUS) == list(build.TRACKER_STATUSES)
    assert list(labels.NORM_SOURCES) == list(build.NORM_SOURCES)
    assert tuple(labels.SUBMISSION) == build.SUBMISSION_STATUSES == statuses.SUBMISSION_STATUSES
    assert set(statuses.NOT_IN_USE) <= set(statuses.SUBMISSION_STATUSES)


def test_every_indicator_has_its_sentence_and_every_sentence_an_indicator():
    assert sorted(sentences.SUBJECTS) == sorted(indicators.INDICATOR_IDS)


@pytest.mark.parametrize("ind", indicators.INDICATORS, ids=lambda i: i.id)
def test_what_the_explanation_needs_is_in_the_contract(ind):
    if ind.norm_type == "vastgesteld":
        assert ind.norm_phrase, "a uniform norm needs its phrase"
    if ind.norm_type == "landelijk":
        assert ind.empty_reason, "a share needs the reason why it can be empty"
    assert bool(ind.substantiation) == bool(ind.substantiation_phrases)


@pytest.mark.parametrize("name", docs.DOCUMENTS)
def test_the_generated_tables_in_docs_are_the_contracts(name):
    """Regenerate with `python -m pipelines.contract.docs` after changing the contract."""
    text = (paths.PROJECT_ROOT / "docs" / name).read_text(encoding="utf-8")
    assert "<!-- contract:indicators -->" in text and "<!-- contract:verdicts -->" in text
    assert text == docs.render(text)
    for i in indicators.INDICATORS:
        assert f"| `{i.id}` | {i.domain} | {i.en_label} |" in text
