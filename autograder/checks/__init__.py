"""One pytest module per topic; each test marked with `@check` is one graded check."""
