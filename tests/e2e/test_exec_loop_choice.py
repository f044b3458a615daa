"""`asyncell/execute`'s `loop`: the client's choice (a notebook controller's) wins for the
document over the setting, `%autoawait` and the imports; a host on the other loop is
replaced."""

from __future__ import annotations

from exec_support import errors_of, host_cache, session  # noqa: F401

WHICH = (
    "import sniffio\n"
    "async def which():\n"
    "    return sniffio.current_async_library()\n"
    "await which()\n"
)


def result_text(result: dict) -> str:
    assert result["status"] == "ok", result
    return result["outputs"][-1]["data"]["text/plain"]


def test_the_chosen_loop_wins_and_replaces_a_host_on_the_other_one(session):
    # The server alone runs this document on trio (setting and imports agree).
    assert session.status()["loop"] == "trio"
    assert result_text(session.run(WHICH)) == "'trio'"
    trio_pid = session.status()["pid"]
    session.run("x = 1")

    # The client chooses asyncio: the trio host goes, a fresh asyncio host runs the cell.
    assert result_text(session.run(WHICH, loop="asyncio")) == "'asyncio'"
    status = session.status()
    assert status["loop"] == "asyncio" and status["pid"] != trio_pid, status
    [stopped] = [e for e in session.events("hostExited") if e["pid"] == trio_pid]
    assert stopped["stopped"] is True and "asyncio loop the client chose" in stopped["message"], stopped
    [error] = errors_of(session.run("x"))
    assert error["ename"] == "NameError"  # a fresh namespace

    # The choice holds without `loop`, and for restarts.
    assert result_text(session.run(WHICH)) == "'asyncio'"
    session.request("asyncell/restart")
    assert session.status()["loop"] == "asyncio"
    assert result_text(session.run(WHICH)) == "'asyncio'"

    # Choosing the loop the host already runs keeps it (and its namespace).
    session.run("y = 2", loop="asyncio")
    pid = session.status()["pid"]
    assert result_text(session.run("y", loop="asyncio")) == "2"
    assert session.status()["pid"] == pid

    # And back to trio.
    assert result_text(session.run(WHICH, loop="trio")) == "'trio'"
    assert session.status()["loop"] == "trio"


def test_the_choice_ends_with_the_document(session):
    assert result_text(session.run(WHICH, loop="asyncio")) == "'asyncio'"
    session.client.notify("textDocument/didClose", {"textDocument": {"uri": session.uri}})
    session.client.open(session.uri, "import trio\n")
    # Reopened, the document is the server's to decide again (trio); the live host stays
    # until a restart, which now starts trio.
    session.request("asyncell/restart")
    assert session.status()["loop"] == "trio"
