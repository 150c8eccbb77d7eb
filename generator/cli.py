"""Command line: a thin layer over the library that turns GuideError into a message and an exit code."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import pipeline
from .problems import GuideError


def _build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    result = pipeline.build(args.root, args.output)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    for line in result.registered:
        print(f"registered in plaques.yaml (commit this file): {line}")
    sites, languages = len(result.guide.sites), len(result.guide.languages)
    print(f"Built {sites} sites in {languages} languages, with plaques, into {result.output} "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


def _check(args: argparse.Namespace) -> int:
    guide, _issued = pipeline.check(args.root)
    print(f"All {len(guide.sites)} site files and the plaque registry are valid.")
    return 0


def _plaques(args: argparse.Namespace) -> int:
    options = pipeline.PlaqueOptions(args.size, args.paper, args.bleed, args.level, tuple(args.sites), args.logo)
    try:
        output, warnings = pipeline.build_plaques(args.root, options, args.output)
    except ValueError as error:
        raise GuideError(str(error)) from None
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(f"Plaques ({args.size}, sheet on {args.paper.upper()}) written to {output}; every QR code was read back.")
    return 0


def _plaque_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("sites", nargs="*", help="plaque ids or slugs (default: all sites)")
    command.add_argument("--size", default=pipeline.DEFAULT_PRESET,
                         help="sticker, a6, a5, a4 or WIDTHxHEIGHT in mm (default: a6)")
    command.add_argument("--paper", default=pipeline.DEFAULT_PAPER, choices=["a4", "a3"], help="sheet paper")
    command.add_argument("--bleed", type=float, default=3.0, help="bleed around each plaque on the sheet, mm")
    command.add_argument("--level", default="Q", choices=["M", "Q", "H"], help="QR error correction")
    command.add_argument("--logo", type=Path, default=None,
                         help="PNG/JPEG placed over the code's centre (covers 10%%; switches to level H)")
    command.add_argument("--output", type=Path, default=Path("plaques-print"), help="folder to write")


COMMANDS = {
    "build": (_build, "validate and build the guide and plaques into site/ (the default)"),
    "check": (_check, "validate the site files and the plaque registry only"),
    "plaques": (_plaques, "write plaques and a print sheet with a chosen size, paper and sites"),
}


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="build.py", description="Build the multilingual heritage guide.")
    main.add_argument("--root", type=Path, default=Path.cwd(), help="the guide's folder (default: here)")
    sub = main.add_subparsers(dest="command")
    for name, (_handler, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text)
        if name == "build":
            command.add_argument("--output", type=Path, default=None, help="where to build (default: site/)")
        if name == "plaques":
            _plaque_options(command)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.command = args.command or "build"
    if not hasattr(args, "output"):
        args.output = None
    try:
        return COMMANDS[args.command][0](args)
    except GuideError as error:
        print(error, file=sys.stderr)
        count = len(error.problems)
        print(f"\n{count} problem{'s' if count != 1 else ''} found; nothing was built or changed.",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
