"""The hub's folders, who may read them, and the settings its configuration reads.

One folder holds everything a running hub needs (`make hub`: /srv/lrlab-hub by default):

- `course/` (root, 0700): the nbgrader course directory — `source/`, `release/`, the gradebook,
  `submitted/`, `autograded/`, `feedback/`;
- `exchange/` (root, 1777): nbgrader's exchange; the course's folder in it is made here, before
  any student logs in;
- `hub/` (root, 0700): JupyterHub's database, cookie secret, generated passwords, settings, log;
- `grader/` (root, 0700): the course secret and the Formgrader's own Jupyter folders (its HOME);
- `config/` (root, 0755): what every server reads — the exchange's place, and JupyterLab's
  plugins that go online switched off.

Students can read none of `course/`, `hub/`, `grader/`, the exchange's `inbound/` (nbgrader's
0733: they can hand in, not list) or another student's home (0700).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_HUB_DIR = "/srv/lrlab-hub"
"""Where `make hub` keeps its folder unless HUB_ARGS='--hub-dir DIR' says otherwise."""

COURSE_ID = "learning-rate-lab"
"""The course id of nbgrader_config.py: the exchange's folder for this course."""

DISABLED_LAB_PLUGINS = (
    # JupyterLab's news and update checks go online (and ask in a toast)
    "@jupyterlab/apputils-extension:announcements",
    # the extension manager lists PyPI's extensions
    "@jupyterlab/extensionmanager-extension",
)



@dataclass(frozen=True)
class HubLayout:
    """The paths of one hub's folder (see the module's table)."""

    root: Path

    @property
    def course(self) -> Path:
        return self.root / "course"

    @property
    def exchange(self) -> Path:
        return self.root / "exchange"

    @property
    def exchange_course(self) -> Path:
        return self.exchange / COURSE_ID

    @property
    def state(self) -> Path:
        return self.root / "hub"

    @property
    def grader(self) -> Path:
        return self.root / "grader"

    @property
    def course_secret(self) -> Path:
        return self.grader / "course.secret"

    @property
    def server_config(self) -> Path:
        """Read by every server, the Formgrader's and the students' (JUPYTER_CONFIG_PATH).
        The students' environment itself has nbgrader's instructor parts switched off
        (hub/student_env.sh)."""
        return self.root / "config"

    @property
    def passwords(self) -> Path:
        return self.state / "passwords.json"

    @property
    def settings(self) -> Path:
        return self.state / "settings.json"

    @property
    def log(self) -> Path:
        return self.state / "jupyterhub.log"

    @property
    def accounts_made(self) -> Path:
        """Every account a start of this hub made or reused, one per line: what hub-clean
        removes."""
        return self.state / "accounts"

    def record_accounts(self, names: list[str]) -> None:
        known = set(self.recorded_accounts()) | set(names)
        write_private(self.accounts_made, "".join(f"{name}\n" for name in sorted(known)))

    def recorded_accounts(self) -> list[str]:
        try:
            return self.accounts_made.read_text().split()
        except FileNotFoundError:
            return []


@dataclass
class HubSettings:
    """What jupyterhub_config.py needs to know, written by `hub.run` before the hub starts."""

    hub_dir: str
    repo: str
    grader_venv: str
    student_venv: str
    instructor: str
    students: list[str]
    port: int
    hub_port: int
    proxy_api_port: int
    formgrader_port: int
    proxy_command: list[str] = field(default_factory=lambda: ["configurable-http-proxy"])

    @property
    def layout(self) -> HubLayout:
        return HubLayout(Path(self.hub_dir))

    def save(self) -> None:
        write_private(self.layout.settings, json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, hub_dir: str | Path) -> HubSettings:
        return cls(**json.loads(HubLayout(Path(hub_dir)).settings.read_text()))


def write_private(path: Path, text: str) -> None:
    """Write `text` to `path`, readable by its owner only (created so, never widened)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, stat.S_IRUSR | stat.S_IWUSR)
    os.fchmod(fd, stat.S_IRUSR | stat.S_IWUSR)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _folder(path: Path, mode: int) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chown(path, 0, 0)
    os.chmod(path, mode)


def prepare(layout: HubLayout, repo: Path) -> None:
    """Create the hub's folders with their owners and modes (root runs this), copy the course
    from the repository the first time, create the course secret once, and write the
    configuration every server reads. A second start keeps the course, its gradebook and its
    secret."""
    _folder(layout.root, 0o755)
    _folder(layout.course, 0o700)
    _folder(layout.state, 0o700)
    _folder(layout.grader, 0o700)
    _copy_course(repo, layout.course)
    _prepare_exchange(layout)
    if not layout.course_secret.exists():
        from autograder.hidden.secret import create_secret

        create_secret(layout.course_secret)
    _write_server_config(layout)


def _copy_course(repo: Path, course: Path) -> None:
    if not (course / "nbgrader_config.py").exists():
        shutil.copy2(repo / "nbgrader_config.py", course / "nbgrader_config.py")
    if not (course / "source").exists():
        shutil.copytree(repo / "source", course / "source",
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))


def _prepare_exchange(layout: HubLayout) -> None:
    """nbgrader's own modes, made by root before any student logs in: a student who made the
    course's folder first would own its outbound (what classmates fetch) and inbound (what they
    hand in). The sticky bit keeps anyone but root from renaming it away; nbgrader compares
    only the 0777 part, so it leaves the root as it is."""
    _folder(layout.exchange, 0o1777)
    _folder(layout.exchange_course, 0o755)
    _folder(layout.exchange_course / "outbound", 0o755)
    _folder(layout.exchange_course / "inbound", 0o2733)
    _folder(layout.exchange_course / "feedback", 0o711)


def _write_server_config(layout: HubLayout) -> None:
    nbgrader_config = (
        '"""Written by `make hub` (hub/layout.py): where the course\'s exchange is."""\n'
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.Exchange.root = {str(layout.exchange)!r}\n"
    )
    disabled = {"disabledExtensions": dict.fromkeys(DISABLED_LAB_PLUGINS, True)}
    files = {
        layout.server_config / "nbgrader_config.py": nbgrader_config,
        layout.server_config / "labconfig" / "page_config.json": json.dumps(disabled, indent=2),
    }
    for path, text in files.items():
        _folder(path.parent, 0o755)
        path.write_text(text)
        path.chmod(0o644)
