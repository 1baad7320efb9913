"""nbgrader configuration of the Learning-Rate Lab course.

The repository root is the nbgrader course directory: `source/` holds the instructor's
assignments, `release/` the student versions, and grading writes `submitted/`, `autograded/`,
`feedback/` and the SQLite gradebook `gradebook.db` here (all git-ignored).
"""

import os

c = get_config()  # noqa: F821  (injected by traitlets when nbgrader loads this file)

course_root = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.course_id = "learning-rate-lab"
c.CourseDirectory.root = course_root
# One gradebook for the whole course; switch to PostgreSQL for large classes (see README).
c.CourseDirectory.db_url = os.environ.get(
    "LRLAB_DB_URL", "sqlite:///" + os.path.join(course_root, "gradebook.db")
)
# Only the notebooks travel with a release; data ships inside lrcore, never beside the notebook.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", "*.png", "*.pdf",
]

# Student-facing stubs for solution regions.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Every nbgrader entry point — `nbgrader generate_assignment`/`autograde`, the Formgrader's
# buttons, `python -m autograder release`/`grade` — releases and grades the same way
# (autograder/preprocessors.py): a release refuses test cells the judge cannot decide and builds
# the hidden-case pools; autograding runs each notebook in the sandbox and lets only the judge's
# verdict score (nbgrader's own step lists, with `Execute` replaced).
from autograder.preprocessors import (  # noqa: E402
    autograde_preprocessors,
    generate_assignment_preprocessors,
    refusals_in_one_sentence,
)

c.GenerateAssignment.preprocessors = generate_assignment_preprocessors()
c.Autograde.autograde_preprocessors = autograde_preprocessors()
refusals_in_one_sentence()  # "refusing to grade: …" instead of nbgrader's traceback

# Every solution notebook runs in seconds; a cell that takes a minute is a student's bug.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
# (nbgrader's Execute always continues after an error: its allow_errors is not configurable)
# Kernels keep no history file and do not log their own start/stop chatter to the grader's terminal.
c.Execute.extra_arguments = [
    "--HistoryManager.hist_file=:memory:",
    "--IPKernelApp.log_level=CRITICAL",
]

# A test cell the student deleted is put back from the gradebook (and run), not scored as missing.
c.OverwriteCells.add_missing_cells = True

# Every notebook runs in a sandbox (autograder/SANDBOX.md): bubblewrap hides this directory and the
# network, a cgroup caps memory and processes. Grading refuses to start without it unless
# `enabled = False` here or `grade --no-sandbox`. A kernel with torch needs about 0.5 GiB.
# Every setting, with its help and default: `python -m autograder settings`.
c.SandboxPolicy.enabled = True
c.SandboxPolicy.memory_bytes = "2 GiB"  # the kernel and everything it starts, together
c.SandboxPolicy.max_processes = 256  # processes and threads
c.SandboxPolicy.wall_seconds = 300  # the whole notebook; the per-cell limit is Execute.timeout

# Feedback shows the student what each test said, never the hidden tests or a traceback wall.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "autograder.feedback_pages.RedactHiddenTests",
    "autograder.feedback_pages.ShortenErrors",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]

# Nothing a student wrote is ever active on a page (autograder/safe_notebook_html.py): the
# feedback pages and the Formgrader's submission views both render with this HTMLExporter.
import nbgrader  # noqa: E402

import autograder  # noqa: E402

c.HTMLExporter.sanitize_html = True
# Then, for graders: each written answer's rubric from source/, in the Formgrader's view only
# (autograder/rubric.py), and which answers nobody has graded yet (autograder/not_graded_yet.py).
c.HTMLExporter.preprocessors = [
    "autograder.safe_notebook_html.NeutraliseActiveContent",
    "autograder.rubric.RubricsForGraders",
    "autograder.not_graded_yet.MarkAnswersNotGradedYet",
]
c.HTMLExporter.filters = {
    "clean_html": "autograder.safe_html.clean_html",
    "markdown2html": "autograder.safe_notebook_html.SafeMarkdown2HTML",
    "ansi2html": "autograder.safe_notebook_html.ansi2html",
    "inline_mathjax": "autograder.local_mathjax.inline_mathjax",
    "without_icon_font": "autograder.icon_font.without_icon_font",
}
# The grader's templates come first (autograder/nbconvert_templates/): feedback/ and formgrade/
# each hold `lrlab.html.j2`, which extends nbgrader's page of that name — "not graded yet"
# instead of 0, the rubric beside the answer (Formgrader), MathJax from this environment, never
# a CDN (autograder/local_mathjax.py): the feedback page gets a strict Content-Security-Policy
# allowing only its inline MathJax by hash. Then nbgrader's templates.
c.HTMLExporter.template_file = "lrlab.html.j2"
c.HTMLExporter.extra_template_basedirs = [
    os.path.join(os.path.dirname(autograder.__file__), "nbconvert_templates"),
    os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader",
                 "templates"),
]

# Feedback pages name a student and their grades: files 0600 in folders 0700
# (autograder/private_feedback.py); nbgrader's exchange then gives each released copy to its
# student (0644 under its secret name in the exchange's feedback folder).
c.GenerateFeedback.permissions = 600
c.GenerateFeedback.preprocessors = [
    *c.GenerateFeedback.preprocessors, "autograder.private_feedback.OwnerOnlyFeedbackFolders",
]
c.ExchangeFactory.release_feedback = "autograder.private_feedback.ReleaseFeedbackToStudents"

# Late submissions: `python -m autograder due ASSIGNMENT "2027-02-01 17:00 Europe/Berlin"` sets
# the due date; autograding compares each submission's timestamp with it and asks this plugin
# for the penalty. nbgrader's LateSubmissionPlugin: penalty_method "none" flags late work (the
# grade table's `late` and `hours_late` columns) without a penalty; "zero" gives a late
# notebook 0. Another policy is a subclass of nbgrader.plugins.LateSubmissionPlugin whose
# `late_submission_penalty(student_id, score, total_seconds_late)` returns the points to take
# off, named here instead.
c.AssignLatePenalties.plugin_class = "nbgrader.plugins.LateSubmissionPlugin"
c.LateSubmissionPlugin.penalty_method = "none"
