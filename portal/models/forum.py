"""Community forum: categories, threads, posts (policy 4.1, 4.4, 4.6, 8.6)."""
from peewee import AutoField, BooleanField, CharField, ForeignKeyField, IntegerField, TextField

from portal.db import BaseModel, DateTimeField, utcnow
from portal.models.accounts import User


class Category(BaseModel):
    id = AutoField()
    slug = CharField(max_length=64, unique=True)
    name = CharField(max_length=100)
    description = CharField(max_length=300, default="")
    position = IntegerField(default=0)
    public = BooleanField(default=True)
    staff_threads_only = BooleanField(default=False)  # members reply, only staff start threads


class Thread(BaseModel):
    id = AutoField()
    category = ForeignKeyField(Category, backref="threads", on_delete="CASCADE")
    author = ForeignKeyField(User, backref="threads", on_delete="CASCADE")
    title = CharField(max_length=200)
    product = CharField(max_length=64, default="")
    created_at = DateTimeField(default=utcnow)
    last_post_at = DateTimeField(default=utcnow, index=True)
    post_count = IntegerField(default=1)
    locked = BooleanField(default=False)
    hidden = BooleanField(default=False)
    accepted_post = IntegerField(null=True)
    is_english = BooleanField(default=True)
    # staff queue (policy 4.6): threads without a staff answer rank below all tickets
    awaiting_staff = BooleanField(default=True)
    level = CharField(max_length=16, default="FREE")
    rank_band = IntegerField(default=0)
    due_at = DateTimeField(null=True)
    assignee = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    first_response_at = DateTimeField(null=True)
    first_response_met = BooleanField(null=True)

    class Meta:
        indexes = (
            (("awaiting_staff", "rank_band", "due_at", "created_at", "id"), False),
        )


class Post(BaseModel):
    id = AutoField()
    thread = ForeignKeyField(Thread, backref="posts", on_delete="CASCADE")
    author = ForeignKeyField(User, backref="posts", on_delete="CASCADE")
    body = TextField()
    created_at = DateTimeField(default=utcnow, index=True)
    edited_at = DateTimeField(null=True)
    hidden = BooleanField(default=False)
    is_staff_answer = BooleanField(default=False)
