"""``python -m sim.info``: what there is to run, one line each, and where to start.

The listing itself is sim/spec/listing.py.
"""

from __future__ import annotations

import argparse
import sys

from sim.spec.listing import TEMPLATE, listing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sim.info",
        description="List the scenarios, policies and studies, and the communes CSV template.",
    )
    parser.add_argument(
        "--template", action="store_true", help="print only the path of the communes template"
    )
    args = parser.parse_args(argv)
    print(TEMPLATE if args.template else listing())
    return 0


if __name__ == "__main__":
    sys.exit(main())
