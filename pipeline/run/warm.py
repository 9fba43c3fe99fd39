"""Warm kernels: every report in a kernel of its own, forked from a template that has already imported what the
report's kernel imports (``warm_template``), instead of a new Python that imports it all again.

The template is started once per coordinator (``Kept``, for the builds it hands to local processes) or per
Dask worker process (``here``), and replaced when it has died. A build finds it through ``TEMPLATE_VARIABLE``;
the kernel manager's provisioner (``WarmProvisioner``, registered with jupyter_client as
``kernel.PROVISIONER``) asks it for a kernel and manages the forked process as its own: polled, signalled
and killed through a process handle (``pidfd``). When no template is given, or it cannot fork the kernel asked for
(another environment, a template that died), the provisioner starts a cold kernel as jupyter_client always does,
and keeps the reason (its ``how``, and ``cold_reasons`` in that process); the coordinator says in the progress
output when its template cannot be had or was started again (``Kept``).

Nothing of one report reaches the next: the template never runs a cell, and each kernel is a new process forked
from it, gone when its report is done.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Callable

from jupyter_client.provisioning import LocalProvisioner

from pipeline.paths import PROJECT_ROOT

TEMPLATE_VARIABLE = "COUNCIL_WARM_TEMPLATE"  # where a build finds its template's socket
COLD_VARIABLE = "COUNCIL_COLD_KERNELS"  # set (to anything but empty): every kernel starts cold, as before
READY_SECONDS = 60.0  # the longest a template may take to import before kernels start cold
ASK_SECONDS = 10.0
SOCKET_BYTES = 100  # the longest socket path (a Unix socket's path holds 107 bytes)

_lock = threading.Lock()
_templates: dict[int, Template] = {}  # this process's template, by owner pid (a forked child starts its own)
_folders: dict[int, Path] = {}  # its private folder, kept for the process's life
cold_reasons: list[str] = []  # why kernels of this process asked for a warm one and started cold
started_warm: list[int] = [0]  # how many kernels of this process were forked from a template


class Unavailable(Exception):
    """No warm kernel can be had: the reason, for the progress output."""


class Template:
    """A running template process and the socket it listens on (the same place for every template of this
    process, so a template started again serves the builds already handed the place)."""

    def __init__(self, folder: Path, imports: str, environment: dict):
        self.place = str(folder / "template.sock")
        if len(self.place.encode()) > SOCKET_BYTES:
            raise Unavailable("the temporary folder's path is too long for a socket; set TMPDIR to a shorter one")
        self.environment = environment
        read, write = os.pipe()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "pipeline.run.warm_template", self.place, str(os.getpid()), str(write), imports],
                env=environment,
                cwd=PROJECT_ROOT,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(write,),
                start_new_session=True,
            )
        except OSError as exc:
            os.close(read)
            raise Unavailable(f"the template could not be started ({exc.strerror or exc})") from None
        finally:
            os.close(write)
        self._ready = read
        # the builds of other processes wait for the socket only while the template whose pid this names lives
        (folder / "template.pid").write_text(str(self.process.pid), encoding="ascii")

    def wait_ready(self, timeout: float = READY_SECONDS) -> None:
        """Block until the template listens. Raises Unavailable when it died or took longer than ``timeout``."""
        if self._ready is None:
            return
        ready, _, _ = select.select([self._ready], [], [], timeout)
        said = os.read(self._ready, 16) if ready else b""
        os.close(self._ready)
        self._ready = None
        if said != b"ready":
            self.stop()
            raise Unavailable(
                "the template ended before it was ready" if ready else "the template was not ready in time"
            )

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        if self._ready is not None:
            os.close(self._ready)
            self._ready = None
        with contextlib.suppress(OSError):
            os.unlink(self.place)


def template_environment() -> dict:
    """The environment a template (and so each kernel it forks) is started with: this process's, with what
    ``kernel`` sets for every kernel, and none of what differs from one kernel to the next."""
    from pipeline.run import kernel
    from pipeline.run.warm_template import PER_KERNEL

    environment = {k: v for k, v in os.environ.items() if k not in PER_KERNEL}
    return environment | kernel.KERNEL_ENVIRONMENT


def running() -> Template:
    """This process's template, started now (or again, when it died or the environment changed). Raises
    Unavailable when none can be started."""
    from pipeline import scratch
    from pipeline.run import kernel

    if os.environ.get(COLD_VARIABLE):
        raise Unavailable(f"{COLD_VARIABLE} is set")
    if not hasattr(os, "fork") or not hasattr(os, "pidfd_open") or not hasattr(socket, "AF_UNIX"):
        raise Unavailable("this system cannot fork a kernel from a template")
    environment = template_environment()
    with _lock:
        template = _templates.get(os.getpid())
        if template is not None and (not template.alive() or template.environment != environment):
            _templates.pop(os.getpid()).stop()
            template = None
        if template is None:
            if os.getpid() not in _folders:
                _folders[os.getpid()] = scratch.process_folder("warm")
            template = _templates[os.getpid()] = Template(_folders[os.getpid()], kernel.WARM_IMPORTS, environment)
    return template


class Kept:
    """This process's template, kept running for the builds of one run on local processes: ``place`` is where
    they find it (None: their kernels start cold); ``say(text)`` tells the progress output when kernels start
    cold, and when a template that ended is started again (``check``)."""

    def __init__(self, say: Callable[[str], None] = lambda text: None):
        self.say = say
        try:
            self.place: str | None = running().place
        except Unavailable as exc:
            self.place = None
            say(f"kernels start cold: {exc}")

    def check(self) -> None:
        template = _templates.get(os.getpid())
        if self.place is None or template is None or template.alive():
            return
        try:
            running()
            self.say("the warm kernel template had ended and was started again")
        except Unavailable as exc:
            self.place = None
            self.say(f"kernels start cold: {exc}")

    def wrap(self, build):
        """``build`` with its kernels forked from this template (a picklable call)."""
        return functools.partial(using, self.place, build) if self.place else build


def using(place: str, build):
    """Run ``build`` with its kernels forked from the template at ``place``."""
    os.environ[TEMPLATE_VARIABLE] = place
    return build()


def here() -> None:
    """Give this process (a Dask worker's) a template of its own for the builds it runs, started on its first."""
    try:
        os.environ[TEMPLATE_VARIABLE] = running().place
    except Unavailable as exc:
        os.environ.pop(TEMPLATE_VARIABLE, None)
        cold_reasons.append(str(exc))


def fork(place: str, argv: list[str], env: dict, cwd: str) -> int:
    """Ask the template at ``place`` for a kernel: its process id. Raises Unavailable with the reason."""
    template = _templates.get(os.getpid())
    if template is not None and template.place == place:  # this process's own: started again if it ended or
        running().wait_ready()  # this process's environment has changed since
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as connection:
        connection.settimeout(ASK_SECONDS)
        try:
            _connect(connection, place)
            message = json.dumps({"argv": argv, "env": env, "cwd": cwd}).encode()
            socket.send_fds(connection, [message], [1, 2])  # what a cold kernel inherits: this process's fds 1, 2
            reply = json.loads(connection.recv(4096) or b"{}")
        except (OSError, ValueError) as exc:
            raise Unavailable(f"the template did not answer ({exc})") from None
    if not isinstance(reply.get("pid"), int):
        raise Unavailable(str(reply.get("refused", "the template did not answer")))
    return reply["pid"]


def _connect(connection: socket.socket, place: str) -> None:
    """Connect to the template at ``place``, waiting while it imports (its socket appears once it listens) as
    long as its folder is there. Raises OSError."""
    import time

    deadline = time.monotonic() + READY_SECONDS
    while True:
        try:
            return connection.connect(place)
        except FileNotFoundError:  # not listening yet (a template that ended leaves its socket: refused at once)
            if time.monotonic() > deadline or not _importing(Path(place).with_name("template.pid")):
                raise
            time.sleep(0.02)


def _importing(pid_file: Path) -> bool:
    """Whether the template named by ``pid_file`` is still alive (so its socket is yet to come)."""
    from pipeline.scratch import alive

    try:
        return alive(int(pid_file.read_text(encoding="ascii")))
    except (OSError, ValueError):
        return False


class Forked:
    """A kernel forked by the template, handled like ``subprocess.Popen`` through a process handle (it is the
    template's child, not ours): ``returncode`` is the signal we sent it (negative) once it has ended, else 0,
    as the exit status of a process that is not one's child cannot be read."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid, self.returncode, self._signalled = pid, None, 0
        try:
            self._handle = os.pidfd_open(pid)
        except ProcessLookupError:
            self._handle, self.returncode = None, 0

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self._handle], [], [], 0)[0]:
            self.returncode = -self._signalled
            os.close(self._handle)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            select.select([self._handle], [], [], timeout)
        if self.poll() is None:
            raise subprocess.TimeoutExpired(["kernel"], timeout)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            signal.pidfd_send_signal(self._handle, signum)
            self._signalled = signum

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class WarmProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, with the kernel forked from this build's template when it has one
    (``TEMPLATE_VARIABLE``), else started cold as always. ``how``: "warm", or "cold" and the reason."""

    how = "cold"

    async def launch_kernel(self, cmd: list[str], **kwargs):
        place = os.environ.get(TEMPLATE_VARIABLE)
        if place:
            env = dict(kwargs.get("env") or os.environ)
            env.pop(TEMPLATE_VARIABLE, None)
            env.setdefault("JPY_PARENT_PID", str(os.getpid()))  # as jupyter_client's launcher sets it
            try:
                pid = fork(place, cmd, env, str(kwargs.get("cwd") or Path.cwd()))
            except Unavailable as exc:
                self.how = f"cold: {exc}"
                cold_reasons.append(str(exc))
            else:
                self.process, self.pid, self.pgid, self.how = Forked(pid), pid, pid, "warm"
                started_warm[0] += 1
                self.cwd = kwargs.get("cwd", Path.cwd())
                return self.connection_info
        if kwargs.get("env"):
            kwargs["env"].pop(TEMPLATE_VARIABLE, None)
        return await super().launch_kernel(cmd, **kwargs)
