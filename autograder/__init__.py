"""The course's autograder.

Layout (one module per stage):

- `topics`   which topics exist, where their notebook, checks and docs live;
- `notebook` turns a submitted notebook into the code cells the sandbox runs;
- `sandbox`  runs student code in a child process (timeout, memory limit) and returns plain data;
- `child`    the program that runs inside that child process;
- `submission` what a check sees (`nb`): calls into the sandbox that fail checks clearly;
- `checking` the `@check` decorator and the `CheckFailed` error that checks raise;
- `runner`   runs a topic's checks with pytest and collects a `TopicResult`;
- `results`  the result types and their JSON form;
- `cell`     what the nbgrader test cells of a notebook call (`python -m autograder` grades);
- `checks/`  the checks themselves, one pytest module per topic;
- `helpers_*`, `variants`, `http_api`, `cloud_servers`  topic support: trusted code for the
  child (helpers) and servers the checks start;
- `mutants/` realistic wrong and hostile submissions per topic (tests and the demo class).

Keep this file free of imports: the sandbox child imports `autograder.child` and should not
pay for anything else.
"""
