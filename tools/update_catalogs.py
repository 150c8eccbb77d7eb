"""Re-extract interface strings and merge them into every language's catalog (keeps translations).

    python tools/update_catalogs.py
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "generator/locales/messages.pot"

subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "t", "-k", "_",
                "--no-location", "--omit-header", "-o", str(POT), "."], cwd=ROOT, check=True)
subprocess.run([sys.executable, "-m", "babel.messages.frontend", "update", "-i", str(POT),
                "-d", "generator/locales", "--no-fuzzy-matching", "-w", "100"], cwd=ROOT, check=True)
