"""Code that runs INSIDE the sandbox, next to student code: the trust boundary.

Everything in this package is mounted read-only into the bubblewrap sandbox (see
`autograder.sandbox.COURSE_MOUNTS`); nothing else of the autograder is visible there. It
must never decide a grade: it runs student code and turns what comes back into plain data,
which the grader (outside) judges. Student code in the same process can patch anything
here, so a patched module can only misreport the student's own work, never forge a verdict.

- `runtime`       the child program: loads the notebook's cells, answers the grader's requests;
- `flask_server`  topic 02/03: serves the student's Flask app on a socket the grader made;
- `cloud`, `serving`, `eda`  per-topic helpers that turn student objects into plain data;
- `variants`      hidden variants of the Titanic table, built from a plain spec.

Keep this file free of imports.
"""
