"""Orders, licenses and product releases (policy 2.1, 4.5, 7.2)."""
from peewee import AutoField, CharField, DateField, ForeignKeyField, IntegerField

from portal import prepared
from portal.db import BaseModel, DateTimeField, utcnow
from portal.models.accounts import Partner, User

LICENSE_TYPES = ("SITE", "PRO", "PLUS", "STARTER", "TRIAL")
PRODUCTS = ("Remote Utilities", "Remote Utilities Server")  # policy 1.1: support covers these two


class Order(BaseModel):
    id = AutoField()
    number = CharField(max_length=64, unique=True)
    delivery_email = CharField(max_length=254, index=True)
    created_at = DateTimeField(default=utcnow)
    # the partner that bought it for resale (policy 3.1); None for an end customer's own order
    partner = ForeignKeyField(Partner, null=True, backref="orders", on_delete="SET NULL")


class License(BaseModel):
    id = AutoField()
    key = CharField(max_length=64, unique=True)
    order = ForeignKeyField(Order, backref="licenses", on_delete="CASCADE")
    type = CharField(max_length=16)
    purchased_on = DateField()
    expires_on = DateField(null=True)
    # policy 4.5 Decision: a key is bound to one account
    user = ForeignKeyField(User, backref="licenses", null=True, on_delete="SET NULL")
    bound_at = DateTimeField(null=True)

    @classmethod
    def for_user(cls, user):
        """Licenses bound to this account."""
        return cls.select().where(cls.user == user).order_by(cls.purchased_on.desc())


class Release(BaseModel):
    id = AutoField()
    product = CharField(max_length=64)
    version = CharField(max_length=32)
    major = IntegerField()
    minor = IntegerField()
    subminor = IntegerField()
    patch = IntegerField()
    released_on = DateField(null=True)

    class Meta:
        indexes = ((("product", "version"), True),)

    @classmethod
    def versions(cls, product):
        """Version strings of a product's releases, newest first."""
        def query(name):
            return (cls.select(cls.version).where(cls.product == name)
                    .order_by(cls.major.desc(), cls.minor.desc(), cls.subminor.desc(), cls.patch.desc()).tuples())
        # asked on every ticket page and filing: the SQL text is made once per process
        return [version for (version,) in prepared.rows("release versions", query, product)]
