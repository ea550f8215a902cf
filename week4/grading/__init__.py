"""Grade a whole class: `week4 grade` (instructors).

One module per stage: `collect` finds submissions (nbgrader folders or an LMS zip), `jobs`
grades them in parallel child processes and keeps every finished result on disk, `crosscheck`
reads nbgrader's gradebook, `reports` writes grades.csv, feedback and the class report,
`demo` builds a synthetic class for `make grade-demo`.
"""
