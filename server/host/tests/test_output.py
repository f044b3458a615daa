"""Whatever the user's code writes, at any level, arrives as outputs of the right cell."""

import base64
import struct
import threading
import time
import zlib

from conftest import FIGURES


def _png(width=1, height=1):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_fd_level_and_child_process_output_is_captured(trio_host):
    result = trio_host.run(
        "import os, subprocess, sys\n"
        "os.write(1, b'raw fd one\\n')\n"
        "os.write(2, b'raw fd two\\n')\n"
        "subprocess.run(['echo', 'hi from echo'])\n"
        "subprocess.run(['sh', '-c', 'echo oops >&2'])\n"
        "sys.__stdout__.write('dunder\\n'); sys.__stdout__.flush()\n"
    )
    assert result.status == "ok"
    assert result.stdout == "raw fd one\nhi from echo\ndunder\n"
    assert result.stderr == "raw fd two\noops\n"
    assert trio_host.noise == []  # nothing leaked onto the protocol channel


def test_stderr_and_warnings_are_stderr_streams(trio_host):
    result = trio_host.run("import sys, warnings\nprint('e', file=sys.stderr)\nwarnings.warn('careful')")
    assert result.stderr.startswith("e\n") and "UserWarning: careful" in result.stderr


def test_output_from_a_user_thread_goes_to_the_running_cell(trio_host):
    result = trio_host.run(
        "import threading\n"
        "t = threading.Thread(target=print, args=('from thread',))\n"
        "t.start(); t.join()\n"
    )
    assert result.stdout == "from thread\n"


def test_rich_reprs_become_mime_bundles(trio_host):
    result = trio_host.run(
        "class Rich:\n"
        "    def _repr_html_(self): return '<b>bold</b>'\n"
        "    def _repr_markdown_(self): return '**bold**'\n"
        "    def _repr_json_(self): return {'a': 1}\n"
        "    def _repr_latex_(self): return '$x$'\n"
        "    def _repr_svg_(self): return '<svg/>'\n"
        "    def __repr__(self): return 'Rich()'\n"
        "Rich()"
    )
    data = result.results[0]["data"]
    assert data == {"text/plain": "Rich()", "text/html": "<b>bold</b>", "text/markdown": "**bold**",
                    "application/json": {"a": 1}, "text/latex": "$x$", "image/svg+xml": "<svg/>"}


def test_mimebundle_wins_and_broken_reprs_are_skipped(trio_host):
    result = trio_host.run(
        "class Bundle:\n"
        "    def _repr_mimebundle_(self, include=None, exclude=None):\n"
        "        return ({'text/html': '<i>b</i>', 'text/plain': 'bundle'},\n"
        "                {'text/html': {'isolated': True}})\n"
        "    def _repr_html_(self): raise RuntimeError('not me')\n"
        "    def _repr_markdown_(self): raise RuntimeError('broken')\n"
        "Bundle()"
    )
    output = result.results[0]
    assert output["data"] == {"text/plain": "bundle", "text/html": "<i>b</i>"}
    assert output["metadata"] == {"text/html": {"isolated": True}}
    assert result.status == "ok" and "broken" in result.stderr


def test_display_of_an_object_with_repr_png(trio_host):
    png = _png()
    result = trio_host.run(
        "from asyncell import display\n"
        "class Picture:\n"
        f"    def _repr_png_(self): return {png!r}\n"
        "print('before')\n"
        "display(Picture())\n"
        "print('after')\n"
    )
    assert result.status == "ok"
    kinds = [(o["output_type"], o.get("text")) for o in result.outputs]
    assert kinds == [("stream", "before\n"), ("display_data", None), ("stream", "after\n")]
    [shown] = result.displays
    assert base64.b64decode(shown["data"]["image/png"]) == png


def test_matplotlib_figures_left_open_are_shown_and_closed(trio_host):
    result = trio_host.run(
        "import matplotlib.pyplot as plt\n"
        "plt.plot([1, 3, 2])\n"
        "plt.title('fig');\n",
        timeout=30,
    )
    assert result.status == "ok", result
    [figure] = result.displays
    assert base64.b64decode(figure["data"]["image/png"]).startswith(b"\x89PNG")
    assert "Figure" in figure["data"]["text/plain"]
    again = trio_host.run("import matplotlib\nprint(plt.get_fignums(), matplotlib.get_backend())")
    assert again.stdout.lower() == "[] agg\n"
    assert again.displays == []


def test_print_flood_of_100mb_keeps_host_memory_bounded(start_host):
    host = start_host("trio", keep_text=False)
    pid = host.proc.pid
    peak = [0]
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            try:
                with open(f"/proc/{pid}/status") as status:
                    for line in status:
                        if line.startswith("VmRSS:"):
                            peak[0] = max(peak[0], int(line.split()[1]))
            except OSError:
                return
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    started = time.monotonic()
    result = host.run(
        "line = 'x' * 1023\n"
        "for _ in range(50_000):\n"
        "    print(line)\n"
        "big = 'y' * 50_000_000\n"
        "print(big)\n"
        "del big\n"
        "import os\n"
        "os.write(1, b'z' * 20_000_000);\n",
        timeout=60,
    )
    elapsed = time.monotonic() - started
    stop.set()
    watcher.join()
    total = sum(o["length"] for o in result.outputs if o["output_type"] == "stream")
    FIGURES.append("print flood: %.1f MB in %.1f s, %d frames, host peak RSS %.1f MB"
                   % (total / 1e6, elapsed, len(result.outputs), peak[0] / 1024))
    assert result.status == "ok"
    assert total == 50_000 * 1024 + 50_000_001 + 20_000_000
    assert max(o["length"] for o in result.outputs if o["output_type"] == "stream") <= 64 * 1024
    assert 0 < peak[0] < 200 * 1024


def test_fd_output_comes_before_the_cells_result(trio_host):
    # os.write goes into a pipe the pump thread reads; the result must not overtake it.
    for _ in range(20):
        result = trio_host.run("import os\nos.write(1, b'x\\n')\n42")
        kinds = [o["output_type"] for o in result.outputs]
        assert kinds == ["stream", "execute_result"], result.outputs


def test_flush_sends_output_before_the_process_exits(start_host):
    # os._exit skips every cleanup: only a flush that really sends can save the line.
    for code in ("print('last words', flush=True)\nimport os\nos._exit(1)",
                 "import sys, os\nsys.stdout.write('partial')\nsys.stdout.flush()\nos._exit(1)",
                 "import sys, os\nsys.stdout.buffer.write(b'bytes')\nsys.stdout.buffer.flush()\n"
                 "os._exit(1)"):
        host = start_host("trio", args=())
        id = host.submit(code)
        host.wait_for(lambda e: e.get("ev") == "__eof__")
        text = "".join(e["output"].get("text", "") for e in host.events
                       if e.get("ev") == "output" and e.get("id") == id)
        assert text in ("last words\n", "partial", "bytes"), host.events
