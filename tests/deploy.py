"""Several app servers on one store behind nginx, on loopback, configured from deploy/nginx/corpsmap.conf as a
deployer installs it (only the ports and paths of this checkout swapped in). Shared by the deployment test
(tests/e2e/test_deploy_browser.py) and the load benchmark (bench/load.py --servers 2)."""

from __future__ import annotations

import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import streamlit

from tests.browser import ARTIFACTS, ROOT, _free_port

NGINX_SITE = ROOT / "deploy" / "nginx" / "corpsmap.conf"
STREAMLIT_STATIC = Path(streamlit.__file__).parent / "static" / "static"


def nginx_path() -> str:
    """Debian's nginx; fails loudly if it is missing (`.ci/run` installs it)."""
    path = os.environ.get("NGINX") or shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                                                else None)
    if not path:
        raise RuntimeError("No nginx found for the deployment test. Install it with `sudo apt-get install nginx`, "
                           "or set NGINX=/path/to/nginx.")
    return path


def _swap(text: str, old: str, new: str) -> str:
    # The shipped file must still have the line we swap, or the test would quietly test something else.
    if old not in text:
        raise AssertionError(f"{NGINX_SITE.name} no longer contains {old!r}")
    return text.replace(old, new)


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, written to `folder`: (certificate, key)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "corpsmap.crt", folder / "corpsmap.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def site_config(servers: list[str], port: int, tls_port: int, certificate: tuple[Path, Path],
                static_dir: Path = ROOT / "static") -> str:
    """The shipped site with this checkout's paths, plain HTTP on `port` and HTTPS (HTTP/2) on `tls_port` of
    loopback with `certificate` (certificate, key), and `servers` ("127.0.0.1:PORT") upstream."""
    text = NGINX_SITE.read_text(encoding="utf-8")
    shipped = re.findall(r"^    server 127\.0\.0\.1:85\d\d( [^;]*);\n", text, flags=re.MULTILINE)
    if len(shipped) != 2:
        raise AssertionError(f"{NGINX_SITE.name}: expected the two example upstream servers")
    upstream = "".join(f"    server {s}{shipped[0]};\n" for s in servers)
    text = re.sub(r"(^    server 127\.0\.0\.1:85\d\d [^;]*;\n)+", upstream, text, count=1, flags=re.MULTILINE)
    text = _swap(text, "    listen 80;\n    listen [::]:80;\n", f"    listen 127.0.0.1:{port};\n")
    text = _swap(text, "    listen 443 ssl http2;\n    listen [::]:443 ssl http2;\n",
                 f"    listen 127.0.0.1:{tls_port} ssl http2;\n")
    text = _swap(text, "/etc/ssl/corpsmap/corpsmap.crt;", f"{certificate[0]};")
    text = _swap(text, "/etc/ssl/corpsmap/corpsmap.key;", f"{certificate[1]};")
    text = _swap(text, "/srv/corpsmap/.venv/lib/python3.11/site-packages/streamlit/static/static/",
                 f"{STREAMLIT_STATIC}/")
    return _swap(text, "/srv/corpsmap/static/", f"{static_dir}/")


@dataclass
class Nginx:
    """nginx running in the foreground as a child process, with its files in a temporary folder."""

    proc: subprocess.Popen
    url: str
    tls_url: str  # the same site over HTTPS and HTTP/2, with a self-signed certificate
    folder: Path

    def access_log(self) -> list[str]:
        """Lines of "<request URI> <status> <upstream address or ->"."""
        path = self.folder / "access.log"
        return path.read_text().splitlines() if path.exists() else []

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.copy(self.folder / "error.log", ARTIFACTS / f"nginx-{self.url.rsplit(':', 1)[1]}-error.log")
        shutil.rmtree(self.folder, ignore_errors=True)


def start_nginx(servers: list[str], static_dir: Path = ROOT / "static") -> Nginx:
    """nginx on a free loopback port in front of `servers` (base URLs); waits until it answers."""
    ARTIFACTS.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="corpsmap-nginx-"))
    port, tls_port = _free_port(), _free_port()
    upstream = [s.removeprefix("http://") for s in servers]
    (folder / "site.conf").write_text(site_config(upstream, port, tls_port, self_signed_certificate(folder),
                                                  static_dir), encoding="utf-8")
    # As root, nginx's workers would run as "nobody", who may not read the checkout.
    user = f"user {pwd.getpwuid(os.geteuid()).pw_name};" if os.geteuid() == 0 else ""
    (folder / "nginx.conf").write_text(f"""
{user}
daemon off;
worker_processes 1;
worker_rlimit_nofile 8192;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    log_format upstream '$request_uri $status $upstream_addr';
    access_log {folder}/access.log upstream;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include {folder}/site.conf;
}}
""", encoding="utf-8")
    proc = subprocess.Popen([nginx_path(), "-p", str(folder), "-c", str(folder / "nginx.conf"),
                             "-e", str(folder / "error.log")], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    nginx = Nginx(proc, f"http://127.0.0.1:{port}", f"https://127.0.0.1:{tls_port}", folder)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log = (folder / "error.log").read_text() if (folder / "error.log").exists() else ""
            raise RuntimeError(f"nginx exited early: {log[-2000:]}")
        try:
            with urllib.request.urlopen(nginx.url + "/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return nginx
        except OSError:
            time.sleep(0.2)
    nginx.stop()
    raise RuntimeError("nginx did not answer in 20 s")


def prepare_store(database_url: str, env: dict[str, str] | None = None) -> None:
    """What deploy/systemd/corpsmap-prepare.service does before the servers start: migrate and seed the store."""
    subprocess.run([sys.executable, "-m", "corpsmap", "db", "upgrade"], cwd=ROOT, check=True, capture_output=True,
                   env={**os.environ, **(env or {}), "CORPSMAP_DATABASE_URL": database_url})


@dataclass
class Cluster:
    """Servers on one store and nginx in front of them."""

    servers: list[tuple[subprocess.Popen, str]]
    nginx: Nginx
    database_url: str
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.nginx.url

    def stop(self) -> None:
        self.nginx.stop()
        for proc, _ in self.servers:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


def start_cluster(count: int, database_url: str | None = None, env: dict[str, str] | None = None) -> Cluster:
    """`count` servers of this checkout on one store (a new SQLite file unless `database_url`), behind nginx."""
    from tests.browser import start_app

    database_url = database_url or f"sqlite:///{tempfile.mkdtemp(prefix='corpsmap-store-')}/store.sqlite"
    env = {**(env or {}), "CORPSMAP_DATABASE_URL": database_url}
    prepare_store(database_url, env)
    servers = []
    try:
        servers = [start_app(env=env) for _ in range(count)]
        nginx = start_nginx([base for _, base in servers])
    except BaseException:
        for proc, _ in servers:
            proc.kill()
        raise
    return Cluster(servers, nginx, database_url, env)
