"""The course's autograder.

Layout (one module per stage):

- `topics`   which topics exist, where their notebook, checks and docs live;
- `notebook` turns a submitted notebook into the code cells the sandbox runs;
- `jail`     the bubblewrap profile: what is mounted, which uid, limits, the environment allow-list;
- `sandbox`  runs student code in that sandbox (timeouts) and returns plain data;
- `kernel`   the `week4-sandboxed` Jupyter kernel that `nbgrader autograde` uses;
- `sandboxed/` the ONLY code mounted inside the sandbox: the child runtime and the per-topic
  helpers that turn student objects into plain data (the trust boundary);
- `submission` what a check sees (`nb`): calls into the sandbox that fail checks clearly;
- `checking` the `@check` decorator and the `CheckFailed` error that checks raise;
- `runner`   runs a topic's checks with pytest and collects a `TopicResult`;
- `results`  the result types and their JSON form;
- `cell`     what the nbgrader test cells of a notebook call (`python -m autograder` grades);
- `checks/`  the checks themselves, one pytest module per topic;
- `http_api`, `cloud_servers`  grader-side servers and clients the checks use;
- `mutants/` realistic wrong and hostile submissions per topic (tests and the demo class).

Keep this file free of imports: it is mounted in the sandbox, whose child imports
`autograder.sandboxed.runtime` and should not pay for anything else.
"""
