"""asyncell host: runs notebook cells on one persistent trio or asyncio event loop.

Cells can use::

    from asyncell import background, display, clear_output

``background`` is the session's supervised task group (also bound as ``GLOBAL_NURSERY``
and ``background`` in the cell namespace); ``display`` shows rich output (with a
``display_id``, replaceable with ``update_display``), ``clear_output`` clears it.  The host
speaks the protocol of docs/protocol.md section 2 with the asyncell server.
"""

from .background import background
from .display import DisplayHandle, clear_output, display, update_display

# The binary runs an installed package only when it is exactly its own host: keep this
# equal to server/Cargo.toml's version (a cargo test checks it).
__version__ = "0.1.0"

__all__ = ["background", "display", "update_display", "clear_output", "DisplayHandle",
           "__version__"]
