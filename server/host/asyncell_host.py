"""Entry point the asyncell server runs: ``<python> asyncell_host.py --loop trio|asyncio``.

It only puts its own directory on sys.path and starts the ``asyncell`` package next to it,
so the host works with any interpreter the user picked, without installing anything.
Options: ``--loop trio|asyncio`` (default trio), ``--grace SECONDS`` (interrupt
escalation grace, default 5).
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from asyncell.host import main  # noqa: E402

if __name__ == "__main__":
    main()
