"""Partner organisations (policy 3.1 Decision): partners, their members and invitations, the
buying partner of an order, and on a ticket its partner, end customer and participants.

Expand only: new tables and nullable columns, so the running code keeps working while the
portal fills them in. Existing rows stay as they are (no partner).
"""
from peewee import *

# rolling deploys: only adds (docs/deployment.md, Migrations side by side)
PHASE = "expand"


def up(migrator, db):
    class Partner(Model):
        name = CharField(max_length=120)
        number = CharField(unique=True, max_length=32)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'partner'
    db.create_tables([Partner])

    class User(Model):  # the columns the new tables refer to
        class Meta:
            database = db
            table_name = 'user'

    class Ticket(Model):
        class Meta:
            database = db
            table_name = 'ticket'

    class License(Model):
        class Meta:
            database = db
            table_name = 'license'

    class PartnerInvite(Model):
        partner = ForeignKeyField(Partner, on_delete='CASCADE')
        email = CharField(index=True, max_length=254)
        role = CharField(max_length=16)
        token_hash = CharField(unique=True, max_length=64)
        invited_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        created_at = DateTimeField()
        expires_at = DateTimeField()
        used_at = DateTimeField(null=True)
        revoked_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'partner_invite'

    class TicketParticipant(Model):
        ticket = ForeignKeyField(Ticket, on_delete='CASCADE', index=False)
        user = ForeignKeyField(User, on_delete='CASCADE')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'ticket_participant'
            indexes = ((('ticket', 'user'), True),)
    db.create_tables([PartnerInvite, TicketParticipant])

    def partner_fk():
        return ForeignKeyField(Partner, field=Partner.id, null=True, on_delete='SET NULL')

    migrator.migrate(
        migrator.add_column('user', 'partner_id', partner_fk()),
        migrator.add_column('user', 'partner_role', CharField(max_length=16, null=True)),
        migrator.add_column('order', 'partner_id', partner_fk()),
        migrator.add_column('ticket', 'partner_id', ForeignKeyField(
            Partner, field=Partner.id, null=True, on_delete='SET NULL', index=False)),
        migrator.add_column('ticket', 'license_id', ForeignKeyField(
            License, field=License.id, null=True, on_delete='SET NULL')),
        migrator.add_column('ticket', 'end_customer_company', CharField(max_length=120, null=True)),
        migrator.add_column('ticket', 'end_customer_email', CharField(max_length=254, null=True)),
        migrator.add_index('ticket', ('partner_id', 'status', 'updated_at'), False),
    )


def down(migrator, db):
    migrator.migrate(migrator.drop_table('ticket_participant'))
    migrator.migrate(migrator.drop_table('partner_invite'))
    migrator.migrate(
        # SQLite drops a column only once no index names it
        migrator.drop_index('ticket', 'ticket_partner_id_status_updated_at'),
        migrator.drop_index('ticket', 'ticket_license_id'),
        migrator.drop_index('order', 'order_partner_id'),
        migrator.drop_index('user', 'user_partner_id'),
        migrator.drop_column('ticket', 'end_customer_email'),
        migrator.drop_column('ticket', 'end_customer_company'),
        migrator.drop_column('ticket', 'license_id'),
        migrator.drop_column('ticket', 'partner_id'),
        migrator.drop_column('order', 'partner_id'),
        migrator.drop_column('user', 'partner_role'),
        migrator.drop_column('user', 'partner_id'),
    )
    migrator.migrate(migrator.drop_table('partner'))
