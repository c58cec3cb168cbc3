"""The deployment files in deploy/ as a deployer installs them: nginx accepts the site, the units start the
servers the site names, and the environment file names what every server must share."""

import configparser
import re
import subprocess
import tempfile
from pathlib import Path

from tests.browser import ROOT
from tests.deploy import NGINX_SITE, nginx_path, self_signed_certificate, site_config

DEPLOY = ROOT / "deploy"


def test_nginx_accepts_the_site():
    folder = Path(tempfile.mkdtemp(prefix="corpsmap-nginx-test-"))
    (folder / "site.conf").write_text(site_config(["127.0.0.1:18501", "127.0.0.1:18502"], 18500, 18443,
                                                  self_signed_certificate(folder)), encoding="utf-8")
    (folder / "nginx.conf").write_text(
        f"pid {folder}/nginx.pid; error_log {folder}/error.log; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; access_log off; client_body_temp_path {folder}/b;"
        f" proxy_temp_path {folder}/p; fastcgi_temp_path {folder}/f; uwsgi_temp_path {folder}/u;"
        f" scgi_temp_path {folder}/s; include {folder}/site.conf; }}\n", encoding="utf-8")
    result = subprocess.run([nginx_path(), "-t", "-p", str(folder), "-c", str(folder / "nginx.conf"),
                             "-e", str(folder / "error.log")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_site_upgrades_websockets_keeps_visitors_on_one_server_and_serves_static_files():
    site = NGINX_SITE.read_text(encoding="utf-8")
    stream = site.split("location /_stcore/stream", 1)[1].split("}", 1)[0]
    assert "proxy_set_header Upgrade $http_upgrade;" in stream and "proxy_http_version 1.1;" in stream
    assert "hash $corpsmap_route consistent;" in site  # sticky by a cookie, not by client address
    assert "location = /_stcore/health" in site and "gzip on;" in site
    assert "immutable" in site.split("location /app/static/geo/", 1)[1].split("location ", 1)[0]
    assert "alias /srv/corpsmap/static/;" in site


def test_the_units_start_the_servers_the_site_names():
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(DEPLOY / "systemd" / "corpsmap@.service")
    start = unit["Service"]["ExecStart"]
    assert "streamlit run app.py --server.port %i" in start and "--server.fileWatcherType none" in start
    assert unit["Service"]["EnvironmentFile"] == "/etc/corpsmap/corpsmap.env"
    assert unit["Unit"]["Requires"] == "corpsmap-prepare.service"
    prepare = (DEPLOY / "systemd" / "corpsmap-prepare.service").read_text()
    assert "ExecStart=/srv/corpsmap/.venv/bin/python -m corpsmap db upgrade\n" in prepare
    assert "install_static_assets()" in prepare
    ports = re.findall(r"server 127\.0\.0\.1:(\d+)", NGINX_SITE.read_text(encoding="utf-8"))
    assert ports == ["8501", "8502"]


def test_the_environment_file_names_what_every_server_shares():
    names = {line.split("=", 1)[0] for line in (DEPLOY / "corpsmap.env.example").read_text().splitlines()
             if line and not line.startswith("#")}
    assert names == {"CORPSMAP_MODE", "CORPSMAP_DATABASE_URL", "CORPSMAP_SESSION_SECRET",
                     "STREAMLIT_SERVER_COOKIE_SECRET"}
