"""Signed reply addresses: `support+t123.k4f9...@domain` names ticket 123 and proves the portal wrote it.

Every ticket mail carries one as Reply-To; the inbound server takes mail only for such addresses
(policy 4.3: replies to ticket mails are part of the ticket system, mail elsewhere is not).
The signature is an HMAC of the ticket number under the app's secret key, so an address cannot
be guessed for another ticket; it never expires, as a customer may answer a months-old mail.
"""
import hashlib
import hmac
import re

from portal.services import runtime

LOCAL = "support"
_SIGNATURE_LENGTH = 20  # hex characters: 80 bits, more than enough against guessing by mail
_ADDRESS = re.compile(r"^(?P<local>[a-z0-9._-]+)\+t(?P<ticket>[0-9]{1,12})\.(?P<sig>[0-9a-f]{%d})@(?P<domain>.+)$"
                      % _SIGNATURE_LENGTH)


def _signature(ticket_id, secret):
    mac = hmac.new(secret.encode(), f"portal-reply-ticket:{int(ticket_id)}".encode(), hashlib.sha256)
    return mac.hexdigest()[:_SIGNATURE_LENGTH]


def _settings(secret, domain):
    settings = runtime.current().settings if secret is None or domain is None else {}
    return (secret if secret is not None else settings["SECRET_KEY"],
            (domain if domain is not None else settings["MAIL_DOMAIN"]).lower())


def address_for(ticket_id, secret=None, domain=None):
    """The Reply-To address of ticket `ticket_id`'s mails (settings from the runtime by default)."""
    secret, domain = _settings(secret, domain)
    return f"{LOCAL}+t{int(ticket_id)}.{_signature(ticket_id, secret)}@{domain}"


def ticket_of(address, secret=None, domain=None):
    """The ticket number a reply address names when its signature and domain are right, else None."""
    secret, domain = _settings(secret, domain)
    found = _ADDRESS.match((address or "").strip().strip("<>").lower())
    if not found or found["local"] != LOCAL or found["domain"] != domain:
        return None
    ticket_id = int(found["ticket"])
    if not hmac.compare_digest(found["sig"], _signature(ticket_id, secret)):
        return None
    return ticket_id
