"""The commands the instructors' page shows (week4/demos/*.sh) are real: each `week4` line parses
with the CLI's own parser (grading_keys.sh, export_gradescope.sh, export_prairielearn.sh,
export_classroom.sh, lms_canvas.sh)."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest

DEMOS = Path(__file__).resolve().parent.parent / "week4" / "demos"
FILES = ["grading_keys.sh", "export_gradescope.sh", "export_prairielearn.sh",
         "export_classroom.sh", "lms_canvas.sh"]


@pytest.mark.parametrize("name", FILES)
def test_every_week4_command_on_the_page_parses(name):
    from week4.cli import build_parser

    lines = [line for line in (DEMOS / name).read_text(encoding="utf-8").splitlines()
             if line.startswith("week4 ")]
    assert lines
    for line in lines:
        args = shlex.split(line, comments=True)[1:]
        parsed = build_parser().parse_args(args)
        assert callable(parsed.run)
