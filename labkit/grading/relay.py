"""Pass a sandboxed kernel's messages to the grader, and nothing larger than it accepts.

ZeroMQ delivers a message whole: a kernel that sends one message of 300 frames of 9 MB
(the same buffer each time, so 9 MB of its own memory) makes the receiving process hold
2.7 GB before it can look at the message. So the grader never receives from a kernel
itself. This relay, a process of its own in a sandbox of its own (the kernel's user, a
small memory limit), connects to the kernel's shell, control and IOPub channels and
offers the same channels to the grader: a message that has more than :data:`MAX_FRAMES`
frames or :data:`MAX_MESSAGE_BYTES` bytes ends the relay (exit status
:data:`OVERSIZED`); one too large to hold within its memory limit makes ZeroMQ drop the
connection, which ends it too (:data:`DROPPED`). Either way the grader sees the relay
gone and stops the kernel. What reaches the grader is bounded.

Run by :class:`~labkit.grading.kernel.SandboxedKernel` as
``python -I relay.py CONFIG_JSON``, where ``CONFIG_JSON`` names, per channel, the
kernel's endpoint and the grader's::

    {"shell": ["ipc:///work/kernel-1", "ipc:///relay/grader-1"], "control": [...],
     "iopub": [...]}

It imports only the standard library and pyzmq, and no labkit module.
"""

from __future__ import annotations

import json
import sys

import zmq

MAX_FRAMES = 64  # a Jupyter message has 6 frames, plus its routing ids and buffers
MAX_MESSAGE_BYTES = 8 * 2**20  # a cell's output limit is 2 MB; a figure takes a few
OVERSIZED = 3  # the relay's exit status for a message over the limits
DROPPED = 4  # ... and when a connection to the kernel dropped: the kernel ended, or it
# sent a message too large to hold (ZeroMQ then drops the connection, and the message)


def main(config: dict[str, list[str]]) -> int:
    """Relay until killed; :data:`OVERSIZED` on the first message over the limits."""
    context = zmq.Context()
    # No ZMQ_MAXMSGSIZE: a frame over it would only drop the connection, silently, and
    # the kernel's next messages (its "idle") with it. A message too large to hold ends
    # the relay at its memory limit instead, which the grader sees.
    context.setsockopt(zmq.RCVHWM, 16)
    context.setsockopt(zmq.LINGER, 0)
    poller = zmq.Poller()
    # For each socket polled: where its messages go, and whether they go to the grader.
    routes: dict[zmq.Socket, tuple[str, zmq.Socket, bool]] = {}
    for channel in ("shell", "control"):
        kernel_end, grader_end = config[channel]
        to_kernel, to_grader = context.socket(zmq.DEALER), context.socket(zmq.ROUTER)
        to_kernel.connect(kernel_end)
        to_grader.bind(grader_end)
        routes[to_kernel] = (channel, to_grader, True)
        routes[to_grader] = (channel, to_kernel, False)
    kernel_end, grader_end = config["iopub"]
    from_kernel, to_grader = context.socket(zmq.SUB), context.socket(zmq.PUB)
    from_kernel.setsockopt(zmq.SUBSCRIBE, b"")
    from_kernel.connect(kernel_end)
    to_grader.bind(grader_end)
    routes[from_kernel] = ("iopub", to_grader, True)
    for socket in routes:
        poller.register(socket, zmq.POLLIN)
    # A connection to the kernel that drops ends the relay: otherwise a message too large
    # to hold would vanish silently and the grader would wait for the kernel in vain.
    monitors = [
        socket.get_monitor_socket(zmq.EVENT_DISCONNECTED)
        for socket, (_, _, towards_grader) in routes.items()
        if towards_grader
    ]
    for monitor in monitors:
        poller.register(monitor, zmq.POLLIN)
    grader_ids: dict[str, bytes] = {}  # the grader's routing id on shell and control
    while True:
        for socket, _ in poller.poll():
            if socket in monitors:
                return DROPPED
            frames = socket.recv_multipart()
            if len(frames) > MAX_FRAMES or sum(map(len, frames)) > MAX_MESSAGE_BYTES:
                return OVERSIZED
            channel, target, towards_grader = routes[socket]
            if not towards_grader:  # from the grader's DEALER, through our ROUTER
                grader_ids[channel], frames = frames[0], frames[1:]
            elif target.socket_type == zmq.ROUTER:
                if channel not in grader_ids:
                    continue  # a reply before any request: nobody asked for it
                frames = [grader_ids[channel], *frames]
            target.send_multipart(frames)


if __name__ == "__main__":
    sys.exit(main(json.loads(sys.argv[1])))
