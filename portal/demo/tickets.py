"""Demo tickets: an open ticket for every level, a reseller ticket, a remote-session request, replies."""
from portal.models import Ticket, User
from portal.services import tickets

# email, product, version, subject, body
TICKETS = [
    ("site@demo.test", "Remote Utilities Server", "4.1.0.2", "Server stops accepting relay connections",
     "After about two days of uptime the server stops accepting relay connections until restarted."),
    ("pro@demo.test", "Remote Utilities", "7.6.2.0", "Viewer freezes when switching monitors",
     "The Viewer window freezes for several seconds every time I switch to the second monitor."),
    ("plus@demo.test", "Remote Utilities", "8.1.0.3", "Address book sync does not pick up new hosts",
     "New hosts added on one workstation never appear in the shared address book on the others."),
    ("starter@demo.test", "Remote Utilities", "8.0.1.2", "How to deploy the Host with an MSI",
     "What is the recommended way to deploy the Host to 30 machines with a preconfigured MSI?"),
    ("free@demo.test", "Remote Utilities", "8.1.0.3", "Cannot connect through ID after router change",
     "Since we replaced our router the Internet-ID connection times out on every attempt."),
    ("trial@demo.test", "Remote Utilities", "8.1.0.3", "Trial: file transfer is slow",
     "File transfer between two machines on the same LAN runs at about 200 KB/s. Is that expected?"),
    ("reseller@demo.test", "Remote Utilities", "8.1.0.3", "Customer licence moved to a new server",
     "One of my customers moved their licence to a new server and the Host now shows it as unregistered."),
]
REPLY = ("Thank you for the details. Could you send us the Host log from the affected machine? "
         "You can attach it to this ticket.")
CUSTOMER_REPLY = "It happens right after the second monitor wakes up; the Viewer log stops at that moment."


def _token(email):
    return "demo-seed-ticket-" + email.split("@")[0].replace(".", "-")


def seed(password):
    """File the demo tickets once (their submit tokens make this idempotent)."""
    staff = User.by_email("staff@demo.test")
    lines = []
    for email, product, version, subject, body in TICKETS:
        user = User.by_email(email)
        if user is None or Ticket.get_or_none(Ticket.submit_token == _token(email)) is not None:
            continue
        ticket = tickets.create_ticket(user, product, version, subject, body,
                                       submit_token=_token(email), accept_policy=True)
        if email == "pro@demo.test":  # a conversation and a remote-session request (policy 8.1)
            tickets.add_reply(ticket, staff, REPLY)
            tickets.add_reply(ticket, user, CUSTOMER_REPLY)
            tickets.add_reply(ticket, staff, "Asked for the Host log; waiting for the customer.", internal=True)
            tickets.request_remote(ticket, user)
        lines.append(f"ticket #{ticket.id:<4} {user.level:9} {subject}")
    return lines
