"""Displays that change: `display(..., display_id=...)` and its handle's `update`, and
`clear_output`, from asyncell's own API and from IPython's once a cell imports it."""

from __future__ import annotations

import pytest


def test_a_display_is_named_updated_and_the_output_cleared(trio_host):
    result = trio_host.run(
        "from asyncell import clear_output, display, update_display\n"
        "handle = display('first', display_id=True)\n"
        "handle.update('second')\n"
        "update_display('third', display_id=handle.display_id)\n"
        "display('plain')\n"
        "clear_output(wait=True)\n"
        "print('after')"
    )
    assert result.status == "ok", result
    kinds = [o["output_type"] for o in result.outputs]
    assert kinds == ["display_data", "update_display_data", "update_display_data",
                     "display_data", "clear_output", "stream"]
    first, second, third, plain, clear, _ = result.outputs
    display_id = first["transient"]["display_id"]
    assert len(display_id) == 32
    assert second["transient"] == {"display_id": display_id} == third["transient"]
    assert [o["data"]["text/plain"] for o in (first, second, third)] == ["'first'", "'second'", "'third'"]
    assert "transient" not in plain  # an unnamed display is plain nbformat
    assert clear == {"output_type": "clear_output", "wait": True}


def test_display_keeps_ipythons_signature(trio_host):
    result = trio_host.run(
        "from asyncell import display\n"
        "class Both:\n"
        "    def _repr_html_(self):\n"
        "        return '<b>both</b>'\n"
        "display(Both(), exclude=['text/html'], display_id='fixed')\n"
        "display({'text/markdown': '*raw*'}, raw=True, clear=True)"
    )
    named, clear, raw = result.outputs
    assert set(named["data"]) == {"text/plain"} and named["transient"] == {"display_id": "fixed"}
    assert clear == {"output_type": "clear_output", "wait": True}
    assert raw["data"] == {"text/markdown": "*raw*"}


def test_ipythons_display_functions_work_in_the_host(trio_host):
    pytest.importorskip("IPython")
    result = trio_host.run(
        "from IPython.display import HTML, DisplayHandle, clear_output, display, update_display\n"
        "handle = display(HTML('<b>1</b>'), display_id=True)\n"
        "handle.update(HTML('<b>2</b>'))\n"
        "DisplayHandle('mine').display('x')\n"
        "update_display('y', display_id='mine')\n"
        "clear_output()",
        timeout=60,
    )
    assert result.status == "ok", result
    kinds = [o["output_type"] for o in result.outputs]
    assert kinds == ["display_data", "update_display_data", "display_data",
                     "update_display_data", "clear_output"], result.outputs
    assert result.outputs[1]["data"]["text/html"] == "<b>2</b>"
    assert result.outputs[3]["transient"] == {"display_id": "mine"}
    assert result.outputs[4]["wait"] is False
