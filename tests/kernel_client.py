"""A real IPython kernel for tests (jupyter_client), with Galilean's kernel helper."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from jupyter_client.manager import KernelManager


class Kernel:
    def __init__(self, home: Path) -> None:
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        env = {**os.environ, "GALILEAN_USER_HOME": str(home), "PATH": path}
        self.manager = KernelManager(kernel_name="python3")
        self.manager.start_kernel(env=env, cwd=str(home))
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=60)
        # The environment's IPython config loads the kernel helper in every kernel.
        loaded = self.run("get_ipython().find_cell_magic('galilean_sql') is not None")
        assert loaded["result"] == {"text/plain": "True"}, loaded

    def run(self, code: str, timeout: float = 60) -> dict[str, Any]:
        """Outputs of one cell: stdout text, the error (name, message, traceback lines)."""
        out: dict[str, Any] = {"stdout": "", "error": None, "result": None}

        def hook(message: dict[str, Any]) -> None:
            kind, content = message["msg_type"], message["content"]
            if kind == "stream" and content["name"] == "stdout":
                out["stdout"] += content["text"]
            elif kind == "error":
                out["error"] = content
            elif kind == "execute_result":
                out["result"] = content["data"]

        self.client.execute_interactive(code, timeout=timeout, output_hook=hook)
        return out

    def comm_request(self, target: str, data: dict[str, Any], timeout: float = 60) -> Any:
        """Open a comm to `target` (as JupyterLab does), send `data`, return the reply."""
        import uuid

        comm_id = uuid.uuid4().hex
        session, shell = self.client.session, self.client.shell_channel
        opening = {"comm_id": comm_id, "target_name": target, "data": {}}
        shell.send(session.msg("comm_open", opening))
        shell.send(session.msg("comm_msg", {"comm_id": comm_id, "data": data}))
        while True:
            message = self.client.get_iopub_msg(timeout=timeout)
            content = message["content"]
            if message["msg_type"] == "comm_msg" and content.get("comm_id") == comm_id:
                return content["data"]

    def value(self, expression: str) -> Any:
        import json

        reply = self.run(f"import json as _j; print(_j.dumps({expression}, default=str))")
        assert reply["error"] is None, reply["error"]
        return json.loads(reply["stdout"])

    def stop(self) -> None:
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)
