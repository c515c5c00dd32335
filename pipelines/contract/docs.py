"""The parts of docs/ written from the contract: the indicator and verdict tables of docs/method.md.

A generated part sits between ``<!-- contract:NAME -->`` and
``<!-- /contract:NAME -->``; ``python -m pipelines.contract.docs`` rewrites
them, and ``tests/contract/test_contract.py`` fails when a document differs from its
regeneration (as ``regiobench codebook`` does for docs/codebook.md).
"""

from __future__ import annotations

import re
import sys

from pipelines.contract.indicators import INDICATORS, Indicator
from pipelines.contract.verdicts import VERDICT_WHEN
from pipelines.core import paths

DOCUMENTS = ("method.md",)


def _norm(i: Indicator) -> str:
    if i.norm_type == "model":
        return "`model` (O/E)" if i.kind == "ratio" else "`model` (residual)"
    if i.norm_type == "vastgesteld":
        at_least = "at least " if i.kind == "count" and i.polarity == "higher" else ""
        return f"`vastgesteld`: {at_least}{i.target:g}"
    return f"`{i.norm_type}`"


def indicator_table() -> str:
    lines = [
        "| indicator | domain | what it measures | norm type | polarity | substantiated when | recommendation |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [
        f"| `{i.id}` | {i.domain} | {i.en_label} | {_norm(i)} | {i.polarity} | {i.en_substantiated} "
        f"| {i.recommendation} |"
        for i in INDICATORS
    ]
    return "\n".join(lines)


def verdict_table() -> str:
    lines = ["| verdict | when |", "| --- | --- |"]
    lines += [f"| `{code}` | {when} |" for code, when in VERDICT_WHEN.items()]
    return "\n".join(lines)


PARTS = {"indicators": indicator_table, "verdicts": verdict_table}


def render(text: str) -> str:
    """``text`` with every generated part written anew."""
    for name, make in PARTS.items():
        pattern = re.compile(rf"(<!-- contract:{name} -->\n).*?(\n<!-- /contract:{name} -->)", re.S)
        text = pattern.sub(lambda m: m.group(1) + make() + m.group(2), text)
    return text


def main() -> int:
    for name in DOCUMENTS:
        path = paths.PROJECT_ROOT / "docs" / name
        path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
