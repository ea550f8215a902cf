#!/usr/bin/env bash
# The instructor's grading flow, end to end. Run it in a course folder that holds
# nbgrader_config.py, solutions/, students.csv and the collected submitted/ folders.
# tests/test_instructor_flow.py runs this exact file on a small class.
set -euo pipefail
ASSIGNMENT="${1:-01-virtualenv}"

# 1. Release: student notebooks are generated from the solutions (solutions/ -> exercises/).
nbgrader generate_assignment "$ASSIGNMENT" --force

# 2. Register the class once (a CSV with an "id" column, e.g. exported from the LMS).
nbgrader db student import students.csv

# 3. Collect: with JupyterHub, `nbgrader collect "$ASSIGNMENT"`; from an LMS, unpack the
#    notebooks into submitted/<student>/<assignment>/ (or let `week4 grade` read the zip).

# 4. Autograde: every test cell runs the course's isolated checks.
nbgrader autograde "$ASSIGNMENT"

# 5. Manual grading of the written answers happens in the Formgrader (see the docs).

# 6. Feedback for students: shows each check's verdict, never the hidden inputs.
nbgrader generate_feedback "$ASSIGNMENT"

# 7. Export the grades as CSV.
nbgrader export --to nbgrader-grades.csv

# 8. The same class through the isolated grader: parallel, resumable, cross-checked
#    against nbgrader's gradebook (differences are flagged as possible tampering).
week4 grade --submissions submitted --assignment "$ASSIGNMENT" --jobs 2 \
    --gradebook .nbgrader/gradebook.db --out week4-grading
