"""jupyter_kernel_test's protocol conformance tests, with code samples, for both specs.

Not filled in: `code_page_something` (no pager payloads), so the library skips that one.
"""

from __future__ import annotations

import jupyter_kernel_test


class AsyncellKernelTests(jupyter_kernel_test.KernelTests):
    __test__ = False  # the base of the two below

    language_name = "python"
    file_extension = ".py"

    code_hello_world = "print('hello, world')"
    code_stderr = "import sys; print('oops', file=sys.stderr)"
    completion_samples = [{"text": "zip_longes_", "matches": []}, {"text": "isinstan", "matches": ["isinstance"]}]
    complete_code_samples = ["1", "print('hello, world')", "def f(x):\n  return x*2\n\n\n"]
    incomplete_code_samples = ["print('''hello", "def f(x):\n  x+1", "for i in range(3):"]
    invalid_code_samples = ["import = 7q"]
    code_generate_error = "raise ValueError('boom')"
    code_execute_result = [
        {"code": "1+2+3", "result": "6"},
        {"code": "[n * n for n in range(4)]", "result": "[0, 1, 4, 9]"},
    ]
    code_display_data = [
        {"code": "class Bold:\n    def _repr_html_(self):\n        return '<b>test</b>'\nfrom asyncell import display\ndisplay(Bold())", "mime": "text/html"},
        # IPython's own display, which the host routes to the front end.
        {"code": "from IPython.display import Markdown, display\ndisplay(Markdown('*hi*'))", "mime": "text/markdown"},
    ]
    code_clear_output = "from asyncell import clear_output\nprint('soon gone')\nclear_output()"
    code_history_pattern = "1?2*"
    supported_history_operations = ("tail", "range", "search")
    code_inspect_sample = "zip"


class TrioKernelTests(AsyncellKernelTests):
    __test__ = True
    kernel_name = "asyncell-trio"


class AsyncioKernelTests(AsyncellKernelTests):
    __test__ = True
    kernel_name = "asyncell-asyncio"
