"""A node server (`rmrun serve`) for the remote tests: started on a free
loopback port (port 0: the server binds one and prints it), stopped with
SIGTERM, its per-stream log lines kept."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import List, Optional

from rmrun_cli import RMRUN

HANG_S = 60  # generous bound that only catches hangs


class NodeServer:
    def __init__(self, *args: str, port: int = 0, env: Optional[dict] = None) -> None:
        self.args = list(args)
        self.requested_port = port
        self.env = env
        self.port = 0
        self.proc: Optional[subprocess.Popen] = None
        self.log: List[str] = []

    def start(self) -> "NodeServer":
        cmd = [RMRUN, "serve", "--listen", f"127.0.0.1:{self.requested_port}", *self.args]
        self.proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                                     env=self.env)
        deadline = time.monotonic() + HANG_S
        assert self.proc.stderr is not None
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                raise RuntimeError(f"rmrun serve exited: {self.proc.wait()}: {''.join(self.log)}")
            self.log.append(line)
            if "listening on 127.0.0.1:" in line:
                self.port = int(line.rsplit(":", 1)[1])
                return self
        raise RuntimeError("rmrun serve did not start")

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def kill(self) -> None:
        """SIGKILL: the server dies mid-stream."""
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait(timeout=HANG_S)

    def stop(self) -> str:
        """SIGTERM, wait; everything it logged."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            out = self.proc.communicate(timeout=HANG_S)[1]
            self.log.append(out)
        elif self.proc and self.proc.stderr and not self.proc.stderr.closed:
            self.log.append(self.proc.stderr.read())
            self.proc.stderr.close()
        return "".join(self.log)

    def __enter__(self) -> "NodeServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def remote_node(node_id: str, host: str, node_type: str, params: dict, **options: object) -> dict:
    """A manifest node running `node_type` on `host` through RemoteNode."""
    return {"id": node_id, "node_type": "RemoteNode",
            "params": {"host": host, "node_type": node_type, "params": params, **options}}


def write_token(path: Path, token: str = "s3cret-token-0123456789") -> str:
    path.write_text(token + "\n")
    os.chmod(path, 0o600)
    return token
