"""TLS for a Dask cluster that grades: the certificates, and who may connect to what.

Dask's own TLS (`distributed.security.Security`) is mutual: every endpoint — the scheduler, each
worker, and the grading command's client — presents a certificate signed by the cluster's
certificate authority and accepts only peers that do; connections are encrypted. Without it a
Dask scheduler runs whatever any process that reaches its port submits, as the user it runs as.

`python -m autograder dask-certs FOLDER` (`write_certificates`) makes, for one course's cluster:

- `ca.pem` — the authority's certificate, for every machine;
- `scheduler.pem`/`scheduler.key`, `worker.pem`/`worker.key`, `client.pem`/`client.key` — a
  certificate and private key per role: the scheduler's machine gets the first pair, every
  worker machine the second, the grading machine the third.

The authority's private key is thrown away once the three certificates are signed, so nobody
can sign another: a new machine gets a copy of the role's files, and replacing the certificates
means making a new set (with a new authority) and handing it out again. Keys are EC P-256,
written owner-only (0600) into an owner-only folder; certificates are valid for `days`.
They are made with the `cryptography` package when it is installed, else with Debian's
`openssl` command.

Dask checks that a peer's certificate comes from the authority, not which role it names, and
not host names (a cluster's own authority; addresses are often IPs): whoever holds any of the
private keys is a member of the cluster. Keep them like the course secret.

`grade --dask` runs its own `LocalCluster` on 127.0.0.1 with TLS too (`local_security`: a set
of certificates made in memory for that one command), so no other local user can submit work to
it; `grade --scheduler tls://host:port --tls-dir FOLDER` connects to a cluster started with
these files (`client_security`; the commands are in the README's "Many machines").
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

__all__ = ["CA_FILE", "ROLES", "write_certificates", "make_certificates", "client_security",
           "local_security", "check_scheduler", "role_files", "cluster_commands"]

CA_FILE = "ca.pem"
ROLES = ("scheduler", "worker", "client")
DEFAULT_DAYS = 365
SUBJECT_PREFIX = "lrlab-dask"


def role_files(folder: Path, role: str) -> tuple[Path, Path]:
    """The certificate and the private key of `role` in `folder`."""
    return Path(folder) / f"{role}.pem", Path(folder) / f"{role}.key"


# -- making certificates ----------------------------------------------------------------------

def _key_usage(**allowed: bool) -> Any:
    """An X.509 key usage extension allowing only the usages named."""
    from cryptography import x509

    usages = ("digital_signature", "content_commitment", "key_encipherment", "data_encipherment",
              "key_agreement", "key_cert_sign", "crl_sign", "encipher_only", "decipher_only")
    return x509.KeyUsage(**{usage: allowed.get(usage, False) for usage in usages})


def _with_cryptography(days: int) -> dict[str, bytes]:
    """The authority's certificate and each role's certificate and key, as PEM (the authority's
    key exists only in this function)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.UTC)
    start, end = now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=days)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name(f"{SUBJECT_PREFIX}-ca")
    ca_cert = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(start).not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                       critical=False)
        .sign(ca_key, hashes.SHA256()))
    pems = {CA_FILE: ca_cert.public_bytes(serialization.Encoding.PEM)}
    for role in ROLES:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = (
            x509.CertificateBuilder().subject_name(name(f"{SUBJECT_PREFIX}-{role}"))
            .issuer_name(ca_name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_key_usage(digital_signature=True, key_agreement=True),
                           critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                  ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
        certificate, private_key = role_files(Path(), role)
        pems[certificate.name] = cert.public_bytes(serialization.Encoding.PEM)
        pems[private_key.name] = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
    return pems


LEAF_EXTENSIONS = """[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyAgreement
extendedKeyUsage = serverAuth, clientAuth
authorityKeyIdentifier = keyid
"""


def _with_openssl(days: int) -> dict[str, bytes]:
    """As `_with_cryptography`, with the `openssl` command (in a private temporary folder that
    is removed with the authority's key)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        raise RuntimeError("making Dask certificates needs the cryptography package or the "
                           "openssl command; install either (Debian: apt-get install openssl)")
    curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True, cwd=work)

    with tempfile.TemporaryDirectory(prefix="lrlab-certs-") as work:
        Path(work, "leaf.cnf").write_text(LEAF_EXTENSIONS)
        run("req", "-x509", *curve, "-keyout", "ca.key", "-out", CA_FILE, "-days", str(days),
            "-subj", f"/CN={SUBJECT_PREFIX}-ca",
            "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        pems = {CA_FILE: Path(work, CA_FILE).read_bytes()}
        for role in ROLES:
            certificate, private_key = (path.name for path in role_files(Path(), role))
            run("req", "-new", *curve, "-keyout", private_key, "-out", f"{role}.csr",
                "-subj", f"/CN={SUBJECT_PREFIX}-{role}")
            run("x509", "-req", "-in", f"{role}.csr", "-CA", CA_FILE, "-CAkey", "ca.key",
                "-set_serial", str(int.from_bytes(os.urandom(16), "big") >> 1),
                "-days", str(days), "-sha256", "-extfile", "leaf.cnf", "-extensions", "leaf",
                "-out", certificate)
            pems[certificate] = Path(work, certificate).read_bytes()
            pems[private_key] = Path(work, private_key).read_bytes()
    return pems


def _cryptography_available() -> bool:
    try:
        import cryptography.x509  # noqa: F401
    except ImportError:
        return False
    return True


def make_certificates(days: int = DEFAULT_DAYS, tool: str | None = None) -> dict[str, bytes]:
    """A cluster's certificates and keys, `{file name: PEM bytes}`, made with `tool`
    ("cryptography" or "openssl"; default: cryptography when installed)."""
    if days <= 0:
        raise ValueError("the certificates must be valid for at least one day")
    tool = tool or ("cryptography" if _cryptography_available() else "openssl")
    if tool not in ("cryptography", "openssl"):
        raise ValueError(f"unknown certificate tool {tool!r}: use cryptography or openssl")
    return _with_cryptography(days) if tool == "cryptography" else _with_openssl(days)


def write_certificates(folder: Path, days: int = DEFAULT_DAYS,
                       tool: str | None = None) -> list[Path]:
    """Write a cluster's certificates into `folder` (created owner-only); returns the files.
    Refuses a folder that already holds any of them: replacing them cuts off every machine
    that has the old ones."""
    folder = Path(folder)
    names = [CA_FILE, *(path.name for role in ROLES for path in role_files(folder, role))]
    present = [name for name in names if (folder / name).exists()]
    if present:
        raise ValueError(f"{folder} already holds Dask certificates ({', '.join(present)}); "
                         "remove them first if you mean to replace them on every machine")
    pems = make_certificates(days, tool)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    written = []
    for name in names:
        path = folder / name
        mode = 0o600 if name.endswith(".key") else 0o644
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pems[name])
        os.chmod(path, mode)  # whatever the umask
        written.append(path)
    return written


# -- using them -------------------------------------------------------------------------------

def client_security(folder: Path) -> Any:
    """The grading command's `Security` for a cluster whose certificates are in `folder`."""
    from distributed.security import Security

    folder = Path(folder)
    certificate, key = role_files(folder, "client")
    missing = [path.name for path in (folder / CA_FILE, certificate, key) if not path.is_file()]
    if missing:
        raise FileNotFoundError(f"{folder} lacks {', '.join(missing)}: make the cluster's "
                                "certificates with `python -m autograder dask-certs FOLDER` and "
                                "give --tls-dir the folder holding ca.pem, client.pem and "
                                "client.key")
    return Security(require_encryption=True, tls_ca_file=str(folder / CA_FILE),
                    tls_client_cert=str(certificate), tls_client_key=str(key))


def local_security() -> Any:
    """A `Security` for a `LocalCluster` of one command: every role's certificate made now, in
    memory (Dask accepts PEM text in place of file names), never written anywhere."""
    from distributed.security import Security

    pems = {name: text.decode("ascii") for name, text in make_certificates(days=2).items()}
    roles = {}
    for role in ROLES:
        certificate, key = role_files(Path(), role)
        roles[f"tls_{role}_cert"], roles[f"tls_{role}_key"] = pems[certificate.name], pems[
            key.name]
    return Security(require_encryption=True, tls_ca_file=pems[CA_FILE], **roles)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_scheduler(scheduler: str | None, tls_dir: Path | None) -> None:
    """Refuse, in one sentence, a scheduler address that would send notebooks, hidden tests and
    hidden cases in the clear to another machine, or a TLS address without certificates
    (`FileNotFoundError` names the missing files)."""
    if scheduler is None:
        if tls_dir is not None:
            raise ValueError("--tls-dir is for a cluster given with --scheduler tls://host:port")
        return
    parts = urlsplit(scheduler if "://" in scheduler else f"tcp://{scheduler}")
    if parts.scheme == "tls":
        if tls_dir is None:
            raise ValueError(f"{scheduler} is a TLS cluster: give --tls-dir, the folder with "
                             "ca.pem, client.pem and client.key (`python -m autograder "
                             "dask-certs`)")
        client_security(tls_dir)  # says which file is missing, before anything runs
        return
    if parts.scheme != "tcp":
        raise ValueError(f"{scheduler} is not a Dask scheduler address: use tls://host:port")
    if tls_dir is not None:
        raise ValueError(f"--tls-dir needs a TLS address: use tls://{parts.netloc}")
    if not _is_loopback(parts.hostname or ""):
        raise ValueError(f"refusing to send notebooks and hidden tests unencrypted to "
                         f"{scheduler}: start the cluster with TLS and use tls://{parts.netloc} "
                         "with --tls-dir (see the README, Many machines)")


def cluster_commands(folder: Path, host: str = "SCHEDULER_HOST", port: int = 8786) -> list[str]:
    """The commands that start a cluster with the certificates of `folder`, and grade on it
    (as the README's "Many machines" section gives them)."""
    folder = Path(folder)
    scheduler_cert, scheduler_key = role_files(folder, "scheduler")
    worker_cert, worker_key = role_files(folder, "worker")
    ca = folder / CA_FILE
    return [
        f"dask scheduler --protocol tls --host {host} --port {port} --no-dashboard "
        f"--tls-ca-file {ca} --tls-cert {scheduler_cert} --tls-key {scheduler_key}",
        f"dask worker tls://{host}:{port} --host WORKER_HOST --nworkers 1 --nthreads 1 "
        f"--no-dashboard "
        f"--tls-ca-file {ca} --tls-cert {worker_cert} --tls-key {worker_key}",
        f"python -m autograder grade --scheduler tls://{host}:{port} --tls-dir {folder}",
    ]
