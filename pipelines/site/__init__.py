"""The offline website under ``dashboards/``: built from the marts, opened by double-click.

``build_site(con, out, reference_dir)`` reads the marts (and the loader's tables
``stg_submission_status``, ``stg_problems``, and where present ``stg_risk_assessments``,
``stg_lessons``, ``ref_regions`` and ``run_history``) from a DuckDB connection and
writes the whole site into ``out``:

- one page per subject (``index.html``, ``indicatoren.html``, ...) and one per region
  (``regio/<code>.html``, all from one template);
- ``assets/plotly.min.js`` (copied once from the plotly package), ``assets/site.css``,
  ``assets/site.js`` and ``assets/pages/<page>.js``;
- ``assets/data/common.js`` (regions, indicators, labels: loaded by every page, written
  once), ``assets/data/regio.js`` (what all region pages share) and, beyond
  ``pages.OVERVIEW_LIMIT`` regions, ``assets/data/indicatoren/<id>.js`` (one indicator's
  register, loaded when the indicator is chosen).

Every page embeds its own data as JSON and draws charts and tables in the browser; the
shared data files are plain ``<script src>`` files that set a global, so the site works
from ``file://`` without any network or fetch(), and switching the wave needs no server.
Beyond ``OVERVIEW_LIMIT`` regions the pages with a row per region show a selection of
the regions and say so on the page. This package imports no Dagster; the asset lives in
``pipelines/defs/dashboards/assets.py``.
"""

from pipelines.site.builder import build_site, write_site
from pipelines.site.data import SiteDataError, load
from pipelines.site.pages import NAV, region_file

__all__ = ["NAV", "SiteDataError", "build_site", "load", "region_file", "write_site"]
