"""`python -m autograder …` — the instructor's commands."""

from autograder.cli import main

raise SystemExit(main())
