"""Demo partners (policy 3.1 Decision): Northwind IT with a manager and a member, Contoso Partners
with a manager, each with licenses bought for end customers (Northwind: one SITE, one expired, one
expiring within 30 days; Contoso: one current, one expired)."""
import datetime

from portal.db import utcnow, write_tx
from portal.models import License, Order, Partner, User
from portal.passwords import hash_password
from portal.services import get_policy
from portal.services.partners import reseller_level

# number, company, [(email, partner role)]
PARTNERS = [
    ("P-1001", "Northwind IT", [("reseller@demo.test", "manager"), ("reseller2@demo.test", "member")]),
    ("P-1002", "Contoso Partners", [("partnerb@demo.test", "manager")]),
]
# partner number, order number, end customer's delivery email, type, key, days until expiry (negative: expired)
LICENSES = [
    ("P-1001", "RU-NW-2001", "it@fabrikam.example", "SITE", "RUSITE-NW7K2-FAB01-9ZT3", 300),
    ("P-1001", "RU-NW-2002", "admin@adventure-works.example", "PRO", "RUPRO-NW3X9-ADV02-4K8M", -20),
    ("P-1001", "RU-NW-2003", "office@alpine-ski.example", "PLUS", "RUPLS-NW6T2-ALP03-2R5D", 20),  # expiring soon
    ("P-1002", "RU-CP-3001", "support@tailspin.example", "PRO", "RUPRO-CP5D1-TSP01-7Q2W", 200),
    ("P-1002", "RU-CP-3002", "office@wingtip.example", "STARTER", "RUSTR-CP8B4-WTP02-1N6Z", -5),
]


def _account(email, hashed):
    level, reason = reseller_level()
    user, created = User.get_or_create(email=email, defaults=dict(
        password_hash=hashed, role="reseller", verified_at=utcnow(), level=level, level_reason=reason,
        display_name=email.split("@")[0].capitalize()))
    if not created:
        User.update(password_hash=hashed).where(User.id == user.id).execute()
    return user


def _license(partner, number, email, lic_type, key, days):
    order, _ = Order.get_or_create(number=number, defaults={"delivery_email": email, "partner": partner})
    today = get_policy().local_date(utcnow())
    License.get_or_create(key=key, defaults=dict(order=order, type=lic_type,
                                                 purchased_on=today - datetime.timedelta(days=400),
                                                 expires_on=today + datetime.timedelta(days=days)))


def seed(password):
    """Create the partners, their members and licenses; safe to run twice."""
    hashed = hash_password(password)
    lines = []
    with write_tx():
        for number, company, people in PARTNERS:
            partner, _ = Partner.get_or_create(number=number, defaults={"name": company, "created_at": utcnow()})
            for email, role in people:
                user = _account(email, hashed)
                User.update(partner=partner, partner_role=role).where(User.id == user.id).execute()
                lines.append(f"{email:22} reseller  {role} of {company}")
        for number, *rest in LICENSES:
            _license(Partner.get(Partner.number == number), *rest)
    return lines
