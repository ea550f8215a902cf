"""Practice mode and grading mode: the secret grading key and the inputs drawn from it.

- **Practice** (no key): every check uses its public, fixed practice inputs, and the
  scoreboard may show the expected and found values.
- **Grading** (a key): every check draws its hidden inputs from a seed that only the key's
  holder can compute, HMAC-SHA256(key, student, topic, what), so one student's feedback says
  nothing about another student's inputs, different keys give different inputs and a regrade
  with the same key is identical. Messages then name only the rule that failed.

A key file holds one line, `week4-key-v1:` and 64 hex digits (32 random bytes); it is created
by `week4 key new PATH` with mode 0600. Only the grader's process reads it: it is never sent
to the sandbox, and only its id (the first 12 hex digits of the SHA-256 of the key) appears
in results.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import random
import re
import secrets
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

PREFIX = "week4-key-v1:"
KEY_LINE = re.compile(r"^week4-key-v1:([0-9a-f]{64})$")
ENV = "WEEK4_KEY"
PACKAGE = Path(__file__).resolve().parent


class KeyFileError(Exception):
    """The key file cannot be used; the message says why, in one line."""


def key_id(key: bytes) -> str:
    """A short id of the key that says nothing about it (safe to print and store)."""
    return hashlib.sha256(key).hexdigest()[:12]


def load_key(path: str | os.PathLike) -> bytes:
    path = Path(path)
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise KeyFileError(f"key file not found: {path} (create one with 'week4 key new PATH')") \
            from None
    except IsADirectoryError:
        raise KeyFileError(f"key file {path} is a folder, not a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not text"
        raise KeyFileError(f"key file {path} cannot be read ({reason})") from None
    if not text.strip():
        raise KeyFileError(f"key file {path} is empty")
    match = KEY_LINE.match(text.strip())
    if not match:
        raise KeyFileError(f"key file {path} is not a week4 key (expected one line "
                           f"'{PREFIX}' and 64 hex digits, as 'week4 key new' writes)")
    return bytes.fromhex(match.group(1))


def git_top(path: Path) -> Path | None:
    """The git work tree that holds `path` (an existing folder), if any."""
    try:
        proc = subprocess.run(["git", "-C", str(path), "rev-parse", "--show-toplevel"],
                              capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(proc.stdout.strip()) if proc.returncode == 0 and proc.stdout.strip() else None


def git_ignored(path: Path, top: Path) -> bool:
    try:
        proc = subprocess.run(["git", "-C", str(top), "check-ignore", "-q", "--no-index",
                               str(path)], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return proc.returncode == 0


def check_location(path: Path) -> None:
    """Refuse a key path inside a git repository unless git ignores it."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    top = git_top(folder)
    if top is not None and not git_ignored(path, top):
        raise KeyFileError(f"refusing to write a key inside the git repository {top}: {path} "
                           "is not git-ignored (put the key outside the repository, e.g. "
                           "~/.week4/grading.key)")


def write_key(path: str | os.PathLike, *, check_git: bool = True) -> Path:
    """Write a new random key to `path` (mode 0600); never overwrites an existing file."""
    path = Path(path).expanduser().absolute()
    if path.exists():
        raise KeyFileError(f"{path} already exists; a key is never overwritten (choose another "
                           "path, or delete the old key on purpose)")
    if check_git:
        check_location(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(f"{PREFIX}{secrets.token_hex(32)}\n")
        os.chmod(path, 0o600)
    except OSError as exc:
        raise KeyFileError(f"cannot write the key to {path} ({exc.strerror or exc})") from None
    return path


def default_key(course: Path) -> tuple[Path, bool]:
    """`<course>/.week4/grading.key`, created on first use; (path, created now)."""
    folder = course / ".week4"
    path = folder / "grading.key"
    if path.exists():
        return path, False
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        ignore = folder / ".gitignore"
        if not ignore.exists():  # keep the key out of git wherever the course folder lives
            ignore.write_text("# the grading key: never commit it\n*\n", encoding="ascii")
    except OSError as exc:
        raise KeyFileError(f"cannot create {folder} ({exc.strerror or exc})") from None
    return write_key(path), True


def resolve(path: str | os.PathLike | None) -> Path | None:
    """The key file to use: the given path, else $WEEK4_KEY, else none (practice mode)."""
    if path:
        return Path(path)
    env = os.environ.get(ENV, "").strip()
    return Path(env) if env else None


def grader_version() -> str:
    """A short hash of the grader's own code: results from different graders differ here."""
    digest = hashlib.sha256()
    for file in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" in file.parts:
            continue
        digest.update(str(file.relative_to(PACKAGE)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


@dataclass(frozen=True)
class Inputs:
    """Which inputs a grading uses: practice (no key) or hidden ones drawn from the key."""

    key: bytes | None = field(default=None, repr=False)
    student: str = ""
    topic: str = ""

    @property
    def grading(self) -> bool:
        return self.key is not None

    @property
    def practice(self) -> bool:
        return self.key is None

    @property
    def mode(self) -> str:
        return "grading" if self.grading else "practice"

    @property
    def key_id(self) -> str | None:
        return key_id(self.key) if self.key is not None else None

    def seed(self, what: str = "") -> int:
        """A 64-bit seed for one input generator (`what` names it, e.g. the check's id)."""
        if self.key is None:
            raise RuntimeError("practice mode has no hidden seed")
        message = "\0".join(["week4", self.student, self.topic, what]).encode("utf-8")
        return int.from_bytes(hmac.new(self.key, message, hashlib.sha256).digest()[:8], "big")

    def rng(self, what: str = "") -> random.Random:
        return random.Random(self.seed(what))


PRACTICE = Inputs()


def for_grading(key: bytes | None, student: str, topic: str) -> Inputs:
    return Inputs(key, str(student), topic) if key is not None else PRACTICE


def student_of(notebook: Path) -> str:
    """The default student id: the submission folder's name (<folder>/<topic>/<topic>.ipynb)."""
    return Path(notebook).resolve().parent.parent.name or "student"
