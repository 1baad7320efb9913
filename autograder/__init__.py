"""autograder — what judges: the checks test cells call, and the instructor's commands.

- `lrchecks` — compared with `lrcore`, with feedback that names the mistake;
- `autograder.feedback_pages` — nbgrader preprocessors that keep hidden tests out of feedback;
- `autograder.course`, `release`, `collect`, `grade`, `export`, `report` — thin steps over
  nbgrader's own API, tied together by `autograder.cli` (`python -m autograder --help`);
- `autograder.sandbox` — where student code runs: bubblewrap, a cgroup, limits (`SANDBOX.md`);
- `autograder.samples` — sample submissions for the demo and the end-to-end tests.
"""

__version__ = "0.1.0"
