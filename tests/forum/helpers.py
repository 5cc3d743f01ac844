"""Forum test constants and the shared N+1 counter (factories live in tests/factories.py)."""
from tests.factories import counting_queries  # noqa: F401 (re-exported: the shared N+1 counter)


SECRET = "Connect to ID 123 456 789 with password: Xy7!kq9Lm"
SPANISH = "Hola, no puedo conectar con el servidor desde ayer, ¿qué puedo hacer para solucionarlo?"


HX = {"HX-Request": "true"}


def typed_in(name):
    """The headers of htmx's request while one types into the field `name` (the typing hints)."""
    return HX | {"HX-Trigger-Name": name}


