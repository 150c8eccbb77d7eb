"""Command line: a thin layer over the library that turns GuideError into a message and an exit code.

Every line it prints is in the volunteer's language (`--lang vi|en`, else the system locale).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from .. import pipeline
from ..messages import VOLUNTEER_LANGUAGES, say, system_language, use_language
from ..printing import print_run
from ..problems import GuideError
from ..progress import Progress
from ..source import registry, translations
from ..source.load import Project
from ..source.model import CATEGORIES, CATEGORY_NAMES_VI
from . import preview, scaffold

REPORT_FILE = "translation-report.html"


def _build(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    result = pipeline.build(args.root, args.output, progress=Progress())
    _report, lock_changed = translations.update(result.guide)
    for warning in result.warnings:
        print(say("warning: {warning}", warning=warning), file=sys.stderr)
    for line in result.registered:
        print(say("recorded in plaques.yaml, the tool's list of plaque ids (keep this file with your change): {line}",
                  line=line))
    if lock_changed:
        print(say(translations.LOCK_NOTE))
    print(say("Built {sites} sites in {languages} languages, with plaques, into {output} in {seconds:.1f} s",
              sites=len(result.guide.sites), languages=len(result.guide.languages), output=result.output,
              seconds=time.perf_counter() - started))
    return 0


def _check(args: argparse.Namespace) -> int:
    guide, issued = pipeline.check(args.root, media_progress=Progress())
    if args.before:  # the publishing workflow: against main as it was before this change
        problems = registry.history(guide, issued, registry.project_snapshot(args.before))
        if problems:
            raise GuideError(problems)
    for warning in [*guide.notes, *registry.reused_addresses(guide, issued)]:
        print(say("warning: {warning}", warning=warning), file=sys.stderr)
    print(say("All {count} site files and the plaque registry are valid.", count=len(guide.sites)))
    report, lock_changed = translations.update(guide)
    if lock_changed:
        print(say(translations.LOCK_NOTE))
    print("\n" + say("Translations:"))
    print(report.table())
    target = args.report or args.root / REPORT_FILE
    target.write_text(report.html(), encoding="utf-8")
    print(say("Report for coordinators: {file}", file=target))
    return 0


def _plaques(args: argparse.Namespace) -> int:
    options = print_run.PlaqueOptions(args.size, args.paper, args.bleed, args.level, tuple(args.sites), args.logo,
                                      args.organisation, args.area, args.engrave)
    output, warnings = pipeline.build_plaques(args.root, options, args.output or args.root / "plaques-print", Progress())
    for warning in warnings:
        print(say("warning: {warning}", warning=warning), file=sys.stderr)
    if args.engrave:
        print(say("Engraving files ({size}: SVG and PDF, one colour, text as outlines) written to {output}; every QR code "
                  "was read back.", size=args.size, output=output))
    else:
        print(say("Plaques ({size}, a sheet per organisation on {paper}) written to {output}; every QR code was read back.",
                  size=args.size, paper=args.paper.upper(), output=output))
    return 0


def _ask(value: str | None, question: str, choices: tuple[str, ...] = ()) -> str:
    """An option's value, or the answer to a question when run by a person at a terminal."""
    if value:
        return value
    if not sys.stdin.isatty():
        raise GuideError(say("{question}: give it as an option (see --help)", question=question))
    while True:
        answer = input(f"{question}{' (' + ', '.join(choices) + ')' if choices else ''}: ").strip()
        if answer and (not choices or answer in choices):
            return answer


def _new(args: argparse.Namespace) -> int:
    name = _ask(args.name, say("Name in Vietnamese"))
    category = _ask(args.category, say("Category"), (*CATEGORY_NAMES_VI, *CATEGORIES))
    area = _ask(args.area, say("Town or district"))
    path, plaque_id = scaffold.new_site(args.root, args.slug, name, category, area)
    print(say("Created {file} with plaque id {id}, and the folder media/{slug}/ for its photos and audio.",
              file=path, id=plaque_id, slug=args.slug))
    print(say("Fill in the file, then run: ./guide check"))
    return 0


def _id(args: argparse.Namespace) -> int:
    print(say("A free plaque id for {slug}: {id} (write it as 'id: {id}' in sites/{slug}.yaml)",
              slug=args.slug, id=scaffold.free_id(args.root, args.slug)))
    return 0


def _serve(args: argparse.Namespace) -> int:
    return preview.serve(args.root, args.host, args.port)


def _edit(args: argparse.Namespace) -> int:
    return preview.serve(args.root, args.host, args.port, form=True)


def _keep_layout(args: argparse.Namespace) -> int:
    for path in preview.keep_layout(Project(args.root), args.since):
        print(say("Saved from the form; its other lines kept as they were: {file}", file=path))
    return 0


def _plaque_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("sites", nargs="*", help="plaque ids or slugs (default: all sites)")
    command.add_argument("--organisation", help="only the sites this organisation looks after (its key, short or full name)")
    command.add_argument("--area", help="only the sites of this area, e.g. \"Quảng Yên\" or quang yen")
    command.add_argument("--size", default=print_run.DEFAULT_PRESET,
                         help="sticker, a6, a5, a4 or WIDTHxHEIGHT in mm (default: a6)")
    command.add_argument("--paper", default=print_run.DEFAULT_PAPER, choices=["a4", "a3"], help="sheet paper")
    command.add_argument("--bleed", type=float, default=3.0, help="bleed around each plaque on the sheet, mm")
    command.add_argument("--level", default="Q", choices=["M", "Q", "H"], help="QR error correction")
    command.add_argument("--logo", type=Path, default=None,
                         help="PNG/JPEG placed over the code's centre (covers 10%%; switches to level H)")
    command.add_argument("--engrave", action="store_true",
                         help="for etching or laser engraving: one colour, text as outlines, no bleed (SVG and PDF)")
    command.add_argument("--output", type=Path, default=None, help="folder to write (default: plaques-print/)")


def _build_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--output", type=Path, default=None, help="where to build (default: site/)")


def _check_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--report", type=Path, default=None, help=f"where to write the report (default: {REPORT_FILE})")
    command.add_argument("--before", type=Path, default=None, metavar="FOLDER",
                         help="a copy of the guide as last published (e.g. a git worktree of main): fail if "
                              "plaques.yaml lost any of its lines or a plaque id moved to another place")


def _new_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("slug", help="page address, e.g. dinh-yen-giang")
    command.add_argument("--name", help="name in Vietnamese")
    command.add_argument("--category", help="e.g. đình, đền, chùa (or communal-house, temple, pagoda…)")
    command.add_argument("--area", help="town or district in Vietnamese, e.g. Quảng Yên")


def _keep_layout_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--since", required=True, metavar="COMMIT", help="the commit before the edits, e.g. origin/main")


def _id_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("slug", help="the site's page address, e.g. dinh-yen-giang")


def _serve_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--host", default="127.0.0.1",
                         help="address to listen on (default 127.0.0.1: this computer only; 0.0.0.0 opens the "
                              "preview to the whole network)")
    command.add_argument("--port", type=int, default=8000)


Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Handler, Callable[[argparse.ArgumentParser], None], str]] = {
    "build": (_build, _build_options, "validate and build the guide and plaques into site/ (the default)"),
    "check": (_check, _check_options, "validate everything and report missing or out-of-date translations"),
    "plaques": (_plaques, _plaque_options, "write plaques and a print sheet with a chosen size, paper and sites"),
    "new": (_new, _new_options, "start a new site file (never overwrites)"),
    "id": (_id, _id_options, "print a plaque id that no site uses and none was ever issued"),
    "serve": (_serve, _serve_options, "preview at http://127.0.0.1:8000, rebuilding when files change"),
    "edit": (_edit, _serve_options, "the preview, with the form editor at /admin/ working on this folder"),
    "keep-layout": (_keep_layout, _keep_layout_options,
                    "in the site files changed since a git commit, keep every line the form editor did not edit"),
}


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="build.py", description="Build the multilingual heritage guide.")
    main.add_argument("--root", type=Path, default=Path.cwd(), help="the guide's folder (default: here)")
    main.add_argument("--lang", choices=VOLUNTEER_LANGUAGES, default=None,
                      help="language of messages (default: from the system locale)")
    sub = main.add_subparsers(dest="command")
    for name, (_handler, add_options, help_text) in COMMANDS.items():
        add_options(sub.add_parser(name, help=help_text))
    return main


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not any(arg in COMMANDS for arg in argv) and not any(arg in ("-h", "--help") for arg in argv):
        argv.append("build")  # `python build.py` alone builds
    args = parser().parse_args(argv)
    args.root = args.root.resolve()  # MkDocs resolves a relative docs_dir against its config's folder, not ours
    use_language(args.lang or system_language())
    try:
        return COMMANDS[args.command][0](args)
    except GuideError as error:
        print(error, file=sys.stderr)
        count = len(error.problems)
        print("\n" + say("{count} problem(s) found; nothing was built or changed.", count=count), file=sys.stderr)
        return 1
    except OSError as error:  # a full disk, a folder that cannot be written: say so in one line (site/ is kept)
        print(say("the build stopped: {error}", error=preview.describe(error)), file=sys.stderr)
        return 1
    except KeyboardInterrupt:  # Ctrl+C: the build works in a folder of its own, so site/ and plaques.yaml are as before
        print("\n" + say("Stopped; nothing was changed."), file=sys.stderr)
        return 130
