"""The ``rmrun`` console script: hands over to the native ``rmrun`` binary."""

from __future__ import annotations

import os
import sys
from typing import List, Optional

__all__ = ["main", "remotemedia_main"]

EXIT_NOT_INSTALLED = 127


def main(argv: Optional[List[str]] = None) -> int:
    """Replace this process with ``remotemedia/_native/bin/rmrun``, passing
    the same arguments. Returns 127 (command not found) with a clear message
    when the native runtime is not installed."""
    from remotemedia._native import RMRUN_PATH

    args = sys.argv[1:] if argv is None else list(argv)
    binary = str(RMRUN_PATH)
    if not os.access(binary, os.X_OK):
        sys.stderr.write(
            "rmrun: the RemoteMedia native runtime is not installed "
            f"(expected the executable {binary}).\n"
            "The pure-Python SDK works without it, but rmrun needs it: install the "
            "package from a wheel or source build that includes the native runtime "
            "(the wheel from `make wheel`, or `pip install ./python` with the -dev packages; "
            "see docs/python-api.md#installing).\n"
        )
        return EXIT_NOT_INSTALLED
    os.execv(binary, [binary] + args)
    return 0  # not reached: execv replaces the process


def remotemedia_main(argv: Optional[List[str]] = None) -> int:
    """The ``remotemedia`` console script: ``remotemedia serve ...`` starts
    the node server (``rmrun serve``, docs/remote.md) from this package's
    native runtime, so a GPU machine needs only ``pip install``."""
    args = sys.argv[1:] if argv is None else list(argv)
    if not args or args[0] not in ("serve",):
        sys.stderr.write("usage: remotemedia serve --listen HOST:PORT [options]  (rmrun serve: see "
                         "`remotemedia serve --help`, docs/remote.md)\n")
        return 2
    return main(["serve"] + args[1:])


if __name__ == "__main__":
    sys.exit(main())
