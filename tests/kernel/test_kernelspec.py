"""`asyncell kernel install | list | uninstall`, as jupyter_client's KernelSpecManager
sees them."""

from __future__ import annotations

import json
import os
import subprocess

from jupyter_client.kernelspec import KernelSpecManager

from kernel_support import BIN, install


def test_installed_specs_are_found_by_jupyter():
    specs = KernelSpecManager().find_kernel_specs()
    assert {"asyncell-trio", "asyncell-asyncio"} <= set(specs)
    trio = KernelSpecManager().get_kernel_spec("asyncell-trio")
    assert trio.display_name == "Python (asyncell, trio)"
    assert trio.language == "python"
    assert trio.interrupt_mode == "message"
    assert trio.argv[0] == str(BIN.resolve())
    assert trio.argv[1:6] == ["kernel", "--connection-file", "{connection_file}", "--loop", "trio"]
    asyncio = KernelSpecManager().get_kernel_spec("asyncell-asyncio")
    assert asyncio.display_name == "Python (asyncell, asyncio)"
    assert os.path.exists(os.path.join(trio.resource_dir, "logo-svg.svg"))


def test_list_and_uninstall(tmp_path):
    done = install("asyncio", tmp_path, name="scratch-kernel")
    assert done.returncode == 0, done.stderr
    env = dict(os.environ, JUPYTER_PATH=str(tmp_path / "share" / "jupyter"))
    listed = subprocess.run([str(BIN), "kernel", "list"], capture_output=True, text=True, env=env)
    assert "scratch-kernel" in listed.stdout
    assert "scratch-kernel" in KernelSpecManager(kernel_dirs=[str(tmp_path / "share/jupyter/kernels")]).find_kernel_specs()
    removed = subprocess.run([str(BIN), "kernel", "uninstall", "scratch-kernel", "--prefix", str(tmp_path)],
                             capture_output=True, text=True, env=env)
    assert removed.returncode == 0, removed.stderr
    assert not (tmp_path / "share/jupyter/kernels/scratch-kernel").exists()
    again = subprocess.run([str(BIN), "kernel", "uninstall", "scratch-kernel", "--prefix", str(tmp_path)],
                           capture_output=True, text=True, env=env)
    assert again.returncode == 2 and "no asyncell kernel spec" in again.stderr


def test_a_spec_can_pin_the_interpreter(tmp_path):
    subprocess.run([str(BIN), "kernel", "install", "--prefix", str(tmp_path), "--name", "pinned",
                    "--python", "/opt/python3.13/bin/python3"], check=True, capture_output=True)
    spec = json.loads((tmp_path / "share/jupyter/kernels/pinned/kernel.json").read_text())
    assert spec["argv"][-2:] == ["--python", "/opt/python3.13/bin/python3"]
