"""Bad rule selectors in the language server's configuration (initializationOptions,
workspace/didChangeConfiguration, pyproject.toml) are shown as a window/showMessage
error naming the selector, where it came from and the close matches; the server goes on
without that selector, so the rest of the configuration still applies."""

from __future__ import annotations

import pytest

from lsp_client import LspClient, codes

ERROR = 1  # MessageType.Error

# LOOP200 (a nested asyncio.run) and LOOP300 (an unawaited coroutine) in one file.
TWO_FINDINGS = (
    "import asyncio\n\nasync def f():\n    await asyncio.sleep(0)\n\n"
    "async def main():\n    asyncio.run(f())\n    await f()\n\nf()\n"
)

IGNORED = " (this selector is ignored until the configuration is fixed)"


@pytest.fixture
def start(asyncell_bin, tmp_path):
    clients = []

    def start(options=None):
        client = LspClient.start(asyncell_bin, cwd=tmp_path)
        clients.append(client)
        client.initialize(root=tmp_path, options=options)
        return client

    yield start
    for client in clients:
        client.kill()


def test_an_unknown_selector_in_initialization_options_is_an_error_message(start, tmp_path):
    client = start({"select": ["LOOOP"], "ignore": ["LOOP300"]})
    message = client.wait_for("window/showMessage")
    assert message == {
        "type": ERROR,
        "message": "asyncell: unknown rule selector `LOOOP` in the editor setting asyncell.select; "
        "did you mean `LOOP`?" + IGNORED,
    }
    # The bad `select` is dropped (default rules), the valid `ignore` still applies.
    uri = (tmp_path / "x.py").as_uri()
    client.open(uri, TWO_FINDINGS)
    assert codes(client.diagnostics_for(uri)) == ["LOOP200"]


def test_an_unknown_selector_in_pyproject_is_shown_once_and_the_rest_applies(start, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.asyncell]\nselect = ["LOOP3", "loop2O0"]\n')
    (tmp_path / "sub").mkdir()
    client = start()
    first = (tmp_path / "a.py").as_uri()
    client.open(first, TWO_FINDINGS)
    message = client.wait_for("window/showMessage")
    assert message == {
        "type": ERROR,
        "message": f"asyncell: unknown rule selector `loop2O0` in {tmp_path / 'pyproject.toml'} "
        "[tool.asyncell] select; did you mean `LOOP200`?" + IGNORED,
    }
    assert codes(client.diagnostics_for(first)) == ["LOOP300"]
    # A second directory under the same pyproject.toml: checked, but not shown again.
    second = (tmp_path / "sub" / "b.py").as_uri()
    client.open(second, TWO_FINDINGS)
    assert codes(client.diagnostics_for(second)) == ["LOOP300"]
    with pytest.raises(TimeoutError):
        client.wait_for("window/showMessage", timeout=0.5)


def test_an_empty_selector_in_changed_settings_is_an_error_message(start, tmp_path):
    client = start()
    uri = (tmp_path / "x.py").as_uri()
    client.open(uri, TWO_FINDINGS)
    assert codes(client.diagnostics_for(uri)) == ["LOOP200", "LOOP300"]
    client.notify("workspace/didChangeConfiguration", {"settings": {"asyncell": {"ignore": ["", "LOOP2"]}}})
    message = client.wait_for("window/showMessage")
    assert message == {
        "type": ERROR,
        "message": "asyncell: empty rule selector in the editor setting asyncell.ignore; remove it "
        "(a stray comma?): an empty selector would match every rule" + IGNORED,
    }
    assert codes(client.diagnostics_for(uri, lambda d: len(d) == 1)) == ["LOOP300"]
