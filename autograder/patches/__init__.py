"""The fence: every place the grader reaches into nbgrader's, jupyter_client's or ipykernel's
internals (a replaced module attribute, a private method overridden or called, a private
attribute set), one module per patch, behind one version gate (`gate`).

Each module declares its `PATCH` (`gate.Patch`): what it patches, why, its kind and the versions
of each package it touches that it was tested with (from the installed version to the next
minor). `gate.check_patches` runs at the start of `grade`, and once per process before the
first notebook of nbgrader's own `autograde` (`gate.check_patches_once`, asked by
`autograder.preprocessors.SandboxedExecute`): outside a tested range a *speed* patch is switched
off with one log line (the library's own path is taken), and an *integrity* patch makes grading
refuse in one sentence. `tests/unit/test_patches.py` checks
that each patch takes effect and what the gate decides.

The patches (module — what it reaches into — kind):

- `nbgrader_fast_paths` — `nbgrader.nbgraderformat.common.jsonschema`,
  `nbgrader.api.create_engine`, `nbgrader.api.inspect`, `Base.metadata.create_all`, replaced
  inside `grade` — speed;
- `autograde_stages` — `Autograde` run as its two stages apart (`_sanitizing`,
  `_init_preprocessors`, `_format_dest`) — **integrity** (the judged scoring);
- `grades_in_one_transaction` — `SaveAutoGrades` subclassed, its gradebook session's `commit`
  a flush until the notebook's last cell is scored (`self.gradebook.db`), in `grade`'s
  scoring stage — speed;
- `nbgrader_execute_import` — `nbgrader` and `nbgrader.preprocessors` registered as bare
  namespaces in `sys.modules` — speed;
- `kernel_client` — jupyter_client's `_async_wait_for_ready`, `_context_default`,
  `_handle_kernel_info_reply`, `_async_is_alive`, the channel's `_recv` — speed;
- `kernel_wait` — jupyter_client's `KernelManager._async_wait` — speed;
- `kernel_fork` — jupyter_client's `_async_launch_kernel`, `_reconcile_connection_info`, the
  provisioner's `process`/`pid`/`pgid`/`cwd`; ipykernel's `IPKernelApp` started as its
  launcher does — speed.

The sandbox binds this folder for the worker (`autograder.sandbox.bwrap.GRADER_PARTS`): it holds
no secret and no solution.

Not a patch, public API (extension points the libraries document; they stay where they are):

- nbgrader preprocessors installed through traitlets configuration (`autograder.preprocessors`:
  `SandboxedExecute`, `RequireJudgedTestCells`, …; `autograder.replay_execution.ReplayExecution`),
  their lists derived from the converters' trait defaults (`class_traits()`);
- nbconvert preprocessors, exporters and templates (`feedback_pages`, `safe_notebook_html`,
  `rubric`, `not_graded_yet`, `private_feedback.OwnerOnlyFeedbackFolders`);
- nbgrader's exchange class chosen by configuration (`private_feedback.ReleaseFeedbackToStudents`
  extends the public `copy_files`);
- nbclient's hooks `on_cell_start`, `on_cell_executed`, `on_notebook_start` and the
  `kernel_manager_class` argument (`autograder.sandbox.worker.run`); jupyter_client's
  `client_class`/`client_factory` traits, `is_alive` and the provisioner's `poll`
  (`autograder.sandbox.worker.WatchedKernelManager`, `grading_kernel_manager`);
- nbgrader's `NbGraderAPI`, `Gradebook`, `CourseDirectory`, `nbgrader.utils.capture_log`,
  `temp_attrs`, `setenv`; IPython's `TransformerManager` (`judge`, `own_code`); filters on
  nbgrader's loggers (`preprocessors.refusals_in_one_sentence`) and on SQLAlchemy's warnings.

Reaches left outside the fence, and why:

- `lrchecks.report` calls IPython's `InteractiveShell._showtraceback` to show a failed check in
  one line: it runs in the student's kernel, and the student runtime cannot import the grader;
  no grade rests on it (the judge re-checks every test cell outside the kernel).
- `autograder.sandbox.iri_grammar.skip_iri_grammar` sets `sys.modules["rfc3987_syntax"] = None`:
  an optional dependency of jsonschema, not nbgrader's, jupyter_client's or IPython's.
- `autograder.executors` stops `multiprocessing.forkserver`'s server through its `_stop`: the
  standard library, pinned by the Python version.
"""
