"""Re-extract translatable strings and merge them into every language's catalogs (keeps translations).

    python tools/update_catalogs.py

Two catalogs: `messages` holds what visitors read on pages and plaques (vi, en, zh); `cli` holds what
volunteers read from the commands (vi, en).
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "generator" / "locales"
DOMAINS = {"messages": ("t", "_"), "cli": ("say", "mark")}

for domain, keywords in DOMAINS.items():
    template = LOCALES / f"{domain}.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "--no-default-keywords",
               "--no-location", "--omit-header", "-o", str(template)]
    for keyword in keywords:
        command += ["-k", keyword]
    subprocess.run([*command, "."], cwd=ROOT, check=True, capture_output=True)
    for catalog in sorted(LOCALES.glob(f"*/LC_MESSAGES/{domain}.po")):
        subprocess.run([sys.executable, "-m", "babel.messages.frontend", "update", "-i", str(template), "-D", domain,
                        "-l", catalog.parent.parent.name, "-d", str(LOCALES), "--no-fuzzy-matching", "-w", "100",
                        "--ignore-obsolete"], cwd=ROOT, check=True, capture_output=True)
