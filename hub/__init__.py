"""The course on a JupyterHub (`make hub`): accounts, folders, configuration, launcher.

`hub.run` starts it, `hub.clean` removes what it made; `hub/jupyterhub_config.py` is the
JupyterHub configuration both read their settings for (`hub.layout.HubSettings`).
"""
