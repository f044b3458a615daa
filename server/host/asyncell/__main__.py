"""``python -m asyncell --loop trio|asyncio`` (same as server/host/asyncell_host.py)."""

from .host import main

main()
