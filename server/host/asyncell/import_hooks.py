"""Patching a module when something first imports it, without importing it ourselves.

The host replaces a few functions of modules cells may use (``getpass.getpass``,
IPython's ``display``/``clear_output``/``update_display``) with versions that talk to
the front end.  Importing those modules at start-up would cost every host several
milliseconds (IPython: far more) for functions most cells never call, so a meta path
finder lets the usual finders locate the module and patches it right after it ran.
"""

from __future__ import annotations

import sys
from typing import Callable, Dict


class _AfterImport:
    """The finder: knows the modules to patch and steps aside once all were loaded."""

    def __init__(self) -> None:
        self.patches: Dict[str, Callable] = {}

    def find_spec(self, name, path=None, target=None):
        patch = self.patches.pop(name, None)
        if patch is None:
            return None
        if not self.patches:
            try:
                sys.meta_path.remove(self)
            except ValueError:
                pass
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(name, path)
        loader = getattr(spec, "loader", None)
        exec_module = getattr(loader, "exec_module", None)
        if exec_module is None:
            return spec  # not a module we can wrap (none found): import as usual

        def exec_and_patch(module):
            exec_module(module)
            try:
                patch(module)
            except Exception:
                pass  # an unexpected version of the module: it keeps its own functions

        loader.exec_module = exec_and_patch
        return spec


_finder = _AfterImport()


def after_import(name: str, patch: Callable) -> None:
    """Call ``patch(module)`` once module ``name`` is imported (now, if it is)."""
    module = sys.modules.get(name)
    if module is not None:
        patch(module)
        return
    _finder.patches[name] = patch
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
