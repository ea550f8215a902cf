"""Grade where instructors already are: exports of the course's grader for other platforms.

- `gradescope`: an autograder bundle (setup.sh, run_autograder, the project and the key).
- `prairielearn`: an external-grading question folder (info.json, tests/, an image recipe).
- `classroom`: a GitHub Classroom workflow that reports `week4 check --json` as points.
- `lms`: Canvas and Moodle grade import files written next to `week4 grade`'s grades.csv.

Every platform grades with the same checks (`autograder.runner.grade_topic`), in the same
sandbox and, where a key is given, in the same grading mode, so a submission gets the same
points everywhere. `common` holds what they share.
"""
