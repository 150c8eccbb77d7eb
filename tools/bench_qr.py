#!/usr/bin/env python3
"""How big are the plaque QR codes? Symbol version and module size for every sample address.

For each site's plaque address (from the real project settings) and the same address in lower case:
the QR version and modules per side at each error correction level, then, at level Q, the printed
size of one module on every plaque preset (code width / (modules + 8 quiet-zone modules)).
Upper case fits QR's alphanumeric mode, so its symbols are smaller and its modules larger.

    python tools/bench_qr.py            # the project in this repository
    python tools/bench_qr.py PATH       # another project folder (with mkdocs.yml and sites/)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator.printing import plaques, qr  # noqa: E402 - needs the repository on sys.path
from generator.source.load import load_guide  # noqa: E402
from generator.web import addresses  # noqa: E402

LEVELS = tuple(qr.ERROR_LEVELS)
PRINT_LEVEL = "Q"


def table(header: list[str], rows: list[list[str]], right_from: int = 1) -> str:
    """A plain-text table; columns from `right_from` on are right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            cell.rjust(width) if i >= right_from else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(row) for row in rows)])


def module_mm(preset: plaques.Preset, symbol: qr.Symbol) -> float:
    return plaques.qr_side(preset) / (symbol.size + 2 * qr.QUIET_ZONE)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", nargs="?", type=Path, default=ROOT, help="project folder (default: this repository)")
    args = parser.parse_args(argv)

    guide = load_guide(args.project)
    addresses_by_site = [(site.id, addresses.plaque_url(guide, site.id)) for site in guide.sites]

    started = time.perf_counter()
    symbols: dict[tuple[str, str], qr.Symbol] = {}
    for _plaque_id, url in addresses_by_site:
        for text in (url, url.lower()):
            for level in LEVELS:
                symbols[text, level] = qr.make_symbol(text, level)
    elapsed = time.perf_counter() - started

    rows = []
    for plaque_id, url in addresses_by_site:
        for form, text in (("upper", url), ("lower", url.lower())):
            cells = [f"v{symbols[text, level].version} {symbols[text, level].size}" for level in LEVELS]
            rows.append([plaque_id if form == "upper" else "", form, text, str(len(text)), *cells])
    print(f"QR symbols: version and modules per side (without the {qr.QUIET_ZONE}-module quiet zone)\n")
    print(table(["id", "form", "address", "chars", *LEVELS], rows, right_from=3))

    presets = list(plaques.PRESETS.values())
    header = ["id"] + [f"{p.name} upper" if i % 2 == 0 else f"{p.name} lower" for p in presets for i in range(2)]
    rows = []
    for plaque_id, url in addresses_by_site:
        cells = []
        for preset in presets:
            for text in (url, url.lower()):
                size = module_mm(preset, symbols[text, PRINT_LEVEL])
                cells.append(f"{size:.2f}" + ("!" if size < plaques.MIN_MODULE_MM else ""))
        rows.append([plaque_id, *cells])
    sides = ", ".join(
        f"{p.name} {p.width:g}x{p.height:g} mm: code {plaques.qr_side(p):.1f} mm" for p in presets
    )
    print(f"\nModule size in mm at level {PRINT_LEVEL}, upper- and lower-case address side by side")
    print(f"(code width incl. quiet zone: {sides}; ! = under {plaques.MIN_MODULE_MM} mm)\n")
    print(table(header, rows))
    print(f"\n{len(symbols)} symbols made in {elapsed * 1000:.0f} ms ({elapsed / len(symbols) * 1000:.2f} ms each)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
