"""Resources shared by all assets: where the project's folders are, and the warehouse.

Defaults resolve from the project root (``pipelines.core.paths``), so the CLI,
``dagster dev`` and the tests agree wherever they are started. The CLI passes
its own values when given ``--raw``, ``--marts`` and so on.
"""

from contextlib import contextmanager
from pathlib import Path

import dagster as dg
from dagster_duckdb import DuckDBResource

from pipelines.app.runlock import write_lock
from pipelines.core import paths
from pipelines.ingest.warehouse import open_for_writing


class Warehouse(DuckDBResource):
    """The DuckDB warehouse; every connection holds the write lock that serialises writers
    (a CLI run and a run launched by the daemon never write at the same time).

    The connection is closed also when the asset fails: DuckDBResource closes it only
    on success, which leaves the file open for the rest of the process after an error.
    """

    lock_timeout: float = 600.0

    @contextmanager
    def get_connection(self):
        with write_lock(Path(self.database), timeout=self.lock_timeout):
            # A notebook holding the file open: wait as for another run, then say who holds it.
            con = open_for_writing(self.database, timeout=self.lock_timeout)
            try:
                yield con
            finally:
                con.close()


class ProjectFolders(dg.ConfigurableResource):
    """The folders a run reads from and publishes to."""

    raw_dir: str = str(paths.RAW)
    reference_dir: str = str(paths.REFERENCE)
    marts_dir: str = str(paths.MARTS)
    dashboards_dir: str = str(paths.DASHBOARDS)
    validation_dir: str = str(paths.VALIDATION)

    @property
    def raw(self) -> Path:
        return Path(self.raw_dir)

    @property
    def reference(self) -> Path:
        return Path(self.reference_dir)

    @property
    def marts(self) -> Path:
        return Path(self.marts_dir)

    @property
    def dashboards(self) -> Path:
        return Path(self.dashboards_dir)

    @property
    def validation(self) -> Path:
        return Path(self.validation_dir)


def make_resources(warehouse: Path | str = paths.WAREHOUSE, lock_timeout: float = 600.0, **folders) -> dict:
    return {
        "folders": ProjectFolders(**{k: str(v) for k, v in folders.items()}),
        "warehouse": Warehouse(database=str(warehouse), lock_timeout=lock_timeout),
    }


@dg.definitions
def defs() -> dg.Definitions:
    # In-process: the multiprocess executor would import the project again for every step.
    return dg.Definitions(resources=make_resources(), executor=dg.in_process_executor)
