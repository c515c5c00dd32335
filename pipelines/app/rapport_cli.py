"""``regiobench rapport``: the region reports as PDF (:mod:`pipelines.site.rapport`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from pipelines.app.exits import EXIT_FAILED, EXIT_OK
from pipelines.core import paths


def add_parser(sub) -> None:
    rap = sub.add_parser("rapport", help="regiorapporten als PDF (twee A4), één per regio")
    rap.add_argument(
        "--region",
        action="extend",
        nargs="+",
        default=None,
        metavar="CODE",
        help="regiocode(s), bijvoorbeeld VR01 VR02 (standaard alle regio's)",
    )
    rap.add_argument("--wave", type=int, default=None, help="peiljaar (standaard het laatste)")
    rap.add_argument("--out", type=Path, required=True, help="map voor de PDF's")
    rap.add_argument("--marts", type=Path, default=paths.MARTS, help="de gepubliceerde marts (standaard data/marts)")
    rap.add_argument(
        "--dashboards", type=Path, default=paths.DASHBOARDS, help="de gepubliceerde site (standaard data/dashboards)"
    )
    rap.add_argument(
        "--chromium",
        type=Path,
        default=Path(os.environ.get("REGIOBENCH_CHROMIUM", "/usr/bin/chromium")),
        help="Chromium om mee af te drukken (standaard /usr/bin/chromium)",
    )


def run(args) -> int:
    from pipelines.publish.outputs import publication_of
    from pipelines.site.rapport import RapportError, load_published, require_chromium, write_reports

    try:
        require_chromium(args.chromium)  # said first: without Chromium no report can be made
        published = load_published(args.marts, args.dashboards, (publication_of(args.marts) or {}).get("time"))
        written = write_reports(published, args.out, args.region, args.wave, args.chromium)
    except RapportError as e:
        print(f"regiobench rapport: {e}", file=sys.stderr)
        return EXIT_FAILED
    for f in written:
        print(f)
    print(f"{len(written)} regiorapport{'en' if len(written) != 1 else ''} geschreven in {args.out}.")
    return EXIT_OK
