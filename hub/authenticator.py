"""The demo's authenticator: the passwords `make hub` generated and printed at this start.

For the demo only. A real deployment uses the authenticator of its institution instead —
JupyterHub's PAM authenticator for the machine's own accounts, or OAuth / LTI through
`oauthenticator` / `ltiauthenticator` — with the same allowed users and roles (README).
"""

from __future__ import annotations

from jupyterhub.auth import Authenticator
from traitlets import Unicode

from hub.accounts import check_password


class GeneratedPasswordAuthenticator(Authenticator):
    """Logs in the demo's accounts with the passwords printed by `make hub`."""

    password_file = Unicode(
        help="JSON file of salted scrypt hashes, one per account (hub.accounts)."
    ).tag(config=True)

    async def authenticate(self, handler, data):  # noqa: ANN001 - JupyterHub's signature
        name = str(data.get("username", ""))
        password = str(data.get("password", ""))
        if name and password and check_password(self.password_file, name, password):
            return name
        return None
