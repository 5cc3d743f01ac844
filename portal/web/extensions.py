"""Flask extensions, created once and bound to each app in the factory."""
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

csrf = CSRFProtect()
htmx = Htmx()
login_manager = LoginManager()
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def email_key():
    """Rate-limit key: the address the form names (login, reset), so one account is guarded."""
    return (request.form.get("email") or "").strip().lower() or get_remote_address()


def user_key():
    """Rate-limit key: the logged-in account (wherever it posts from), else the address."""
    from flask_login import current_user
    return f"user:{current_user.id}" if current_user.is_authenticated else get_remote_address()
