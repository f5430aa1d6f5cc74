#!/usr/bin/env python3
"""Build the council minutes archive. See README.md, or run `python build.py --help`."""
import sys

from site_gen.cli import main

if __name__ == "__main__":
    sys.exit(main())
