"""Demo accounts, one per role and level, with the orders and licenses that give each level."""
import datetime

from portal.db import utcnow, write_tx
from portal.models import License, Order, Release, User
from portal.passwords import hash_password
from portal.services import get_policy, licenses

YEAR = datetime.timedelta(days=365)

# email, role, license type (None: no license), license key
ACCOUNTS = [
    ("site@demo.test", "customer", "SITE", "RUSITE-4F8K2-9QW3E-7K2Q"),
    ("pro@demo.test", "customer", "PRO", "RUPRO-8H2JD-3MZ7X-5T1A"),
    ("plus@demo.test", "customer", "PLUS", "RUPLS-2L9VC-6NB4R-8P3S"),
    ("starter@demo.test", "customer", "STARTER", "RUSTR-7Y3GT-1KD8W-2M6F"),
    ("free@demo.test", "customer", None, None),
    ("trial@demo.test", "customer", "TRIAL", "RUTRL-5C1XN-4HV9Q-3J8L"),
    ("reseller@demo.test", "reseller", None, None),
    ("staff@demo.test", "staff", None, None),
    ("staff2@demo.test", "staff", None, None),
    ("admin@demo.test", "admin", None, None),
]

# policy 7.2: a realistic history across two majors
RELEASES = {
    "Remote Utilities": ["6.12.0.1", "7.0.0.6", "7.1.2.0", "7.5.1.0", "7.6.2.0",
                         "8.0.0.5", "8.0.1.2", "8.1.0.3"],
    "Remote Utilities Server": ["3.1.0.2", "3.2.0.1", "4.0.0.7", "4.1.0.2"],
}

# an order delivered to an address nobody has registered yet (registration demo, policy 4.5)
SPARE_ORDER = ("RU-DEMO-9000", "newcustomer@demo.test", "PLUS", "RUPLS-9Z8Y7-X6W5V-4U3T")


def _release(product, version):
    major, minor, sub, patch = (int(p) for p in version.split("."))
    Release.get_or_create(product=product, version=version, defaults=dict(
        major=major, minor=minor, subminor=sub, patch=patch))


def _order(number, email, lic_type, key):
    order, _ = Order.get_or_create(number=number, defaults={"delivery_email": email})
    # the day of seeding in the policy's zone (as licenses.py counts expiry), not of the import
    today = get_policy().local_date(utcnow())
    expires = today + YEAR if lic_type != "TRIAL" else today + datetime.timedelta(days=30)
    License.get_or_create(key=key, defaults=dict(order=order, type=lic_type,
                                                 purchased_on=today - datetime.timedelta(days=30),
                                                 expires_on=expires))


def seed(password):
    """Create the accounts, orders, licenses and releases; safe to run twice."""
    hashed = hash_password(password)
    lines = []
    with write_tx():
        for product, versions in RELEASES.items():
            for version in versions:
                _release(product, version)
        for n, (email, role, lic_type, key) in enumerate(ACCOUNTS, start=1):
            user, created = User.get_or_create(email=email, defaults=dict(
                password_hash=hashed, role=role, verified_at=utcnow(),
                display_name=email.split("@")[0].capitalize()))
            if not created:
                User.update(password_hash=hashed).where(User.id == user.id).execute()
            if lic_type:
                _order(f"RU-DEMO-{1000 + n}", email, lic_type, key)
        _order(*SPARE_ORDER)
    for email, *_ in ACCOUNTS:
        user = User.by_email(email)
        licenses.attach_by_email(user)
        lines.append(f"{email:22} {user.role:9} {user.level}")
    return lines
