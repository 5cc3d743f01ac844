"""Demo data: `flask --app app portal demo`. Each area adds a seeding step; every step is idempotent."""
import importlib

STEPS = [
    "portal.demo.accounts",
    "portal.demo.partners",
    "portal.demo.tickets",
    "portal.demo.forum",
    "portal.demo.staff",
    "portal.demo.sessions",
    "portal.demo.partner_tickets",
]


def seed(password):
    """Run every seeding step in order; returns lines to print."""
    lines = []
    for name in STEPS:
        lines.extend(importlib.import_module(name).seed(password) or [])
    return lines
