"""The specification in docs/ is the repository's own and stays in step with the code."""

from __future__ import annotations

import re

from pipelines.contract.catalogues import BOOLEAN_WORDS, CATALOGUES
from pipelines.contract.codebook import MODULES
from pipelines.contract.codebook_docs import describe_markdown
from pipelines.core import paths

DOCS = paths.PROJECT_ROOT / "docs"


def test_the_codebook_document_is_the_generated_one():
    """docs/codebook.md is `regiobench codebook`'s output: regenerate it after changing codebook.py or catalogues.py."""
    assert (DOCS / "codebook.md").read_text(encoding="utf-8") == describe_markdown()


def test_the_codebook_names_every_module_catalogue_and_boolean_word():
    text = describe_markdown()
    for module in MODULES.values():
        assert f"## `{module.name}` → `{module.table}`" in text
    for catalogue in CATALOGUES.values():
        assert re.search(rf"^\| `{catalogue.name}` \| {re.escape(catalogue.description)} \|", text, re.M)
    for word in BOOLEAN_WORDS:
        assert f"`{word}`" in text


def test_docs_link_only_to_documents_that_exist():
    """Every relative Markdown link in docs/ and README.md points at a file of the repository."""
    broken = []
    for page in [*DOCS.glob("*.md"), paths.PROJECT_ROOT / "README.md"]:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
            if "://" not in target and not (page.parent / target).exists():
                broken.append(f"{page.name}: {target}")
    assert broken == []
