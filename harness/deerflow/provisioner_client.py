"""Drives DeerFlow's own provisioner client (RemoteSandboxBackend) for the e2e.

Antler's code, run with the pinned DeerFlow environment's Python: it imports DeerFlow's
`deerflow.community.aio_sandbox.remote_backend.RemoteSandboxBackend` and calls its public
methods, so the e2e's behaviour checks see exactly what the real gateway sees (its payload, its
timeouts, its error handling: a failed create is a RuntimeError, a failed discover is None).

Protocol: one JSON object per line on stdin, `{"id": n, "url": ..., "op": ..., ...}` (`url`: the
provisioner the request goes to, as `sandbox.provisioner_url`); one JSON line per
request on stdout, `{"id": n, "ok": true, "result": ...}` or `{"id": n, "ok": false,
"error": "..."}`. Requests run on a thread pool, so concurrent requests race as concurrent
gateway workers do. Ops: create (sandbox_id, thread_id, user_id), discover, is_alive, destroy
(sandbox_id), list. Usage: provisioner_client.py <api_key> (the release's
`PROVISIONER_API_KEY`).
"""

from __future__ import annotations

import json
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from deerflow.community.aio_sandbox.remote_backend import RemoteSandboxBackend
from deerflow.community.aio_sandbox.sandbox_info import SandboxInfo

_write_lock = threading.Lock()


def _info(info: SandboxInfo | None) -> dict[str, str] | None:
    if info is None:
        return None
    return {"sandbox_id": info.sandbox_id, "sandbox_url": info.sandbox_url}


def _handle(backend: RemoteSandboxBackend, request: dict[str, Any]) -> Any:
    op = request.get("op")
    if op == "create":
        return _info(backend.create(request.get("thread_id"), request["sandbox_id"], user_id=request.get("user_id")))
    if op == "discover":
        return _info(backend.discover(request["sandbox_id"]))
    if op == "is_alive":
        return backend.is_alive(SandboxInfo(sandbox_id=request["sandbox_id"], sandbox_url=""))
    if op == "destroy":
        backend.destroy(SandboxInfo(sandbox_id=request["sandbox_id"], sandbox_url=""))
        return None
    if op == "list":
        return [_info(info) for info in backend.list_running()]
    raise ValueError(f"unknown op {op!r}: choose create, discover, is_alive, destroy or list")


def _answer(api_key: str, line: str) -> None:
    request_id: Any = None
    try:
        request = json.loads(line)
        request_id = request.get("id")
        backend = RemoteSandboxBackend(request["url"], api_key)
        reply = {"id": request_id, "ok": True, "result": _handle(backend, request)}
    except Exception as error:  # every failure goes back to the caller, named
        reply = {"id": request_id, "ok": False, "error": f"{type(error).__name__}: {error}"}
    with _write_lock:
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def main() -> int:
    if len(sys.argv) != 2:
        sys.stderr.write("usage: provisioner_client.py <api_key>\n")
        return 2
    api_key = sys.argv[1]
    with _write_lock:
        sys.stdout.write(json.dumps({"ready": True}) + "\n")
        sys.stdout.flush()
    with ThreadPoolExecutor(max_workers=64) as pool:
        for line in sys.stdin:
            if line.strip():
                pool.submit(_answer, api_key, line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
