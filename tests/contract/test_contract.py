"""One home per fact (issue 16, point 1): indicators, verdicts and status codes live in pipelines/contract/.

These tests fail when such a fact is written a second time outside the
contract package, and when what the site shows differs from what the engine uses.
"""

from __future__ import annotations

import ast
import re

import pytest

from pipelines.contract import docs, indicators, verdicts
from pipelines.core import paths
from pipelines.engine import build, explain
from pipelines.site import labels

PIPELINES = paths.PROJECT_ROOT / "pipelines"
CONTRACT = PIPELINES / "contract"

#: Folders still to be brought onto the contract, each with why. Remove an entry to include it in the scan.
NOT_YET_SCANNED = {
    # being split by another helper (issue 16); its duplicated facts are listed in that helper's and this report
    "sample": "pipelines/sample/ is being split; it still writes indicator ids and verdict codes itself",
}
#: Codes scanned for. Submission, plan and tracker statuses are also words of ingest/SQL logic: see ALLOWED_STATUS.
IDS = set(indicators.INDICATOR_IDS)
VERDICT_CODES = set(verdicts.VERDICTS)


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


def test_the_site_scripts_and_templates_write_no_indicator_id():
    found = [
        f"{p.relative_to(PIPELINES)}: {m}"
        for p in _files(".js", ".j2")
        for m in re.findall(r"['\"]([a-z_]+)['\"]", p.read_text(encoding="utf-8"))
        if m in IDS
    ]
    assert found == []


#: Site scripts that still hard-code verdict/status codes: (file) -> why. Shrink this, never grow it.
JS_NOT_YET = {
    "site/static/pages/aanbevelingen.js": "order, colour and glyph of the tracker statuses (onvoldoende_gegevens)",
    "site/static/site.js": "S.VERDICTS and the colour/glyph per verdict (to come from the page data)",
    "site/static/pages/overzicht.js": "order of the verdict list on a domain card",
    "site/static/pages/regio.js": "verdict per scorecard column",
}


def test_site_scripts_write_no_verdict_code_except_the_listed_ones():
    found = sorted(
        {
            str(p.relative_to(PIPELINES))
            for p in _files(".js")
            if VERDICT_CODES & set(re.findall(r"['\"]([a-z_]+)['\"]", p.read_text(encoding="utf-8")))
        }
    )
    assert found == sorted(JS_NOT_YET)


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
            unknown += [f"{path.name}: {lit}" for lit in lits if lit not in verdicts.ALL_CODES]
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
    assert tuple(labels.SUBMISSION) == build.SUBMISSION_STATUSES


def test_every_indicator_has_its_sentence_and_every_sentence_an_indicator():
    assert sorted(explain.SUBJECTS) == sorted(indicators.INDICATOR_IDS)


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
