"""Audit log of staff actions: claims, assignments, status, credential views, sessions, bugs."""
from peewee import JOIN

from portal.db import utcnow
from portal.models import AuditLog, User
from portal.services.paging import page_of

PAGE_SIZE = 50
MAX_DETAIL = 500


def record(actor, action, object_type, object_id, detail=""):
    """Write one audit row; never pass credentials or message bodies in `detail`."""
    actor = actor._get_current_object() if hasattr(actor, "_get_current_object") else actor
    return AuditLog.create(actor=actor, action=str(action)[:64], object_type=str(object_type)[:32],
                           object_id=str(object_id)[:32], detail=str(detail or "")[:MAX_DETAIL],
                           created_at=utcnow())


def actions():
    """The distinct actions recorded so far, for the filter."""
    query = AuditLog.select(AuditLog.action).distinct().order_by(AuditLog.action)
    return [row.action for row in query]


def entries(action="", page=1, per_page=PAGE_SIZE):
    """One page of audit rows, newest first, optionally for one action (a Page)."""
    query = (AuditLog.select(AuditLog, User)
             .join(User, on=(AuditLog.actor == User.id), join_type=JOIN.LEFT_OUTER, attr="actor_user")
             .order_by(AuditLog.created_at.desc(), AuditLog.id.desc()))
    if action:
        query = query.where(AuditLog.action == action)
    return page_of(query, page, per_page)
