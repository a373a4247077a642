"""The nginx configuration that `serve` writes: valid for nginx, and the client address it limits by is the one
the app sees (the n-th from the right of X-Forwarded-For behind n proxies of the city, else the socket's)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cockpit.commands._proxy import Proxy, ProxyConfig, _nth_from_right, find_nginx, nginx_config


@pytest.mark.parametrize("header, n, client", [
    ("198.51.100.7", 1, "198.51.100.7"),
    ("203.0.113.1, 198.51.100.7", 1, "198.51.100.7"),  # a client's own entry on the left is not believed
    ("203.0.113.1,198.51.100.7, 10.0.0.2", 2, "198.51.100.7"),
    ("10.0.0.2", 2, None),  # fewer entries than proxies: the socket's address
])
def test_the_limits_key_on_the_address_the_trusted_proxies_saw(header, n, client):
    found = re.search(_nth_from_right(n)[1:], header)
    assert (found.group(1) if found else None) == client


@pytest.mark.parametrize("trusted", [0, 1, 2])
def test_nginx_accepts_the_configuration(trusted):
    nginx = find_nginx()
    if nginx is None:
        pytest.skip("nginx not installed (./dev.sh test installs nginx-light as root)")
    proxy = Proxy({"host": "127.0.0.1", "port": 8999, "trusted_proxies": trusted}, nginx)
    try:
        assert proxy.check() is None
        text = nginx_config(proxy.cfg, proxy.directory)
        assert "client_header_timeout 10s;" in text and "limit_conn cockpit_addr 64;" in text
        if trusted == 0:  # nothing a client sends in X-Forwarded-For is passed on
            assert "proxy_set_header X-Forwarded-For $remote_addr;" in text
    finally:
        proxy.stop()
    assert not proxy.directory.exists()


def test_ipv6_listen_address():
    text = nginx_config(ProxyConfig(host="::1", port=8050, upstream="/tmp/x.sock"), Path("/tmp"))
    assert "listen [::1]:8050;" in text
