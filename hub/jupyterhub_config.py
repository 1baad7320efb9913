"""JupyterHub configuration of the Learning-Rate Lab (`make hub`; read hub/layout.py first).

- JupyterHub on 127.0.0.1 behind Debian's configurable-http-proxy; its database, cookie secret
  and log in the hub's private folder.
- Local system accounts (hub.accounts), logged in with this start's generated passwords
  (hub.authenticator); each user's server is a local process started as that user, from the
  students' environment (.venv-student: the student runtime, JupyterLab, nbgrader's Assignment
  List and Validate — nothing of the grader), in the user's home folder.
- The Formgrader is a JupyterHub service (nbgrader's set-up for JupyterHub): a Jupyter server
  started by the hub from the grader's environment, as root, in the course directory, that only
  the instructor may open (/services/formgrader/). It runs as root so that the grading sandbox
  can run every notebook as its own user (autograder/SANDBOX.md); it reads the course secret
  from the hub's grader folder, which no student can read. Its terminals are off; whoever may
  open it can still run code as root through a notebook, like anyone who grades on this machine.

`hub.run` writes the settings this file reads (ports, accounts, folders) before it starts
JupyterHub with `-f hub/jupyterhub_config.py`.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: `hub`

from hub.authenticator import GeneratedPasswordAuthenticator  # noqa: E402
from hub.layout import HubSettings  # noqa: E402

c = get_config()  # noqa: F821  (injected by traitlets)

settings = HubSettings.load(os.environ["LRLAB_HUB_DIR"])
layout = settings.layout
student_bin = Path(settings.student_venv) / "bin"
grader_bin = Path(settings.grader_venv) / "bin"

# -- the hub, its proxy, its state ---------------------------------------------------------
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = settings.port
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = settings.hub_port
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
c.ConfigurableHTTPProxy.command = settings.proxy_command
c.ConfigurableHTTPProxy.pid_file = str(layout.state / "proxy.pid")
c.JupyterHub.db_url = "sqlite:///" + str(layout.state / "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = str(layout.state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(layout.state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # Ctrl-C stops every user's server too
c.JupyterHub.cleanup_proxy = True

# -- who may log in --------------------------------------------------------------------------
c.JupyterHub.authenticator_class = GeneratedPasswordAuthenticator
c.GeneratedPasswordAuthenticator.password_file = str(layout.passwords)
c.Authenticator.allowed_users = {settings.instructor, *settings.students}
c.Authenticator.admin_users = set()  # nobody needs the hub's admin rights
c.Authenticator.delete_invalid_users = True  # accounts of an earlier start are forgotten

# -- each person's own server: the students' environment -----------------------------------
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = [str(student_bin / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.env_keep = ["LANG", "LC_ALL"]
c.Spawner.environment = {
    "PATH": f"{student_bin}:/usr/local/bin:/usr/bin:/bin",
    "JUPYTER_CONFIG_PATH": str(layout.server_config),  # the exchange; no plugin goes online
}
c.Spawner.start_timeout = 300  # a busy machine starts JupyterLab slowly
c.Spawner.http_timeout = 300

# -- the Formgrader: a service only the instructor may open --------------------------------
FORMGRADER = "formgrader"
grader_home = layout.grader
c.JupyterHub.services = [{
    "name": FORMGRADER,
    "display": True,
    "oauth_no_confirm": True,
    "url": f"http://127.0.0.1:{settings.formgrader_port}",
    "cwd": str(layout.course),
    "command": [
        str(grader_bin / "jupyterhub-singleuser"),
        "--allow-root",
        f"--ServerApp.root_dir={layout.course}",
        "--ServerApp.terminals_enabled=False",
        "--SingleUserNotebookApp.default_url=/formgrader",
    ],
    "environment": {
        "PATH": f"{grader_bin}:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": str(grader_home),
        "LRLAB_COURSE_SECRET_FILE": str(layout.course_secret),
        "JUPYTER_CONFIG_PATH": str(layout.server_config),
        "JUPYTER_CONFIG_DIR": str(grader_home / "jupyter" / "config"),
        "JUPYTER_DATA_DIR": str(grader_home / "jupyter" / "data"),
        "JUPYTER_RUNTIME_DIR": str(grader_home / "jupyter" / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(grader_home / "jupyter" / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(grader_home / "jupyter" / "workspaces"),
        "IPYTHONDIR": str(grader_home / "ipython"),
    },
}]
c.JupyterHub.load_roles = [{
    "name": "course-graders",
    "description": "Open the course's Formgrader",
    "users": [settings.instructor],
    "scopes": [f"access:services!service={FORMGRADER}"],
}]
