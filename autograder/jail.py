"""The sandbox's launcher: one bubblewrap profile with explicit mounts, limits and environment.

Every piece of student-controlled code (the notebook's cells, the servers it starts, an
interpreter or a config file it hands back) runs under `Jail.command(...)`:

- **files**: a read-only view of the system libraries, the Python runtime and its installed
  packages, and of the course code in `COURSE_MOUNTS` only (the child runtime in
  `autograder/sandboxed/`, `week4.data`, `week4.trust`). Writable: the sandbox's own scratch
  folder and a private, size-capped `/tmp`. Solutions, checks, tests, mutants, the reference
  service, gradebooks, other submissions, results and the user's home are simply not there.
- **processes**: own PID, IPC and UTS namespaces and session; `--die-with-parent`, so when
  the grader kills the sandbox (or dies itself) every process in it ends.
- **network**: own network namespace with loopback only. Servers listen on sockets the
  grader binds and passes in; boto3 reaches moto through a grader-side proxy.
- **identity**: an unprivileged uid (as root: a fresh uid per sandbox, dropped with
  `setpriv`), no capabilities, no new privileges; rlimits on memory, processes, open files,
  file size and CPU time.
- **environment**: cleared, then the allow-list in `base_env` plus what a check adds.

Where bubblewrap cannot run (macOS, some containers) `isolation()` says why, and the same
command runs as a plain process with the same environment and rlimits (see `docs/grading.md`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import secrets
import shutil
import signal
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# The only course code a submission can see (and import): everything that judges lives elsewhere.
COURSE_MOUNTS = ["autograder/__init__.py", "autograder/sandboxed", "week4/__init__.py",
                 "week4/data.py", "week4/trust.py"]
# The lecture's reference model service: mounted only for the grader's own gunicorn run of it
# (topic 03), never for a notebook's child.
SERVING_MOUNTS = ["week4/serving"]
SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
# Harmless files from /etc that libraries read (no /etc/shadow, no credentials).
ETC_FILES = ["passwd", "group", "hosts", "nsswitch.conf", "ld.so.cache", "ld.so.conf",
             "ld.so.conf.d", "localtime", "mime.types", "ssl", "ca-certificates",
             "alternatives", "fonts"]
SANDBOX_UID_BASE = 200_000  # uids the root grader hands out, one per sandbox
DISABLE_ENV = "WEEK4_NO_BWRAP"  # set to 1 to test the fallback on a machine that has bwrap


@dataclass(frozen=True)
class Limits:
    memory_mb: int = 4096
    processes: int = 128
    open_files: int = 256
    file_size_mb: int = 256
    cpu_seconds: int = 600
    tmp_mb: int = 256
    scratch_mb: int = 768  # the scratch folder's size cap (a tmpfs, when the grader is root)


@dataclass(frozen=True)
class Isolation:
    kind: str      # "bubblewrap" or "process"
    reason: str    # one line: what is active and why

    @property
    def isolated(self) -> bool:
        return self.kind == "bubblewrap"


def _bwrap() -> str | None:
    return shutil.which("bwrap") or next(
        (p for p in ("/usr/bin/bwrap", "/usr/local/bin/bwrap") if os.path.exists(p)), None)


@functools.lru_cache(maxsize=1)
def isolation() -> Isolation:
    """Which isolation this machine gives student code, and why (tried once per process)."""
    if os.environ.get(DISABLE_ENV) == "1":
        return Isolation("process", f"{DISABLE_ENV}=1 is set: bubblewrap is not used")
    if not sys.platform.startswith("linux"):
        return Isolation("process", f"{sys.platform} has no Linux namespaces: student code runs "
                                    "as a plain child process with limits")
    bwrap = _bwrap()
    if bwrap is None:
        return Isolation("process", "bubblewrap (bwrap) is not installed: student code runs as a "
                                    "plain child process (Debian/Ubuntu: apt-get install bubblewrap)")
    if os.geteuid() == 0 and not shutil.which("setpriv"):
        return Isolation("process", "setpriv (util-linux) is missing: the root grader cannot "
                                    "drop to an unprivileged uid")
    probe = Jail(Path("/"), workdir=None)
    try:
        proc = subprocess.run(probe.command(["/bin/true"], isolated=True), capture_output=True,
                              timeout=30, stdin=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin"},
                              **probe.popen_kwargs())
    except (OSError, subprocess.SubprocessError) as exc:
        return Isolation("process", f"bubblewrap could not start ({exc}): student code runs "
                                    "as a plain child process")
    if proc.returncode != 0:
        why = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
        return Isolation("process", f"bubblewrap cannot create namespaces here ({why[0]}): "
                                    "student code runs as a plain child process")
    return Isolation("bubblewrap", "bubblewrap sandbox: own PID/network/IPC namespaces, loopback "
                                   "only, read-only system, unprivileged uid")


def runtime_paths() -> list[Path]:
    """The Python runtime and its packages: the venv and the interpreter it was made from."""
    paths = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix),
             Path(os.path.realpath(sys.executable)).parent.parent}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        with contextlib.suppress(KeyError):
            paths.add(Path(sysconfig.get_paths()[key]))
    # Keep the outermost of nested paths; skip what the system mounts already cover.
    out: list[Path] = []
    for p in sorted(paths, key=lambda p: len(p.parts)):
        if any(p == q or q in p.parents for q in out):
            continue
        if any(str(p) == d or str(p).startswith(d + "/") for d in SYSTEM_DIRS):
            continue
        out.append(p)
    return out


def base_env(workdir: Path | None) -> dict:
    """The allow-list: the only variables a sandboxed process starts with."""
    home = "/tmp"
    path = os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"])
    return {
        "PATH": path,
        "HOME": home,
        "TMPDIR": "/tmp",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONUTF8": "1",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/matplotlib",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONWARNINGS": "ignore",
        "OPENBLAS_NUM_THREADS": "1",     # one core per child: graders run in parallel
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }


def _user_processes(uid: int) -> int:
    count = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    if entry.stat().st_uid == uid:
                        count += 1
    return count


class Jail:
    """One sandbox profile: what is mounted where, as which uid, with which limits."""

    def __init__(self, scratch: Path, *, workdir: Path | None, read_only: list[Path] = (),
                 writable: bool = True, limits: Limits = Limits(), course: list[str] = None,
                 extra_rw: list[Path] = ()):
        self.scratch = Path(scratch)
        self.extra_rw = [Path(p) for p in extra_rw]
        self.workdir = Path(workdir) if workdir else None
        self.read_only = [Path(p) for p in read_only]
        self.writable = writable
        self.limits = limits
        self.course = list(COURSE_MOUNTS if course is None else course)
        self.root = os.geteuid() == 0
        # As root, each sandbox gets its own uid: its files, its process count, its signals.
        self.uid = SANDBOX_UID_BASE + secrets.randbelow(100_000) if self.root else os.getuid()
        self.gid = self.uid if self.root else os.getgid()

    # -- what it mounts --------------------------------------------------------------------
    def mounts(self) -> list[tuple[str, str]]:
        """(kind, path) pairs: kind is 'ro' or 'rw'; every path is mounted at the same place."""
        out = [("ro", d) for d in SYSTEM_DIRS if os.path.lexists(d) and not os.path.islink(d)]
        out += [("ro", f"/etc/{name}") for name in ETC_FILES if os.path.exists(f"/etc/{name}")]
        out += [("ro", str(p)) for p in runtime_paths()]
        out += [("ro", str(REPO / rel)) for rel in self.course if (REPO / rel).exists()]
        out += [("ro", str(p)) for p in self.read_only if p.exists()]
        if self.scratch != Path("/"):
            out.append(("rw" if self.writable else "ro", str(self.scratch)))
        out += [("rw", str(p)) for p in self.extra_rw if p.exists()]
        return out

    def prepare(self) -> None:
        """Hand the scratch folder to the sandbox's uid (as root); nothing else is writable."""
        folders = ([self.scratch] if self.scratch != Path("/") and self.writable else []) \
            + self.extra_rw
        for folder in folders if self.root else []:
            for dirpath, dirnames, filenames in os.walk(folder):
                os.chown(dirpath, self.uid, self.gid, follow_symlinks=False)
                for name in dirnames + filenames:
                    os.chown(os.path.join(dirpath, name), self.uid, self.gid,
                             follow_symlinks=False)

    def command(self, argv: list[str], *, isolated: bool | None = None,
                info_fd: int | None = None) -> list[str]:
        """`argv` wrapped in bubblewrap (or unchanged when bubblewrap is not available)."""
        if isolated is None:
            isolated = isolation().isolated
        if not isolated:
            return list(argv)
        cmd = [_bwrap()] + (["--info-fd", str(info_fd)] if info_fd is not None else []) + [
               "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
               "--unshare-cgroup-try", "--die-with-parent", "--new-session",
               "--hostname", "week4-sandbox"]
        if not self.root:
            cmd += ["--unshare-user", "--disable-userns"]
        dirs: set[str] = set()

        def parents(path: str) -> None:
            for parent in reversed(Path(path).parents):
                p = str(parent)
                if p != "/" and p not in dirs:
                    dirs.add(p)
                    cmd.extend(["--perms", "0755", "--dir", p])

        for name in ("/lib", "/lib64", "/bin", "/sbin", "/lib32", "/libx32"):
            if os.path.islink(name):  # merged /usr: keep the symlinks
                cmd += ["--symlink", os.readlink(name), name]
        cmd += ["--proc", "/proc", "--dev", "/dev",
                "--perms", "1777", "--size", str(self.limits.tmp_mb << 20), "--tmpfs", "/tmp"]
        for kind, path in self.mounts():
            parents(path)
            cmd += ["--ro-bind" if kind == "ro" else "--bind", path, path]
        if self.workdir is not None:
            cmd += ["--chdir", str(self.workdir)]
        if self.root:
            cmd += ["--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--",
                    shutil.which("setpriv") or "/usr/bin/setpriv",
                    f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups",
                    "--bounding-set=-all", "--inh-caps=-all", "--"]
        else:
            cmd.append("--")
        return cmd + list(argv)

    def popen_kwargs(self) -> dict:
        """Limits applied between fork and exec (inherited by bubblewrap and everything in it)."""
        return {"preexec_fn": self._limits(), "start_new_session": True}

    def _limits(self):
        limits = self.limits
        nproc = limits.processes + (0 if self.root else _user_processes(self.uid))
        prctl = None
        if sys.platform.startswith("linux"):
            with contextlib.suppress(OSError, AttributeError):
                import ctypes
                prctl = ctypes.CDLL(None, use_errno=True).prctl
        try:
            import resource
        except ImportError:
            resource = None

        def apply():  # between fork and exec: no imports, no locks
            if resource is not None:
                for name, value in (("RLIMIT_AS", limits.memory_mb << 20),
                                    ("RLIMIT_NPROC", nproc),
                                    ("RLIMIT_NOFILE", limits.open_files),
                                    ("RLIMIT_FSIZE", limits.file_size_mb << 20),
                                    ("RLIMIT_CPU", limits.cpu_seconds),
                                    ("RLIMIT_CORE", 0)):
                    with contextlib.suppress(ValueError, OSError, AttributeError):
                        resource.setrlimit(getattr(resource, name), (value, value))
            if prctl is not None:
                # If the grader dies, the sandbox dies with it (bwrap then takes everything
                # inside along). Linux ties this to the thread that started the child.
                prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        return apply


class Process:
    """A process started in a jail; `stop()` ends it and everything it started, and waits.

    Under bubblewrap, `init` is the host pid of the sandbox's PID-namespace init: when it
    dies the kernel kills every other process of the namespace before the init is reaped,
    so once bwrap has exited, nothing of the sandbox is left (no timing guess involved).
    """

    def __init__(self, jail: Jail, argv: list[str], *, env: dict, cwd: Path | None = None,
                 stdout=None, stderr=None, pass_fds: tuple = (), start_timeout: float = 30.0):
        self.init: int | None = None
        isolated = isolation().isolated
        info_r = info_w = None
        if isolated:
            info_r, info_w = os.pipe()
        jail.prepare()
        try:
            self.proc = subprocess.Popen(
                jail.command(argv, info_fd=info_w), cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                stdout=stdout, stderr=stderr, pass_fds=tuple(pass_fds) + ((info_w,) if isolated else ()),
                **jail.popen_kwargs())
        finally:
            if info_w is not None:
                os.close(info_w)
        if info_r is not None:
            self.init = _read_child_pid(info_r, start_timeout)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def poll(self):
        return self.proc.poll()

    def stop(self) -> None:
        if self.init is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.init, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)  # bwrap exits once its namespace is empty
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)


def run(jail: Jail, argv: list[str], *, env: dict, cwd: Path | None = None,
        timeout: float = 30.0, max_output: int = 1 << 16) -> tuple[int | None, str, str]:
    """Run `argv` in `jail` to the end (or `timeout`): (exit status or None, stdout, stderr).

    Output goes to files the sandboxed process cannot grow past its file-size limit; only the
    last `max_output` bytes of each are read back.
    """
    import tempfile

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = Process(jail, argv, env=env, cwd=cwd, stdout=out, stderr=err)
        try:
            code = process.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            process.stop()

        def tail(fh) -> str:
            size = fh.seek(0, os.SEEK_END)
            fh.seek(max(0, size - max_output))
            return fh.read().decode("utf-8", errors="replace")

        return code, tail(out), tail(err)


def _read_child_pid(fd: int, timeout: float) -> int | None:
    """bwrap's --info-fd JSON: the host pid of the namespace's init."""
    import json
    import select

    data = b""
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            data += chunk
            with contextlib.suppress(ValueError):
                return int(json.loads(data)["child-pid"])
    finally:
        os.close(fd)
    with contextlib.suppress(ValueError, KeyError, TypeError):
        return int(json.loads(data)["child-pid"])
    return None


# -- a size-capped scratch folder (root only: a tmpfs, so a disk flood cannot fill the disk) --

def mount_scratch(path: Path, size_mb: int) -> bool:
    """Mount a tmpfs of `size_mb` on the empty folder `path` (root only); True if mounted."""
    if os.geteuid() != 0 or not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        flags = 0x2 | 0x4  # MS_NOSUID | MS_NODEV
        return libc.mount(b"tmpfs", str(path).encode(), b"tmpfs", flags,
                          f"size={size_mb}m,mode=0755".encode()) == 0
    except (OSError, AttributeError):
        return False


def unmount_scratch(path: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        import ctypes
        ctypes.CDLL(None, use_errno=True).umount2(str(path).encode(), 2)  # MNT_DETACH
