"""The shipped sample, generated once per session into a temporary folder and read back with the project's readers."""

from __future__ import annotations

import pandas as pd
import pytest

from pipelines import sample
from tests.sample.files import SEED, WAVES, Parsed


@pytest.fixture(scope="session")
def shipped(tmp_path_factory):
    """(raw folder, planted.csv, summary); reasons.csv lies beside planted.csv, wegingen.csv in reference/."""
    base = tmp_path_factory.mktemp("shipped")
    truth = base / "planted.csv"
    judgements = base / "reference" / "wegingen.csv"
    summary = sample.generate(base / "raw", WAVES, seed=SEED, ground_truth=truth, judgements=judgements)
    return base / "raw", truth, summary


@pytest.fixture(scope="session")
def parsed(shipped) -> Parsed:
    return Parsed(shipped[0])


@pytest.fixture(scope="session")
def truth(shipped) -> pd.DataFrame:
    return pd.read_csv(shipped[1], dtype={"wave": int}, keep_default_na=False)
