"""The floor of the `1+1` round trip: a kernel that executes nothing, never in CI.

    python bench/kernel_floor.py -f CONNECTION_FILE

A pure pyzmq kernel on one thread (plus libzmq's I/O thread and a heartbeat echo
device) that answers `kernel_info_request` and, for every `execute_request`, sends
exactly the messages asyncell's kernel sends for `1+1` — `status: busy`,
`execute_input`, `execute_result` (`text/plain` "2"), `execute_reply`, `status: idle`,
each signed with the connection's HMAC-SHA256 key — without running the code. The
request's header frame is reused, unparsed, as the parent header of every answer.
Other requests get an empty `*_reply`; `shutdown_request` ends it.

Its process takes about 0.25 ms of CPU per round trip, on the round trip's path, so it
is slower than asyncell's kernel; bench/kernel_floor.c is the same kernel in C (0.12 ms,
mostly libzmq's I/O thread), the real floor. bench/kernel_vs_ipykernel.py `--floor` measures both.
"""

from __future__ import annotations

import argparse
import hmac
import itertools
import json
import os
import sys
import threading
from datetime import datetime, timezone
from hashlib import sha256

import zmq

DELIM = b"<IDS|MSG>"
SESSION = "floor-%x" % os.getpid()
KERNEL_INFO = {
    "status": "ok", "protocol_version": "5.3", "implementation": "floor",
    "implementation_version": "0", "banner": "the round trip's floor",
    "language_info": {"name": "python", "version": sys.version.split()[0],
                      "mimetype": "text/x-python", "file_extension": ".py"},
    "help_links": [], "debugger": False,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", dest="connection_file", required=True)
    args = parser.parse_args()
    with open(args.connection_file) as file:
        info = json.load(file)
    key = info["key"].encode()
    url = "%s://%s:" % (info["transport"], info["ip"])
    context = zmq.Context()
    shell = context.socket(zmq.ROUTER)
    shell.bind(url + str(info["shell_port"]))
    control = context.socket(zmq.ROUTER)
    control.bind(url + str(info["control_port"]))
    iopub = context.socket(zmq.PUB)
    iopub.bind(url + str(info["iopub_port"]))
    stdin = context.socket(zmq.ROUTER)
    stdin.bind(url + str(info["stdin_port"]))
    heartbeat = context.socket(zmq.REP)
    heartbeat.bind(url + str(info["hb_port"]))
    threading.Thread(target=zmq.device, args=(zmq.QUEUE, heartbeat, heartbeat), daemon=True).start()

    ids = itertools.count(1)
    mac = hmac.new(key, digestmod=sha256) if key else None

    def frames(msg_type: str, content: bytes, parent: bytes) -> list:
        header = ('{"msg_id":"%s_%d","username":"floor","session":"%s","date":"%s",'
                  '"msg_type":"%s","version":"5.3"}' % (
                      SESSION, next(ids), SESSION,
                      datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"),
                      msg_type)).encode()
        parts = [header, parent, b"{}", content]
        signature = b""
        if mac is not None:
            signer = mac.copy()
            for part in parts:
                signer.update(part)
            signature = signer.hexdigest().encode()
        return [DELIM, signature, *parts]

    def publish(msg_type: str, content: bytes, parent: bytes) -> None:
        iopub.send_multipart([b"kernel." + msg_type.encode(), *frames(msg_type, content, parent)])

    def verified(message: list):
        split = message.index(DELIM)
        identities, signature, parts = message[:split], message[split + 1], message[split + 2:split + 6]
        if mac is not None:
            signer = mac.copy()
            for part in parts:
                signer.update(part)
            if not hmac.compare_digest(signer.hexdigest().encode(), signature):
                return None
        return identities, parts

    count = 0
    busy = b'{"execution_state":"busy"}'
    idle = b'{"execution_state":"idle"}'
    poller = zmq.Poller()
    poller.register(shell, zmq.POLLIN)
    poller.register(control, zmq.POLLIN)
    while True:
        for socket, _ in poller.poll():
            got = verified(socket.recv_multipart())
            if got is None:
                continue
            identities, (header, _parent, _metadata, content) = got
            msg_type = json.loads(header)["msg_type"]
            reply_type = msg_type.replace("_request", "_reply")
            if msg_type == "execute_request":
                count += 1
                code = json.loads(content)["code"]
                publish("status", busy, header)
                publish("execute_input", json.dumps({"code": code, "execution_count": count}).encode(),
                        header)
                publish("execute_result", b'{"data":{"text/plain":"2"},"metadata":{},"execution_count":%d}'
                        % count, header)
                socket.send_multipart([*identities, *frames(
                    reply_type, b'{"status":"ok","execution_count":%d,"user_expressions":{},"payload":[]}'
                    % count, header)])
                publish("status", idle, header)
                continue
            publish("status", busy, header)
            answer = KERNEL_INFO if msg_type == "kernel_info_request" else {"status": "ok"}
            socket.send_multipart([*identities, *frames(reply_type, json.dumps(answer).encode(), header)])
            publish("status", idle, header)
            if msg_type == "shutdown_request":
                return


if __name__ == "__main__":
    main()
