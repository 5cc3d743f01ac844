"""Initial schema: accounts, licenses, tickets, forum, staff (frozen models).

Time defaults (utcnow) live in the application models, not in the schema.
"""
from peewee import *

# rolling deploys: only adds (docs/deployment.md, Migrations side by side)
PHASE = "expand"


def up(migrator, db):
    class User(Model):
        email = CharField(unique=True, max_length=254)
        password_hash = CharField()
        display_name = CharField(max_length=80, default='')
        role = CharField(index=True, max_length=16, default='customer')
        verified_at = DateTimeField(null=True)
        session_version = IntegerField(default=1)
        level = CharField(index=True, max_length=16, default='FREE')
        level_reason = CharField(max_length=200, default='FREE: no license on this account')
        policy_accepted_at = DateTimeField(null=True)
        policy_version = CharField(null=True, max_length=32)
        is_active_account = BooleanField(default=True)
        created_at = DateTimeField()
        last_login_at = DateTimeField(null=True)
        notes = TextField(default='')
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class Bug(Model):
        title = CharField(max_length=200)
        status = CharField(max_length=16, default='open')
        eta = DateField(null=True)
        workaround = TextField(default='')
        fixed_in = CharField(max_length=32, default='')
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'bug'
    db.create_tables([Bug])

    class Ticket(Model):
        requester = ForeignKeyField(User, on_delete='CASCADE')
        product = CharField(max_length=64)
        version = CharField(max_length=32, default='')
        version_status = CharField(max_length=24, default='unknown')
        subject = CharField(max_length=200)
        status = CharField(index=True, max_length=16, default='open')
        level = CharField(max_length=16)
        rank_band = IntegerField()
        opened_at = DateTimeField()
        due_at = DateTimeField()
        policy_version = CharField(max_length=32)
        language = CharField(max_length=8, default='en')
        is_english = BooleanField(default=True)
        awaiting_staff = BooleanField(default=True)
        assignee = ForeignKeyField(User, null=True, on_delete='SET NULL')
        first_response_at = DateTimeField(null=True)
        first_response_met = BooleanField(null=True)
        remote_requested_at = DateTimeField(null=True)
        bug = ForeignKeyField(Bug, null=True, on_delete='SET NULL')
        submit_token = CharField(unique=True, null=True, max_length=64)
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'ticket'
            indexes = ((('awaiting_staff', 'rank_band', 'due_at', 'opened_at', 'id'), False), (('requester', 'status', 'updated_at'), False))
    db.create_tables([Ticket])

    class Message(Model):
        ticket = ForeignKeyField(Ticket, on_delete='CASCADE')
        author = ForeignKeyField(User, on_delete='CASCADE')
        body = TextField()
        internal = BooleanField(default=False)
        created_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'message'
    db.create_tables([Message])

    class Attachment(Model):
        ticket = ForeignKeyField(Ticket, on_delete='CASCADE')
        message = ForeignKeyField(Message, null=True, on_delete='SET NULL')
        uploaded_by = ForeignKeyField(User, on_delete='CASCADE')
        filename = CharField(max_length=200)
        stored_name = CharField(unique=True, max_length=64)
        content_type = CharField(max_length=100)
        size = IntegerField()
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'attachment'
    db.create_tables([Attachment])

    class AuditLog(Model):
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        action = CharField(index=True, max_length=64)
        object_type = CharField(max_length=32, default='')
        object_id = CharField(max_length=32, default='')
        detail = TextField(default='')
        created_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'audit_log'
    db.create_tables([AuditLog])

    class CannedReply(Model):
        key = CharField(unique=True, max_length=32)
        title = CharField(max_length=120)
        body = TextField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'canned_reply'
    db.create_tables([CannedReply])

    class Category(Model):
        slug = CharField(unique=True, max_length=64)
        name = CharField(max_length=100)
        description = CharField(max_length=300, default='')
        position = IntegerField(default=0)
        public = BooleanField(default=True)
        class Meta:
            database = db
            table_name = 'category'
    db.create_tables([Category])

    class RemoteSession(Model):
        ticket = ForeignKeyField(Ticket, on_delete='CASCADE')
        requested_by = ForeignKeyField(User, on_delete='CASCADE')
        agent = ForeignKeyField(User, null=True, on_delete='SET NULL')
        status = CharField(max_length=16, default='requested')
        starts_at = DateTimeField(null=True)
        tool = CharField(max_length=100, default='Remote Utilities')
        created_at = DateTimeField()
        ended_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'remote_session'
    db.create_tables([RemoteSession])

    class Credential(Model):
        ticket = ForeignKeyField(Ticket, on_delete='CASCADE')
        session = ForeignKeyField(RemoteSession, null=True, on_delete='SET NULL')
        submitted_by = ForeignKeyField(User, on_delete='CASCADE')
        ciphertext = BlobField(null=True)
        created_at = DateTimeField()
        destroyed_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'credential'
    db.create_tables([Credential])

    class CredentialView(Model):
        credential = ForeignKeyField(Credential, on_delete='CASCADE')
        viewer = ForeignKeyField(User, on_delete='CASCADE')
        viewed_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'credential_view'
    db.create_tables([CredentialView])

    class Order(Model):
        number = CharField(unique=True, max_length=64)
        delivery_email = CharField(index=True, max_length=254)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'order'
    db.create_tables([Order])

    class License(Model):
        key = CharField(unique=True, max_length=64)
        order = ForeignKeyField(Order, on_delete='CASCADE')
        type = CharField(max_length=16)
        purchased_on = DateField()
        expires_on = DateField(null=True)
        user = ForeignKeyField(User, null=True, on_delete='SET NULL')
        bound_at = DateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'license'
    db.create_tables([License])

    class Thread(Model):
        category = ForeignKeyField(Category, on_delete='CASCADE')
        author = ForeignKeyField(User, on_delete='CASCADE')
        title = CharField(max_length=200)
        product = CharField(max_length=64, default='')
        created_at = DateTimeField()
        last_post_at = DateTimeField(index=True)
        post_count = IntegerField(default=1)
        locked = BooleanField(default=False)
        hidden = BooleanField(default=False)
        accepted_post = IntegerField(null=True)
        is_english = BooleanField(default=True)
        awaiting_staff = BooleanField(default=True)
        level = CharField(max_length=16, default='FREE')
        rank_band = IntegerField(default=0)
        due_at = DateTimeField(null=True)
        assignee = ForeignKeyField(User, null=True, on_delete='SET NULL')
        first_response_at = DateTimeField(null=True)
        first_response_met = BooleanField(null=True)
        class Meta:
            database = db
            table_name = 'thread'
            indexes = ((('awaiting_staff', 'rank_band', 'due_at', 'created_at', 'id'), False),)
    db.create_tables([Thread])

    class Post(Model):
        thread = ForeignKeyField(Thread, on_delete='CASCADE')
        author = ForeignKeyField(User, on_delete='CASCADE')
        body = TextField()
        created_at = DateTimeField(index=True)
        edited_at = DateTimeField(null=True)
        hidden = BooleanField(default=False)
        is_staff_answer = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'post'
    db.create_tables([Post])

    class Release(Model):
        product = CharField(max_length=64)
        version = CharField(max_length=32)
        major = IntegerField()
        minor = IntegerField()
        subminor = IntegerField()
        patch = IntegerField()
        released_on = DateField(null=True)
        class Meta:
            database = db
            table_name = 'release'
            indexes = ((('product', 'version'), True),)
    db.create_tables([Release])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('release'))
    migrator.migrate(migrator.drop_table('post'))
    migrator.migrate(migrator.drop_table('thread'))
    migrator.migrate(migrator.drop_table('license'))
    migrator.migrate(migrator.drop_table('order'))
    migrator.migrate(migrator.drop_table('credential_view'))
    migrator.migrate(migrator.drop_table('credential'))
    migrator.migrate(migrator.drop_table('remote_session'))
    migrator.migrate(migrator.drop_table('category'))
    migrator.migrate(migrator.drop_table('canned_reply'))
    migrator.migrate(migrator.drop_table('audit_log'))
    migrator.migrate(migrator.drop_table('attachment'))
    migrator.migrate(migrator.drop_table('message'))
    migrator.migrate(migrator.drop_table('ticket'))
    migrator.migrate(migrator.drop_table('bug'))
    migrator.migrate(migrator.drop_table('user'))
