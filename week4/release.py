"""Regenerate exercises/ from solutions/ with nbgrader (`make release`).

    python -m week4.release [TOPIC ...] [--into DIR]

`--into` writes the release somewhere else (the drift test compares that with exercises/).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def tool_env() -> dict:
    """Our environment with this interpreter's bin/ first: nbgrader runs `alembic` from PATH."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def generate(topics: list[str], into: Path | None = None) -> None:
    """Run `nbgrader generate_assignment` for each topic; raise on failure."""
    release_dir = Path(into).resolve() if into else ROOT / "exercises"
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'gradebook.db'}"  # a throw-away gradebook
        for topic in topics:
            target = release_dir / topic
            if target.exists():
                shutil.rmtree(target)
            cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", topic, "--force",
                   f"--CourseDirectory.root={ROOT}",
                   f"--CourseDirectory.release_directory={release_dir}",
                   f"--CourseDirectory.db_url={db}", "--log-level=WARN"]
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=tool_env())
            if proc.returncode != 0 or not target.exists():
                raise RuntimeError(f"nbgrader could not release {topic}:\n{proc.stderr[-2000:]}")


def main(argv: list[str] | None = None) -> int:
    from autograder.topics import TOPICS

    parser = argparse.ArgumentParser(prog="python -m week4.release")
    parser.add_argument("topics", nargs="*", default=list(TOPICS))
    parser.add_argument("--into", type=Path)
    args = parser.parse_args(argv)
    try:
        generate(args.topics, args.into)
    except RuntimeError as exc:
        print(f"release: {exc}", file=sys.stderr)
        return 1
    print(f"released {', '.join(args.topics)} into {args.into or 'exercises/'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
