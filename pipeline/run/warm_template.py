"""The warm template: a process that has imported what a report's kernel imports and never runs a cell, and forks
a fresh kernel for each report that asks (``python -m pipeline.run.warm_template SOCKET OWNER READY_FD``).

It imports ipykernel's application and the report's modules (``kernel.WARM_IMPORTS``) once, listens on a Unix
socket in a private folder, and for each request forks: the child becomes the kernel exactly as
``python -m ipykernel_launcher ...`` would (its own session, the requester's standard output and error, the
requested working directory, environment and arguments), and the template answers with the child's process id.
The template has one thread when it forks (checked before each fork), ignores nothing but the children it never
waits for (they are reaped by the system), and ends when the process that started it ends. A request is refused,
and the requester starts a cold kernel, when it asks for another program or an environment the template was not
started with (what modules read on import could differ).
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import struct
import sys
import threading

# Variables that differ from one kernel to the next and that nothing reads on import: the rest of a request's
# environment must equal the template's.
PER_KERNEL = frozenset(
    {
        "JPY_PARENT_PID",
        "JPY_SESSION_NAME",
        "JUPYTER_PATH",
        "JUPYTER_RUNTIME_DIR",
        "COUNCIL_REPORT_PREPARED",
        "COUNCIL_WARM_TEMPLATE",
    }
)
LAUNCHER = ""  # ipykernel_launcher's file, the kernel's sys.argv[0] (found, not imported: a cold kernel runs it as
# __main__, so it is not among its modules)
MESSAGE_BYTES = 1 << 20  # a request (its arguments and environment) is read whole, up to this size


def steady(environment: dict) -> dict:
    """The part of an environment a warm kernel must share with its template."""
    return {k: v for k, v in environment.items() if k not in PER_KERNEL}


def refusal(request: dict) -> str:
    """Why this template cannot start the kernel ``request`` asks for ("" when it can)."""
    argv = request.get("argv")
    if not isinstance(argv, list) or argv[:3] != [sys.executable, "-m", "ipykernel_launcher"]:
        return "the kernel asked for is not ipykernel of this Python"
    if not isinstance(request.get("env"), dict) or steady(request["env"]) != steady(dict(os.environ)):
        return "the kernel's environment differs from the template's"
    if not isinstance(request.get("cwd"), str) or not os.path.isdir(request["cwd"]):
        return "the kernel's working directory does not exist"
    if threading.active_count() != 1:
        return "the template has more than one thread"
    return ""


def become_kernel(request: dict, requester: int, stdout: int, stderr: int) -> None:
    """In the forked child: be the kernel ``python -m ipykernel_launcher`` would be, and never return."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.setsid()  # its own session and process group, as jupyter_client starts a kernel
        null = os.open(os.devnull, os.O_RDONLY)
        for source, target in ((null, 0), (stdout, 1), (stderr, 2)):
            os.dup2(source, target)
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # nothing of the template's: a kernel Popen started holds 0-2 only
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        # `python -m` puts the working directory first, and ipykernel_launcher takes it away again while it loads
        # (IPython adds it back as it starts): the template's first entry is its own working directory
        sys.path[0] = request["cwd"]
        if os.path.realpath(sys.path[0]) == os.path.realpath(os.getcwd()):
            del sys.path[0]
        sys.argv = [LAUNCHER, *request["argv"][3:]]
        _die_with(requester)
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:  # noqa: BLE001 - told on the kernel's standard error; the requester sees it die
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _die_with(pid: int) -> None:
    """End this kernel when the process that asked for it ends (ipykernel's own parent poller watches the parent,
    which here is the template; a template that is killed must not take running reports with it)."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):
        return  # no process handles here: the requester kills the kernel when it is done, as it always does

    class RequesterPoller(threading.Thread):  # where a cold kernel has ipykernel's ParentPollerUnix
        def run(self) -> None:
            select.select([handle], [], [])
            os._exit(1)

    RequesterPoller(daemon=True).start()


def serve(server: socket.socket, owner: int) -> None:
    """Fork a kernel for each request until the owner ends."""
    try:
        owner_handle = os.pidfd_open(owner)
    except ProcessLookupError:
        return
    while True:
        ready, _, _ = select.select([server, owner_handle], [], [])
        if owner_handle in ready:
            return
        try:
            connection, _ = server.accept()
        except OSError:
            continue
        with connection:
            _answer(connection)


def _answer(connection: socket.socket) -> None:
    fds: list[int] = []
    try:
        connection.settimeout(10)
        pid, uid, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12))
        message, fds, _, _ = socket.recv_fds(connection, MESSAGE_BYTES, 2)
        request = json.loads(message)
        why = "another user asked" if uid != os.getuid() else ("" if len(fds) == 2 else "no output streams given")
        why = why or refusal(request)
        if why:
            reply = {"refused": why}
        else:
            child = os.fork()
            if child == 0:
                connection.detach()
                become_kernel(request, pid, *fds)
            reply = {"pid": child}
        connection.sendall(json.dumps(reply).encode())
    except (OSError, ValueError) as exc:
        try:
            connection.sendall(json.dumps({"refused": f"the request could not be read ({exc})"}).encode())
        except OSError:
            pass
    finally:
        for fd in fds:
            os.close(fd)


def main(argv: list[str]) -> int:
    """``SOCKET OWNER READY_FD IMPORTS``: listen at SOCKET once IMPORTS (the kernel's own import line,
    ``kernel.WARM_IMPORTS``) are imported, say so on READY_FD, and serve until process OWNER ends."""
    global LAUNCHER
    import importlib.util

    import ipykernel.kernelapp  # noqa: F401 - what every kernel imports first

    place, owner, ready, imports = argv[0], int(argv[1]), int(argv[2]), argv[3]
    LAUNCHER = importlib.util.find_spec("ipykernel_launcher").origin  # the program a cold kernel runs as __main__

    exec(imports, {})  # noqa: S102 - the import line the kernel spec gives every cold kernel, from our own parent
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped by the system, never waited for here
    server = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    if os.path.exists(place):  # the socket of a template that ended, which this one replaces
        os.unlink(place)
    server.bind(place)
    server.listen(16)
    os.write(ready, b"ready")
    os.close(ready)
    serve(server, owner)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
