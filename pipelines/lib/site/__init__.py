"""The offline website under ``dashboards/``: built from the marts, opened by double-click.

``build_site(con, out, reference_dir)`` reads the marts (and the loader's tables
``stg_submission_status``, ``stg_problems``, and where present ``stg_risk_assessments``,
``stg_lessons``, ``ref_regions`` and ``run_history``) from a DuckDB connection and
writes the whole site into ``out``:

- one page per subject (``index.html``, ``indicatoren.html``, ...) and one per region
  (``regio/<code>.html``, all from one template);
- ``assets/plotly.min.js`` (copied once from the plotly package), ``assets/site.css``,
  ``assets/site.js`` and ``assets/pages/<page>.js``.

Every page embeds its own data as JSON and draws charts and tables in the browser,
so it works from ``file://`` without any network, and switching the wave needs no
server. This package imports no Dagster; the asset lives in
``pipelines/defs/dashboards/assets.py``.
"""

from pipelines.lib.site.builder import NAV, build_site, region_file, write_site
from pipelines.lib.site.data import SiteDataError, load

__all__ = ["NAV", "SiteDataError", "build_site", "load", "region_file", "write_site"]
