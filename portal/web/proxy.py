"""Forwarded headers are believed only from the proxy in front (nginx, docs/deployment.md).

Anyone can send X-Forwarded-For/-Proto/-Host. Applied to every request, werkzeug's ProxyFix would
let a client choose its own address (and so its own rate-limit key) and scheme. This middleware
applies it only when the connection itself comes from an address in PORTAL_TRUSTED_PROXIES
(comma-separated IPs or CIDRs; empty, the default, trusts nobody). nginx appends the address it
saw to X-Forwarded-For, so one hop (the last entry) is what we take.
"""
import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix

from portal.config import ConfigError


def parse_networks(raw):
    """'127.0.0.1, 10.0.0.0/8' → networks; ConfigError naming the setting on a bad entry."""
    networks = []
    for part in (raw or "").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ConfigError(f"PORTAL_TRUSTED_PROXIES: {part!r} is not an IP address or network") from None
    return tuple(networks)


class TrustedProxyFix:
    """ProxyFix for requests whose REMOTE_ADDR is a trusted proxy; everyone else is taken as is."""

    def __init__(self, app, networks):
        self.plain = app
        self.fixed = ProxyFix(app, x_for=1, x_proto=1, x_host=1)
        self.networks = networks

    def trusted(self, address):
        try:
            ip = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(ip in net for net in self.networks)

    def __call__(self, environ, start_response):
        if self.networks and self.trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        return self.plain(environ, start_response)


def install(app):
    """Wrap the app's WSGI callable when trusted proxies are configured (nothing changes otherwise)."""
    networks = parse_networks(app.config.get("TRUSTED_PROXIES"))
    if networks:
        app.wsgi_app = TrustedProxyFix(app.wsgi_app, networks)
