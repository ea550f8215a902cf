"""Inside the sandbox: let boto3 reach the grader's local AWS without a network.

The sandbox has nothing but its own loopback. The grader runs an HTTP proxy to moto on a
unix socket in the sandbox's scratch folder (`autograder.cloud_servers.AwsProxy`); this relay
listens on 127.0.0.1:<port> inside the sandbox (where AWS_ENDPOINT_URL points) and copies
bytes both ways. It decides nothing: the proxy outside refuses what it must (`/moto-api/`)
and keeps the request log the checks read, so patching this module gains nothing.
"""

from __future__ import annotations

import os
import socket
import threading

RELAY_ENV = "WEEK4_AWS_RELAY"  # "<port>:<unix socket path>"


def _pipe(src: socket.socket, dst: socket.socket) -> None:
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (src, dst):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _serve(listener: socket.socket, path: str) -> None:
    while True:
        try:
            client, _ = listener.accept()
        except OSError:
            return
        upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            upstream.connect(path)
        except OSError:
            client.close()
            upstream.close()
            continue
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pipe, args=(a, b), daemon=True, name="week4-aws-relay").start()


def start_from_env() -> None:
    spec = os.environ.get(RELAY_ENV)
    if not spec:
        return
    port, _, path = spec.partition(":")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", int(port)))
    listener.listen(64)
    threading.Thread(target=_serve, args=(listener, path), daemon=True,
                     name="week4-aws-relay").start()
