"""Security headers, same-origin checks for state changes, safe redirects."""
from urllib.parse import urlsplit

from flask import abort, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
       "object-src 'none'; frame-ancestors 'none'")

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


HEADERS = (("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"),
           ("Referrer-Policy", "same-origin"), ("Cross-Origin-Opener-Policy", "same-origin"),
           ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"))


def set_security_headers(response):
    """CSP without inline or eval script, no framing, no sniffing (a header the view set itself is kept)."""
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}  # one pass, not a search per header
    for name, value in HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    if "cache-control" not in present and request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    return response


def reject_cross_origin():
    """A state change whose Origin (or Sec-Fetch-Site) names another site is refused."""
    if request.method not in UNSAFE:
        return
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        abort(403)
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        parts = urlsplit(origin)
        if parts.netloc != request.host:
            abort(403)
    elif origin == "null":
        abort(403)


def reject_nul_bytes():
    """A NUL byte in the path, a query or a form field is refused (400): PostgreSQL cannot store one."""
    fields = [request.path, *(k + v for k, v in request.args.items(multi=True))]
    if request.method in UNSAFE:
        fields += [k + v for k, v in request.form.items(multi=True)]
    if any("\x00" in value for value in fields):
        abort(400)


def safe_next(target, default):
    """`target` when it is a path on this site, else `default` (no open redirects)."""
    if not target or not isinstance(target, str):
        return default
    target = target.strip()
    if "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
