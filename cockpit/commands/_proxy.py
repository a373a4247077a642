"""The nginx that `run.py serve` starts in front of gunicorn (docs/security.md, "Slow clients").

gunicorn's threaded worker hands a connection to a thread as soon as it is accepted: a client that sends its
headers or body slowly holds that thread, and `workers x threads` such clients stop the cockpit. nginx reads
every request completely (headers within COCKPIT_CLIENT_TIMEOUT seconds, the body into a buffer or a temporary
file) before it passes it on, on an event loop where a slow or idle socket costs a few kilobytes and no thread;
gunicorn then listens only on a Unix socket in a private directory and sees whole requests at local speed.

The client address: nginx appends the address it sees to X-Forwarded-For (and the scheme and host to
X-Forwarded-Proto/-Host), so the app trusts one proxy more than COCKPIT_TRUSTED_PROXIES says (the proxies of the
city in front of this nginx). The per-address limits of nginx use the same address as the app.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger("cockpit.serve")

NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
KEEPALIVE_SECONDS = 15  # an idle keep-alive connection is closed after this
KEEPALIVE_REQUESTS = 100  # requests per keep-alive connection
SEND_TIMEOUT_SECONDS = 30  # between two successful writes of a response to a slow reader
UPSTREAM_TIMEOUT_SECONDS = 130  # a little above gunicorn's worker timeout (120 s)
MAX_BODY = "2m"  # = MAX_CONTENT_LENGTH of the app (layouts/app.py)


def find_nginx() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return next((path for path in NGINX_CANDIDATES if os.access(path, os.X_OK)), None)


@dataclass(frozen=True)
class ProxyConfig:
    host: str
    port: int
    upstream: str  # path of gunicorn's Unix socket
    trusted_proxies: int = 0  # proxies of the city in front of this nginx
    client_timeout: int = 10
    connections_per_address: int = 64
    login_rate: int = 30  # POST /login per address and minute
    worker_processes: int = 1


def _nth_from_right(n: int) -> str:
    """A PCRE for the n-th address from the right of X-Forwarded-For (the one the n-th trusted proxy saw)."""
    return r"~([^,\s]+)" + r"\s*,\s*[^,\s]+" * (n - 1) + r"\s*$"


def nginx_config(cfg: ProxyConfig, directory: Path) -> str:
    """The nginx.conf text; every path nginx writes to lives in `directory` (runs without root)."""
    listen = f"[{cfg.host}]:{cfg.port}" if ":" in cfg.host else f"{cfg.host}:{cfg.port}"
    if cfg.trusted_proxies:  # the client as the city's proxies report it (the same address the app uses)
        client_key = (f'map $http_x_forwarded_for $cockpit_client {{\n'
                      f'    default $remote_addr;\n'
                      f'    "{_nth_from_right(cfg.trusted_proxies)}" $1;\n'
                      f'  }}')
        forwarded_host = ('map $http_x_forwarded_host $cockpit_xfh {\n'
                          '    "" $http_host;\n    default "$http_x_forwarded_host, $http_host";\n  }\n'
                          '  map $http_x_forwarded_proto $cockpit_xfp {\n'
                          '    "" $scheme;\n    default "$http_x_forwarded_proto, $scheme";\n  }')
    else:  # nobody in front: whatever a client sends in these headers is dropped
        client_key = 'map $remote_addr $cockpit_client {\n    default $remote_addr;\n  }'
        forwarded_host = ('map $http_host $cockpit_xfh {\n    default $http_host;\n  }\n'
                          '  map $scheme $cockpit_xfp {\n    default $scheme;\n  }')
    forwarded_for = "$proxy_add_x_forwarded_for" if cfg.trusted_proxies else "$remote_addr"
    user = ""
    if os.geteuid() == 0:  # nginx would switch its workers to `nobody`, who may not open the socket
        user = f"user {pwd.getpwuid(0).pw_name};\n"
    d = directory
    proxy = f"""      proxy_pass http://cockpit;
      proxy_http_version 1.1;
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For {forwarded_for};
      proxy_set_header X-Forwarded-Proto $cockpit_xfp;
      proxy_set_header X-Forwarded-Host $cockpit_xfh;
      proxy_set_header X-Forwarded-Port "";
      proxy_set_header X-Real-IP "";"""
    return f"""# written by `run.py serve` (cockpit/commands/_proxy.py); see docs/security.md
{user}worker_processes {cfg.worker_processes};
pid {d}/nginx.pid;
error_log stderr warn;
daemon off;
events {{
  worker_connections 4096;
}}
http {{
  access_log off;
  server_tokens off;
  client_body_temp_path {d}/body;
  proxy_temp_path {d}/proxy;
  fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi;
  scgi_temp_path {d}/scgi;

  # slow clients: the whole request is read here, within these limits, before the app sees it
  client_header_timeout {cfg.client_timeout}s;
  client_body_timeout {cfg.client_timeout}s;
  client_header_buffer_size 4k;
  large_client_header_buffers 4 8k;
  client_max_body_size {MAX_BODY};
  client_body_buffer_size 64k;
  send_timeout {SEND_TIMEOUT_SECONDS}s;
  keepalive_timeout {KEEPALIVE_SECONDS}s;
  keepalive_requests {KEEPALIVE_REQUESTS};
  reset_timedout_connection on;

  {client_key}
  {forwarded_host}
  limit_conn_zone $cockpit_client zone=cockpit_addr:10m;
  limit_req_zone $cockpit_client zone=cockpit_login:10m rate={cfg.login_rate}r/m;
  limit_conn_status 429;
  limit_req_status 429;
  limit_conn_log_level warn;
  limit_req_log_level warn;

  upstream cockpit {{  # a new connection per request: no race with gunicorn closing an idle one under a POST
    server unix:{cfg.upstream};
  }}

  server {{
    listen {listen};
    limit_conn cockpit_addr {cfg.connections_per_address};
    proxy_request_buffering on;
    proxy_buffering on;
    proxy_read_timeout {UPSTREAM_TIMEOUT_SECONDS}s;
    proxy_send_timeout {UPSTREAM_TIMEOUT_SECONDS}s;
    proxy_intercept_errors off;
    location / {{
{proxy}
    }}
    location = /login {{
      limit_req zone=cockpit_login burst={max(5, cfg.login_rate // 2)} nodelay;
{proxy}
    }}
  }}
}}
"""


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Proxy:
    """nginx as a child process: `start()` writes the configuration into a private directory and starts it;
    `stop()` ends it. gunicorn listens on `socket` (only the owner may connect)."""

    def __init__(self, cfg_without_socket: dict, nginx: str):
        self.directory = Path(tempfile.mkdtemp(prefix="cockpit-serve-"))
        os.chmod(self.directory, 0o700)
        self.socket = str(self.directory / "app.sock")
        self.cfg = ProxyConfig(upstream=self.socket, **cfg_without_socket)
        self.nginx = nginx
        self.process: subprocess.Popen | None = None
        self.owner = os.getpid()  # gunicorn's workers are forks of this process: only the owner stops nginx

    def check(self) -> str | None:
        """nginx's verdict on the configuration (None when it is valid)."""
        conf = self._write()
        result = subprocess.run([self.nginx, "-t", "-q", "-p", str(self.directory), "-e", "stderr", "-c", conf],
                                capture_output=True, text=True, timeout=30)
        return None if result.returncode == 0 else (result.stderr.strip() or "nginx -t failed")

    def _write(self) -> str:
        conf = self.directory / "nginx.conf"
        conf.write_text(nginx_config(self.cfg, self.directory), encoding="utf-8")
        return str(conf)

    def start(self) -> None:
        conf = self._write()
        self.process = subprocess.Popen([self.nginx, "-p", str(self.directory), "-e", "stderr", "-c", conf],
                                        preexec_fn=_die_with_parent)  # noqa: PLW1509 - only prctl, no locks
        log.info("nginx (pid %d) in front on http://%s:%s/", self.process.pid, self.cfg.host, self.cfg.port)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if os.getpid() != self.owner:
            return
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful: finish the requests in progress
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        shutil.rmtree(self.directory, ignore_errors=True)
