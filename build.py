#!/usr/bin/env python3
"""Build the council minutes archive. See README.md, or run `python build.py --help`."""
import gc
import sys

from site_gen.cli import main

if __name__ == "__main__":
    status = main(process_exits=True)
    # the interpreter's last collection at exit would walk every object the build made, to
    # free memory the process is about to give back whole
    gc.freeze()
    sys.exit(status)
