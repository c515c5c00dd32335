"""Marts and dashboards are one publication: both swapped in, or neither (issue 15, point 6).

The failure injected is a real one a root process cannot get around with chmod: the rename that swaps in the
second folder (the dashboards) raises EROFS, as on a read-only file system. The previous publication must stay
byte for byte, the run must say so truthfully, and a run killed between the two swaps must be rolled back by the
next run so that both folders again belong to one publication.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.publish.outputs import MARKER, prepare, prepared_path, publication_of, recover_group, swap_together
from tests.support import ROOT


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def publish(targets: list[Path], pub: str, text: str) -> None:
    for t in targets:
        with prepare(t, pub, t.name, fingerprint="x") as folder:
            (folder / "a.txt").write_text(f"{text} {t.name}")
    swap_together(targets, pub)


def published_and_next_prepared(tmp_path: Path) -> tuple[Path, Path, dict[Path, dict[str, str]]]:
    """Marts and dashboards published as p1, and p2 prepared beside them but not swapped in yet."""
    marts, dash = tmp_path / "marts", tmp_path / "dash"
    publish([marts, dash], "p1", "eerste")
    before = {t: digest(t) for t in (marts, dash)}
    for t in (marts, dash):
        with prepare(t, "p2", t.name, fingerprint="y") as folder:
            (folder / "a.txt").write_text("tweede")
    return marts, dash, before


def assert_one_publication(tmp_path: Path, marts: Path, dash: Path, pub: str) -> None:
    """Both folders hold publication ``pub`` and nothing is left beside them."""
    assert publication_of(marts)["id"] == publication_of(dash)["id"] == pub
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dash", "marts"]


def run_in_process(root: Path, warehouse: Path, marts: Path, dash: Path) -> int:
    """`regiobench run --quiet` on the shipped returns, in this process (so a monkeypatched fault applies)."""
    from pipelines.app import cli

    return cli.main(
        [
            "run",
            "--raw",
            str(ROOT / "data" / "raw"),
            "--warehouse",
            str(warehouse),
            "--marts",
            str(marts),
            "--dashboards",
            str(dash),
            "--validation",
            str(root / "validation"),
            "--quiet",
        ]
    )


def failing_rename_into(monkeypatch, target: Path) -> None:
    real = Path.rename

    def rename(self, dest):
        if Path(dest) == target and self.name.startswith(f".{target.name}.new-"):
            raise OSError(errno.EROFS, "Read-only file system", str(dest))
        return real(self, dest)

    monkeypatch.setattr(Path, "rename", rename)


def test_a_failing_second_swap_undoes_the_first(tmp_path, monkeypatch):
    marts, dash, before = published_and_next_prepared(tmp_path)
    failing_rename_into(monkeypatch, dash)
    with pytest.raises(OSError):
        swap_together([marts, dash], "p2")
    assert {t: digest(t) for t in (marts, dash)} == before
    assert_one_publication(tmp_path, marts, dash, "p1")


@pytest.mark.parametrize("cut", ["after_first_swap", "inside_second_swap"])
def test_a_kill_between_the_two_swaps_is_rolled_back_by_recovery(tmp_path, cut):
    marts, dash, before = published_and_next_prepared(tmp_path)
    # What a kill -9 leaves: the marts swapped in, the dashboards not (or renamed aside, not yet replaced).
    marts.rename(tmp_path / ".marts.old-p2")
    prepared_path(marts, "p2").rename(marts)
    if cut == "inside_second_swap":
        dash.rename(tmp_path / ".dash.old-p2")
    assert publication_of(marts)["id"] == "p2"

    did = recover_group([marts, dash])
    assert did
    assert {t: digest(t) for t in (marts, dash)} == before
    assert_one_publication(tmp_path, marts, dash, "p1")


def test_a_finished_publication_is_not_rolled_back(tmp_path):
    """Killed while removing the previous folders: both hold the new publication, which stays."""
    marts, dash = tmp_path / "marts", tmp_path / "dash"
    publish([marts, dash], "p1", "eerste")
    shutil.copytree(marts, tmp_path / "kept")
    publish([marts, dash], "p2", "tweede")
    (tmp_path / "kept").rename(tmp_path / ".marts.old-p2")  # the previous version not yet removed
    assert recover_group([marts, dash]) == []
    assert_one_publication(tmp_path, marts, dash, "p2")


def test_the_run_publishes_neither_when_the_site_cannot_be_swapped_in(shipped_run, tmp_path, monkeypatch, capsys):
    """The real run in this process, against a copy of a loaded baseline; the dashboards' swap fails (EROFS)."""
    root = tmp_path
    warehouse, marts, dash = root / "warehouse.duckdb", root / "marts", root / "dashboards"
    shutil.copy(shipped_run.warehouse, warehouse)
    shutil.copytree(shipped_run.marts, marts)
    shutil.copytree(shipped_run.dashboards, dash)
    with duckdb.connect(str(warehouse)) as con:  # make both outputs out of date: both are rebuilt
        con.execute("delete from publication_state")
    before = {"marts": digest(marts), "dash": digest(dash)}
    assert "benchmark.xlsx" in before["marts"] and "nl/variation_register.csv" in before["marts"]
    previous = publication_of(marts)
    assert previous and previous["id"] == publication_of(dash)["id"]

    failing_rename_into(monkeypatch, dash.resolve())
    code = run_in_process(root, warehouse, marts, dash)
    out = capsys.readouterr()
    assert code == 1, out.out[-3000:]
    assert {"marts": digest(marts), "dash": digest(dash)} == before  # byte for byte the previous publication
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".")) == []
    assert "publication" in out.out and "MISLUKT" in out.out
    assert "oorzaak: de map is alleen-lezen (EROFS)" in out.out
    assert "DagsterExecutionStepExecutionError" not in out.out + out.err and "Traceback" not in out.out + out.err
    last = [line for line in out.out.splitlines() if line.strip()][-2]
    assert last.startswith("Niet gepubliceerd: marts nee, dashboards nee") and previous["id"] in last, last

    # The next run, without the fault, publishes both as one publication.
    monkeypatch.undo()
    code = run_in_process(root, warehouse, marts, dash)
    out = capsys.readouterr()
    assert code == 0, out.out[-3000:]
    now = publication_of(marts)
    assert now["id"] != previous["id"] and now["id"] == publication_of(dash)["id"]
    assert f"Gepubliceerd: marts ja, dashboards ja (publicatie {now['id']}" in out.out
    assert (marts / MARKER).is_file() and (dash / MARKER).is_file()


def test_marts_duckdb_holds_every_mart_and_is_read_only(shipped_run):
    from pipelines.engine.build import MART_TABLES

    path = shipped_run.marts / "marts.duckdb"
    assert not path.stat().st_mode & 0o222  # no write bit for anyone
    with (
        duckdb.connect(str(path), read_only=True) as pub,
        duckdb.connect(str(shipped_run.warehouse), read_only=True) as wh,
    ):
        for name in MART_TABLES:
            assert (
                pub.execute(f"select * from main.{name} order by all").fetchall()
                == wh.execute(f"select * from marts.{name} order by all").fetchall()
            ), name
