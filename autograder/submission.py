"""What a check sees: one student's notebook for one topic, runnable in a sandbox."""

from __future__ import annotations

import os
import stat
import time
from pathlib import Path

from .checking import CheckFailed, safe_reply
from .keys import PRACTICE, Inputs
from .notebook import Cell
from .sandbox import Reply, Sandbox, place

from week4.i18n import current

_ = current()  # what a student reads, in the grading language

# A topic's checks together get this long; a submission that burns it (timeouts in every
# function) fails the remaining checks at once instead of stalling a whole class's grading.
DEFAULT_BUDGET_SECONDS = 180.0
# A function that hung once gets this long on later calls: enough for any honest answer,
# short enough that an infinite loop does not cost a full timeout per check.
HUNG_RETRY_SECONDS = 2.0


def read_student_file(root: Path, path: Path, limit: int = 64 << 20) -> bytes | None:
    """The bytes of a regular file the submission wrote under `root`, never through a link.

    Every component of the path is opened relative to its parent with O_NOFOLLOW, so a symlink
    anywhere (say `model.skops -> /etc/shadow`, or the whole folder swapped for a link) is never
    followed by the grader, whatever the sandbox does meanwhile. None when the file is missing,
    is not a regular file, is reached through a link, or is larger than `limit`.
    """
    root, path = Path(root), Path(path)
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fds = []
    try:
        fd = os.open(root, flags | os.O_DIRECTORY)
        fds.append(fd)
        for name in parts[:-1]:
            fd = os.open(name, flags | os.O_DIRECTORY, dir_fd=fd)
            fds.append(fd)
        fd = os.open(parts[-1], flags | getattr(os, "O_NONBLOCK", 0), dir_fd=fd)
        fds.append(fd)
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read(limit + 1)[:limit]
    except (OSError, IndexError):
        return None
    finally:
        for fd in fds:
            os.close(fd)


def one_line(text, limit: int = 200) -> str:
    """Text for a one-line note: runs of whitespace (newlines too) as one space, cut short."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def load_note(error: dict) -> str:
    """'the cell that defines f raised ValueError at line 3: ...': the cell named as the
    student finds it (JupyterLab shows no cell numbers), on one line."""
    cell = error.get("cell_name") or f"cell {error.get('cell')}"
    where = str(error.get("where") or "")
    message = f": {one_line(error['message'])}" if error.get("message") else ""
    kind = error.get("type")
    if where.endswith(f" of {cell}"):
        said = _("{cell} raised {error} at {place}").format(
            cell=place(cell), error=kind, place=place(where[:-len(f" of {cell}")]))
    elif where:
        said = _("{cell} raised {error} (from {place})").format(
            cell=place(cell), error=kind, place=place(where))
    else:
        said = _("{cell} raised {error}").format(cell=place(cell), error=kind)
    return one_line(said + message, 300)


class Submission:
    def __init__(self, topic: str, notebook: Path, cells: list[Cell], *,
                 timeout: float = 10.0, load_timeout: float = 60.0,
                 budget: float = DEFAULT_BUDGET_SECONDS, env: dict | None = None,
                 inputs: Inputs = PRACTICE):
        self.topic = topic
        # practice or grading mode; in grading mode the checks draw hidden inputs from it.
        # It holds the key: it stays in the grader's process, never sent to the sandbox.
        self.inputs = inputs
        self.notebook = Path(notebook)
        # listen=True: a socket the grader binds, for checks that serve the app over HTTP
        self.sandbox = Sandbox(cells, self.notebook.parent, timeout=timeout,
                               load_timeout=load_timeout, env=env, listen=True)
        # The budget is for the checks' calls: it starts once the notebook is loaded, which
        # has limits of its own, so that a slow load on a busy machine cannot use it up.
        self.budget = budget
        self._deadline: float | None = None
        self.hung: set[str] = set()  # functions that already timed out once

    def close(self) -> None:
        self.sandbox.close()

    @property
    def deadline(self) -> float:
        """When the topic's time is up: `budget` seconds after the notebook finished loading
        (reading it loads the notebook first, if it is not loaded yet)."""
        if self._deadline is None:
            self.sandbox.start()
            self._deadline = time.monotonic() + self.budget
        return self._deadline

    @deadline.setter
    def deadline(self, when: float) -> None:
        """Start the budget over (tests that run the checks many times on one sandbox)."""
        self._deadline = when

    def read_file(self, path: Path, limit: int = 64 << 20) -> bytes | None:
        """A file the submission wrote in its scratch folder, read without following links."""
        return read_student_file(self.sandbox.scratch, path, limit)

    @property
    def workdir(self) -> Path:
        """The scratch copy of the submission folder the child runs in."""
        self.sandbox.start()
        return self.sandbox.workdir

    def load_notes(self) -> list[str]:
        """Cells that raised while the notebook was loaded, one line each."""
        reply = self.sandbox.start()
        if not reply.ok:
            return [_("loading the notebook {outcome}").format(outcome=reply.explain())]
        return [
            load_note(e)
            for e in reply.value.get("errors", [])
            # an unfinished challenge: its checks already say "not written yet"
            if e.get("type") != "NotImplementedError"
        ]

    def run(self, name: str, *args, timeout: float | None = None, **kwargs) -> Reply:
        self._check_budget()
        limit = self._timeout(timeout)
        if name in self.hung:
            limit = min(limit, HUNG_RETRY_SECONDS)
        reply = self.sandbox.call(name, *args, timeout=limit, **kwargs)
        if reply.status == "timeout":
            self.hung.add(name)
        return reply

    def call(self, name: str, *args, timeout: float | None = None, shown: str = "",
             **kwargs):
        """Call the student's function and return its value, or fail the check saying why.

        `shown` is how the call is quoted in the message; by default the function's name.
        """
        reply = self.run(name, *args, timeout=timeout, **kwargs)
        if not reply.ok:
            raise CheckFailed(self.failure(name, reply, shown), safe=safe_reply(name, reply))
        return reply.value

    def helper(self, helper: str, *args, timeout: float | None = None, shown: str = "",
               **kwargs):
        self._check_budget()
        reply = self.sandbox.helper(helper, *args, timeout=self._timeout(timeout), **kwargs)
        if not reply.ok:
            raise CheckFailed(self.failure(shown or helper, reply, shown),
                              safe=safe_reply((shown or helper).split("(")[0], reply))
        return reply.value

    def failure(self, name: str, reply: Reply, shown: str = "") -> str:
        what = shown or f"{name}(...)"
        if reply.status == "error" and reply.error.get("type") == "LookupError":
            notes = self.load_notes()
            extra = f" ({notes[0]})" if notes else ""
            return reply.error.get("message", "function missing") + extra
        if reply is self.sandbox.fatal or reply is self.sandbox.load_reply:
            return _("the notebook could not be loaded: it {outcome}").format(
                outcome=reply.explain())
        return _("{what} {outcome}").format(what=what, outcome=reply.explain())

    def _timeout(self, timeout: float | None) -> float:
        limit = timeout or self.sandbox.timeout
        deadline = self.deadline
        return max(0.5, min(limit, deadline - time.monotonic()))

    def _check_budget(self) -> None:
        deadline = self.deadline  # first: reading it may load the notebook
        if time.monotonic() >= deadline:
            message = _("grading time for this topic is used up (earlier calls timed out)")
            raise CheckFailed(message, safe=message)
