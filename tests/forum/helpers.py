"""Forum test helpers: categories, threads and posts made through the forum service."""
import re
from tests.factories import counting_queries  # noqa: F401 (re-exported: the shared N+1 counter)

from portal.models import Category, User
from portal.services import forum
from tests.factories import csrf_token

SECRET = "Connect to ID 123 456 789 with password: Xy7!kq9Lm"
SPANISH = "Hola, no puedo conectar con el servidor desde ayer, ¿qué puedo hacer para solucionarlo?"


def make_category(slug="general", name="General", public=True, position=0):
    """A forum category."""
    return Category.create(slug=slug, name=name, public=public, position=position)


def make_thread(author, category=None, title="How do I install the Host?", body="Step by step, please."):
    """A thread started through the service (queue fields and search index included)."""
    category = category or Category.get_or_none(Category.slug == "general") or make_category()
    return forum.start_thread(User.get_by_id(author.id), category, title, body)


def token(client, url="/forum/new"):
    """A CSRF token for forms posted by this client."""
    return csrf_token(client, url)


def session_token(client):
    """A CSRF token from any page the client can see (the base template's hx-headers)."""
    html = client.get("/policy").get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


HX = {"HX-Request": "true"}


