"""The README's screenshots (``make screenshots``): the overview page and a region report, from the published
site and marts, in Debian's headless Chromium. Written to docs/img/ and committed with the README.

    python -m pipelines.app.screenshots [--marts DIR] [--dashboards DIR] [--out DIR] [--region CODE]

The region report shown is that of ``--region``, else of the region with the most unjustified deviations in
the latest wave (ties: the lowest code), so that the picture shows flags.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from pipelines.app.exits import EXIT_FAILED, EXIT_OK
from pipelines.contract.verdicts import UNJUSTIFIED
from pipelines.core import paths
from pipelines.publish.outputs import publication_of
from pipelines.site.rapport import CHROMIUM, RapportError, load_published, report_html, require_chromium, stage_assets

OVERVIEW = "overzicht.png"
REPORT = "regiorapport.png"


def main(argv: list[str] | None = None) -> int:
    a = argparse.ArgumentParser(prog="python -m pipelines.app.screenshots", description=__doc__)
    a.add_argument("--marts", type=Path, default=paths.MARTS)
    a.add_argument("--dashboards", type=Path, default=paths.DASHBOARDS)
    a.add_argument("--out", type=Path, default=paths.PROJECT_ROOT / "docs" / "img")
    a.add_argument("--region", default=None)
    a.add_argument("--chromium", type=Path, default=CHROMIUM)
    args = a.parse_args(argv)
    try:
        require_chromium(args.chromium)
        p = load_published(args.marts, args.dashboards, (publication_of(args.marts) or {}).get("time"))
    except RapportError as e:
        print(f"screenshots: {e}", file=sys.stderr)
        return EXIT_FAILED
    wave = p.waves[-1]
    reg = p.marts["variation_register"]
    flags = reg[(reg["wave"] == wave) & (reg["verdict"] == UNJUSTIFIED)].groupby("region_code").size()
    code = args.region or (sorted(flags[flags == flags.max()].index)[0] if len(flags) else next(iter(p.regions)))
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(args.chromium), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000}, locale="nl-NL")
            page.goto((Path(args.dashboards) / "index.html").resolve().as_uri())
            page.wait_for_selector("body[data-charts='1']", state="attached", timeout=60_000)
            page.screenshot(path=str(args.out / OVERVIEW))
            page.close()
            folder = Path(tmp)
            stage_assets(p, folder)
            html = folder / f"{code}.html"
            html.write_text(report_html(p, code, wave), encoding="utf-8")
            page = browser.new_page(viewport={"width": 760, "height": 1000}, locale="nl-NL")
            page.emulate_media(media="print")
            page.goto(html.as_uri())
            page.wait_for_selector("body[data-charts='1']", state="attached", timeout=60_000)
            page.add_style_tag(content="body { padding: 8mm; background: #ffffff; }")
            page.screenshot(path=str(args.out / REPORT), full_page=True)
        finally:
            browser.close()
    for name in (OVERVIEW, REPORT):
        print(args.out / name)
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
