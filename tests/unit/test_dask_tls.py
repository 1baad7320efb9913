"""The Dask cluster's certificates: made by one command, mutual TLS between the roles, nobody
else admitted; and grading refuses to send notebooks in the clear to another machine."""

from __future__ import annotations

import socket
import ssl
import stat
import threading

import pytest
from distributed.security import Security

from autograder.cli import main
from autograder.dask_tls import (
    CA_FILE,
    ROLES,
    check_scheduler,
    client_security,
    local_security,
    role_files,
    write_certificates,
)

TOOLS = ["cryptography", "openssl"]


def scheduler_context(folder) -> ssl.SSLContext:
    certificate, key = role_files(folder, "scheduler")
    security = Security(require_encryption=True, tls_ca_file=str(folder / CA_FILE),
                        tls_scheduler_cert=str(certificate), tls_scheduler_key=str(key))
    return security.get_listen_args("scheduler")["ssl_context"]


def handshake(server: ssl.SSLContext, client: ssl.SSLContext) -> dict[str, str]:
    """A TLS handshake on 127.0.0.1 between the two contexts; each side's peer common name or
    the error it met."""
    listener = socket.create_server(("127.0.0.1", 0))
    seen: dict[str, str] = {}

    def serve() -> None:
        connection, _ = listener.accept()
        try:
            with server.wrap_socket(connection, server_side=True) as tls:
                seen["server saw"] = dict(tls.getpeercert()["subject"][0])["commonName"]
                tls.recv(1)
        except (ssl.SSLError, OSError) as error:
            seen["server error"] = type(error).__name__

    thread = threading.Thread(target=serve)
    thread.start()
    try:
        with socket.create_connection(listener.getsockname()) as raw, \
                client.wrap_socket(raw) as tls:
            seen["client saw"] = dict(tls.getpeercert()["subject"][0])["commonName"]
            tls.sendall(b"x")
    except (ssl.SSLError, OSError) as error:
        seen["client error"] = type(error).__name__
    thread.join(timeout=30)
    listener.close()
    return seen


@pytest.mark.parametrize("tool", TOOLS)
def test_the_certificates_admit_the_cluster_and_nobody_else(tmp_path, tool):
    folder = tmp_path / "certs"
    write_certificates(folder, tool=tool)
    client = client_security(folder).get_connection_args("client")["ssl_context"]
    assert handshake(scheduler_context(folder), client) == {
        "client saw": "lrlab-dask-scheduler", "server saw": "lrlab-dask-client"}
    # a client with certificates of another cluster (another authority) is turned away
    stranger = tmp_path / "stranger"
    write_certificates(stranger, tool=tool)
    refused = handshake(scheduler_context(folder),
                        client_security(stranger).get_connection_args("client")["ssl_context"])
    assert "server saw" not in refused and "client saw" not in refused
    # and so is one without a certificate
    anonymous = ssl.create_default_context(cafile=str(folder / CA_FILE))
    anonymous.check_hostname = False
    assert "server saw" not in handshake(scheduler_context(folder), anonymous)


def test_keys_are_owner_only_and_the_authoritys_key_is_not_kept(tmp_path):
    folder = tmp_path / "certs"
    written = write_certificates(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert sorted(p.name for p in written) == sorted(
        [CA_FILE, *(p.name for role in ROLES for p in role_files(folder, role))])
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == (0o600 if path.suffix == ".key" else 0o644)
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in written)
    for path in written:  # no private key of the authority anywhere
        assert path.suffix == ".key" or b"PRIVATE KEY" not in path.read_bytes()


def test_the_command_makes_them_once_and_prints_where_they_go(tmp_path, capsys):
    folder = tmp_path / "certs"
    assert main(["dask-certs", str(folder)]) == 0
    printed = capsys.readouterr().out
    assert "dask scheduler --protocol tls" in printed and "dask worker tls://" in printed
    assert f"--tls-dir {folder}" in printed
    before = (folder / CA_FILE).read_bytes()
    assert main(["dask-certs", str(folder)]) == 2  # never replaces a cluster's certificates
    assert "already holds Dask certificates" in capsys.readouterr().err
    assert (folder / CA_FILE).read_bytes() == before


def test_a_local_cluster_gets_certificates_made_in_memory():
    security = local_security()
    assert security.require_encryption
    assert all("BEGIN" in getattr(security, f"tls_{role}_cert") for role in ROLES)


@pytest.mark.parametrize(("scheduler", "tls_dir", "refusal"), [
    ("tcp://192.0.2.10:8786", None, "refusing to send notebooks and hidden tests unencrypted"),
    ("192.0.2.10:8786", None, "unencrypted"),
    ("tls://192.0.2.10:8786", None, "give --tls-dir"),
    ("tcp://127.0.0.1:8786", "certs", "--tls-dir needs a TLS address"),
    ("ucx://192.0.2.10:8786", None, "not a Dask scheduler address"),
    (None, "certs", "--tls-dir is for a cluster"),
])
def test_grading_refuses_a_cluster_it_would_talk_to_in_the_clear(tmp_path, scheduler, tls_dir,
                                                                 refusal):
    with pytest.raises(ValueError, match=refusal):
        check_scheduler(scheduler, tmp_path / tls_dir if tls_dir else None)


def test_a_cluster_on_this_machine_or_with_tls_is_accepted(tmp_path):
    for scheduler in ("tcp://127.0.0.1:8786", "tcp://localhost:1", "tcp://[::1]:8786", None):
        check_scheduler(scheduler, None)
    write_certificates(tmp_path / "certs")
    check_scheduler("tls://192.0.2.10:8786", tmp_path / "certs")


def test_grade_says_which_certificate_is_missing(course_copy, tmp_path, capsys):
    code = main(["--course", str(course_copy.root), "grade", "--scheduler",
                 "tls://127.0.0.1:1", "--tls-dir", str(tmp_path)])
    assert code == 2
    error = capsys.readouterr().err
    assert "lacks ca.pem, client.pem, client.key" in error and "Traceback" not in error
