"""Demo partner tickets (policy 3.1 Decision): Northwind IT and Contoso Partners members file for
their end customers, one ticket for the SITE license and some for expired ones; support answered
one (it waits for the partner) and a remote session is scheduled on another (policy 3.3, 8.1).

The ticket's partner, license and end customer are set here directly; the level stays the one
the ticket was filed at.
"""
import datetime

from portal.db import utcnow
from portal.demo.sessions import start_time
from portal.models import License, Partner, RemoteSession, Ticket, User
from portal.services import get_policy, sessions, tickets

# filer, partner number, license key (None: named by company and email), company, contact,
# product, version, subject, body
TICKETS = [
    ("reseller@demo.test", "P-1001", "RUSITE-NW7K2-FAB01-9ZT3", "Fabrikam", "it@fabrikam.example",
     "Remote Utilities Server", "4.1.0.2", "Fabrikam: relay server drops sessions after failover",
     "Our customer Fabrikam runs two relay servers. After a failover to the second one every open "
     "session drops and the Viewers cannot reconnect until the first server is back."),
    ("reseller2@demo.test", "P-1001", "RUPRO-NW3X9-ADV02-4K8M", "Adventure Works", "admin@adventure-works.example",
     "Remote Utilities", "8.0.1.2", "Adventure Works: Host reports the license as expired",
     "Adventure Works renewed late and the Hosts still say the license expired. Which key do they enter "
     "once the renewal order arrives, and do the Hosts need a restart?"),
    ("partnerb@demo.test", "P-1002", "RUSTR-CP8B4-WTP02-1N6Z", "Wingtip Toys", "office@wingtip.example",
     "Remote Utilities", "7.6.2.0", "Wingtip Toys: address book lost after the license expired",
     "Since the Starter license of Wingtip Toys expired the shared address book is empty on both Viewers. "
     "Is the address book kept somewhere so that we can restore it after the renewal?"),
    ("partnerb@demo.test", "P-1002", None, "Litware Inc.", "helpdesk@litware.example",
     "Remote Utilities", "8.1.0.3", "Litware: deploy the Host to 40 laptops",
     "Litware is a new customer of ours and wants the Host on 40 laptops before they buy. What is the "
     "recommended way to push a preconfigured Host to them?"),
]
ANSWERED = "Fabrikam"   # support replied: it waits for the partner
SESSION_FOR = "Adventure Works"
REPLY = ("Thank you. Could you send us the relay server logs of both servers from the minute of the "
         "failover? You can attach them to this ticket.")


def _token(company):
    return "demo-seed-partner-" + "".join(c for c in company.lower() if c.isalnum())


def _session(ticket, agent):
    """A session on the next business day but one, inside support hours (policy 1.5)."""
    start = start_time(utcnow() + datetime.timedelta(days=1))
    return sessions.schedule(ticket.id, agent, agent.id, start.date(),
                             start.time().replace(second=0, microsecond=0, tzinfo=None))


def seed(password):
    """File the partner tickets once (their submit tokens make this idempotent)."""
    staff, agent = User.by_email("staff@demo.test"), User.by_email("staff2@demo.test")
    lines = []
    for email, number, key, company, contact, product, version, subject, body in TICKETS:
        filer, partner = User.by_email(email), Partner.get_or_none(Partner.number == number)
        if filer is None or partner is None or Ticket.get_or_none(Ticket.submit_token == _token(company)):
            continue
        lic = License.get_or_none(License.key == key) if key else None
        # filed as a member files it: for the end customer's license, else its company and contact
        end_customer = (lic.id, "", "") if lic is not None else (None, company, contact)
        ticket = tickets.create_ticket(filer, product, version, subject, body, submit_token=_token(company),
                                       accept_policy=True, end_customer=end_customer)
        if company == ANSWERED and staff is not None:
            tickets.add_reply(ticket, staff, REPLY)
        lines.append(f"ticket #{ticket.id:<4} {partner.name}: {subject}")
        if company == SESSION_FOR and agent is not None and not RemoteSession.select().where(
                RemoteSession.ticket == ticket).exists():
            session = _session(ticket, agent)
            lines.append(f"session on ticket #{ticket.id}: {get_policy().time_text(session.starts_at)} with {agent.email}")
    return lines
