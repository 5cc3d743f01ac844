"""Signed reply addresses (policy 4.3: replies to ticket mails belong to the ticket system)."""
from portal.services import reply_address

SECRET, DOMAIN = "k" * 32, "portal.test"


def test_an_address_names_its_ticket_and_reads_back():
    address = reply_address.address_for(123, SECRET, DOMAIN)
    assert address.startswith("support+t123.") and address.endswith("@portal.test")
    assert reply_address.ticket_of(address, SECRET, DOMAIN) == 123
    assert reply_address.ticket_of(f"<{address.upper()}>", SECRET, DOMAIN) == 123  # case and brackets


def test_a_changed_ticket_number_signature_domain_or_secret_is_refused():
    address = reply_address.address_for(123, SECRET, DOMAIN)
    local, _, domain = address.partition("@")
    forged_ticket = local.replace("+t123.", "+t124.") + "@" + domain
    sig = local.rsplit(".", 1)[1]
    flipped = local[:-1] + ("0" if sig[-1] != "0" else "1") + "@" + domain
    for wrong in (forged_ticket, flipped, local + "@other.test", "support@portal.test", "", None,
                  address.replace("support+", "sales+")):
        assert reply_address.ticket_of(wrong, SECRET, DOMAIN) is None, wrong
    assert reply_address.ticket_of(address, "x" * 32, DOMAIN) is None


def test_the_app_settings_are_the_default(app):
    with app.app_context():
        address = reply_address.address_for(7)
        assert address.endswith("@" + app.config["MAIL_DOMAIN"])
        assert reply_address.ticket_of(address) == 7
