"""The course's autograder.

Layout (one module per stage):

- `topics`   which topics exist, where their notebook, checks and docs live;
- `notebook` turns a submitted notebook into the code cells the sandbox runs;
- `sandbox`  runs student code in a child process (timeout, memory limit) and returns plain data;
- `child`    the program that runs inside that child process;
- `checking` the `@check` decorator and the `CheckFailed` error that checks raise;
- `runner`   runs a topic's checks with pytest and collects a `TopicResult`;
- `results`  the result types and their JSON form;
- `cell`     what the nbgrader test cells of a notebook call;
- `checks/`  the checks themselves, one pytest module per topic.

Keep this file free of imports: the sandbox child imports `autograder.child` and should not
pay for anything else.
"""
