"""nbclient runs a trio background-loop notebook on the kernel: a heartbeat started in
one cell beats in later cells, a failing background task does not land under the cell
running at the time (nor stop the loop), and the task list shows the heartbeat."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).parent / "fixtures" / "trio_background_loop.ipynb"


def text_of(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o["output_type"] == "stream")


def test_the_background_loop_notebook_runs_on_one_persistent_loop():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=60, kernel_name="asyncell-trio").execute()
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert text_of(code[0]) == "heartbeat started\n"
    assert text_of(code[1]) == "beating\n"
    assert text_of(code[2]) == "flaky scheduled\n"
    # The failure happened while cell 4 ran; it is not drawn there (it belongs to cell 3,
    # which nbclient no longer listens to), and the loop kept going.
    assert "background boom" not in text_of(code[3])
    assert text_of(code[3]) == "still beating\n"
    result = [o for o in code[4].outputs if o["output_type"] == "execute_result"]
    assert result and "heartbeat" in result[0]["data"]["text/plain"]
    assert [cell.execution_count for cell in code] == [1, 2, 3, 4, 5]


def test_the_same_notebook_fails_under_ipykernel():
    """For contrast: ipykernel has no session-long nursery (nor a persistent trio loop)."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=60, kernel_name="python3", allow_errors=True).execute()
    first = [cell for cell in notebook.cells if cell.cell_type == "code"][0]
    errors = [o for o in first.outputs if o["output_type"] == "error"]
    assert errors and errors[0]["ename"] == "NameError" and "GLOBAL_NURSERY" in errors[0]["evalue"]
