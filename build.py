"""Entry point: `python build.py [build|check|...]`; see README.md."""

import sys

from generator.commands.cli import main

if __name__ == "__main__":
    sys.exit(main())
