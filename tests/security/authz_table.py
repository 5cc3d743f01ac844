"""THE authorization table: every (rule, method) of the app × every role → the expected status.

URL parameters are the "owner" account's objects (a PRO customer who is none of the roles),
so a customer's answer on /tickets/<id> is about someone else's ticket; a partner's members and
invitations are partner A's, managed by "manager", not by A's "member" nor B's "manager_b". Besides the methods a
rule accepts, GET and POST are always listed: a method a rule does not take must still answer
404 where the area does not exist for the role (policy 3.2, issue 6: /staff, /admin, /forum).

Entry fields: `data` is the form sent with a POST ("{name}" is filled from the URL
parameters); `fresh` names an object made anew for each case because the action changes or
consumes it (ticket, session, thread, release, a failed mail), or "account" for a new account of the role
(logout ends every session of the account).
"""
from dataclasses import dataclass, field

ROLES = ("anonymous", "FREE", "TRIAL", "STARTER", "PLUS", "PRO", "SITE", "reseller", "manager", "member",
         "manager_b", "staff", "admin")

ANON = ("anonymous",)
NONCOMMERCIAL = ("FREE", "TRIAL")                  # policy 8.2 Decision
COMMERCIAL = ("STARTER", "PLUS", "PRO", "SITE")
CUSTOMERS = NONCOMMERCIAL + COMMERCIAL
# policy 3.1: a reseller without a partner, a manager and a member of partner A, a manager of B
PARTNER_A_MANAGER, PARTNER_A_MEMBER, PARTNER_B_MANAGER = ("manager",), ("member",), ("manager_b",)
MANAGERS = PARTNER_A_MANAGER + PARTNER_B_MANAGER
PARTNER_A = PARTNER_A_MANAGER + PARTNER_A_MEMBER
PARTNER_MEMBERS = PARTNER_A + PARTNER_B_MANAGER    # every reseller who belongs to a partner
RESELLER = ("reseller",) + PARTNER_A_MEMBER + MANAGERS
AGENT = ("staff",)                                  # staff, not admin
ADMIN = ("admin",)
STAFF = AGENT + ADMIN
USERS = CUSTOMERS + RESELLER + STAFF
EVERYONE = ANON + USERS
NOT_STAFF = ANON + CUSTOMERS + RESELLER
NOT_ADMIN = ANON + CUSTOMERS + RESELLER + AGENT
NOT_RESELLER = ANON + CUSTOMERS + STAFF


@dataclass(frozen=True)
class Entry:
    """Expected status per role, plus what a request needs."""
    expect: dict
    data: dict = field(default_factory=dict)
    fresh: str | None = None


def E(answers, data=None, fresh=None):
    """An entry from {role group: status}; every role must be named exactly once."""
    expect = {}
    for group, status in answers.items():
        for role in group:
            assert role not in expect, f"{role} named twice"
            expect[role] = status
    missing = set(ROLES) - set(expect)
    assert not missing, f"roles without an answer: {sorted(missing)}"
    return Entry(expect, data or {}, fresh)


# answers for a method the rule does not take
NO_METHOD = E({EVERYONE: 405})
STAFF_NO_METHOD = E({NOT_STAFF: 404, STAFF: 405})        # issue 6: /staff exists only for staff
ADMIN_NO_METHOD = E({NOT_ADMIN: 404, ADMIN: 405})        # the admin area exists only for admins
FORUM_NO_METHOD = E({RESELLER: 404, NOT_RESELLER: 405})  # policy 3.2 Decision

LOGIN_PAGE = E({ANON: 200, USERS: 302})                 # logged-in users are sent on
LOGGED_IN_PAGE = E({ANON: 302, USERS: 200})             # anonymous: 302 to /login
PUBLIC = E({EVERYONE: 200})
FORUM_PAGE = E({RESELLER: 404, NOT_RESELLER: 200})
STAFF_PAGE = E({NOT_STAFF: 404, STAFF: 200})
ADMIN_PAGE = E({NOT_ADMIN: 404, ADMIN: 200})
FORUM_MODERATION = E({ANON: 302, CUSTOMERS + RESELLER: 404, STAFF: 302})
OWN_TICKET_ONLY = E({ANON: 302, CUSTOMERS + RESELLER + STAFF: 404})   # requester only
SEE_TICKET = E({ANON: 302, CUSTOMERS + RESELLER: 404, STAFF: 200})    # requester and staff
# issue 13: one page per ticket for staff; the customer's page sends them to the staff page
SEE_TICKET_STAFF_ELSEWHERE = E({ANON: 302, CUSTOMERS + RESELLER: 404, STAFF: 302})
STAFF_REDIRECT = E({NOT_STAFF: 404, STAFF: 302})  # the panels' own page is the ticket page now


def staff_post(status, **kwargs):
    return E({NOT_STAFF: 404, STAFF: status}, **kwargs)


def all_users_but(group):
    return tuple(r for r in USERS if r not in group)


def manager_post(status, allowed, data=None, fresh=None):
    """A partner-managing action: `allowed` managers get `status`, every other account 404."""
    return E({ANON: 302, all_users_but(allowed): 404, allowed: status}, data, fresh)


AUTHZ = {
    ("/", "GET"): LOGIN_PAGE,
    ("/", "POST"): NO_METHOD,
    ("/policy", "GET"): PUBLIC,
    ("/policy", "POST"): NO_METHOD,
    ("/ping", "GET"): PUBLIC,
    ("/ping", "POST"): PUBLIC,                                      # the bench baseline of a form post
    ("/healthz", "GET"): PUBLIC,
    ("/healthz", "POST"): NO_METHOD,
    ("/readyz", "GET"): PUBLIC,                                    # the load balancer's probe
    ("/readyz", "POST"): NO_METHOD,
    ("/metrics", "GET"): E({EVERYONE: 404}),                       # only to Bearer $PORTAL_METRICS_TOKEN (unset here)
    ("/metrics", "POST"): NO_METHOD,

    # accounts
    ("/login", "GET"): LOGIN_PAGE,
    ("/login", "POST"): E({ANON: 401, USERS: 302}, {"email": "nobody@example.test", "password": "wrong password"}),
    ("/logout", "GET"): NO_METHOD,
    ("/logout", "POST"): E({EVERYONE: 302}, fresh="account"),
    ("/register", "GET"): LOGIN_PAGE,
    ("/register", "POST"): E({ANON: 400, USERS: 302}),
    ("/register/check", "GET"): NO_METHOD,
    ("/register/check", "POST"): E({EVERYONE: 400}),              # names no field to check
    ("/reset", "GET"): PUBLIC,
    ("/reset", "POST"): E({EVERYONE: 400}),                       # no address given
    ("/reset/<token>", "GET"): PUBLIC,                             # the signed token is the authority
    ("/reset/<token>", "POST"): E({EVERYONE: 400}, {"password": "short", "confirm": "other"}),
    ("/verify/<token>", "GET"): PUBLIC,
    # only the registrant confirms: the account's password (every test account has the same one)
    ("/verify/<token>", "POST"): E({EVERYONE: 302}, data={"password": "correct horse battery"}),
    ("/verify/resend", "GET"): E({EVERYONE: 400}),                # is /verify/<token> with a bad token
    ("/verify/resend", "POST"): E({EVERYONE: 302}),
    ("/account/", "GET"): LOGGED_IN_PAGE,
    ("/account/", "POST"): NO_METHOD,
    # policy 4.5: the owner's key is bound to the owner; nobody else can take it
    ("/account/license", "GET"): NO_METHOD,
    ("/account/license", "POST"): E({ANON: 302, USERS: 400}, {"key": "{owner_key}"}),
    ("/account/time-zone", "GET"): LOGGED_IN_PAGE,
    ("/account/time-zone", "POST"): E({ANON: 302, USERS: 400}, {"time_zone": "Mars/Olympus"}),
    ("/account/mail", "GET"): NO_METHOD,
    ("/account/mail", "POST"): E({ANON: 302, USERS: 400}, {"partner_mail": "everyone"}),
    # issue 14, RFC 8058: the signed token is the authority (no login, no CSRF); a bad one is a 400
    ("/account/unsubscribe/<token>", "GET"): E({EVERYONE: 400}),
    ("/account/unsubscribe/<token>", "POST"): E({EVERYONE: 400}),
    ("/account/password", "GET"): NO_METHOD,
    ("/account/password", "POST"): E({ANON: 302, USERS: 400},
                                     {"current": "not the password", "password": "a new long password",
                                      "confirm": "a new long password"}),

    # admin area
    ("/admin/partners", "GET"): ADMIN_PAGE,
    ("/admin/partners", "POST"): E({NOT_ADMIN: 404, ADMIN: 400}, {"company": "", "number": "P-1"}),
    ("/admin/users", "GET"): ADMIN_PAGE,
    ("/admin/users", "POST"): E({NOT_ADMIN: 404, ADMIN: 400}, {"email": "", "role": "admin"}),
    ("/admin/orders", "GET"): ADMIN_PAGE,
    ("/admin/orders", "POST"): E({NOT_ADMIN: 404, ADMIN: 400}),   # no file
    ("/admin/releases", "GET"): ADMIN_PAGE,
    ("/admin/releases", "POST"): E({NOT_ADMIN: 404, ADMIN: 400}, {"product": "Remote Utilities"}),
    ("/admin/releases/<int:release_id>/delete", "GET"): ADMIN_NO_METHOD,
    ("/admin/releases/<int:release_id>/delete", "POST"): E({NOT_ADMIN: 404, ADMIN: 302}, fresh="release"),
    ("/admin/mail", "GET"): ADMIN_PAGE,
    ("/admin/mail", "POST"): ADMIN_NO_METHOD,
    ("/admin/mail/<int:mail_id>/retry", "GET"): ADMIN_NO_METHOD,
    ("/admin/mail/<int:mail_id>/retry", "POST"): E({NOT_ADMIN: 404, ADMIN: 302}, fresh="mail"),  # a failed mail
    ("/admin/mail/notices/<int:notice_id>/retry", "GET"): ADMIN_NO_METHOD,
    ("/admin/mail/notices/<int:notice_id>/retry", "POST"): E({NOT_ADMIN: 404, ADMIN: 302}, fresh="notice"),  # a given-up notice

    # tickets (policy 2.1, 4.4): the owner's ticket is foreign to every role but staff
    ("/tickets/", "GET"): E({ANON: 302, CUSTOMERS: 200, RESELLER: 302, STAFF: 200}),  # reseller → Partner Area
    ("/tickets/", "POST"): NO_METHOD,
    ("/tickets/new", "GET"): LOGGED_IN_PAGE,
    ("/tickets/new", "POST"): E({ANON: 302, USERS: 400}),         # empty form
    ("/tickets/new/check", "GET"): LOGGED_IN_PAGE,
    ("/tickets/new/check", "POST"): LOGGED_IN_PAGE,
    ("/tickets/new/similar", "GET"): E({EVERYONE: 302}),         # an htmx fragment; plain GET → the form
    ("/tickets/new/similar", "POST"): NO_METHOD,
    # policy 3.1 Decision: the license choice of a partner member's form; a plain GET → the Licenses page
    ("/tickets/new/licenses", "GET"): E({ANON: 302, all_users_but(PARTNER_MEMBERS): 404, PARTNER_MEMBERS: 302}),
    ("/tickets/new/licenses", "POST"): NO_METHOD,
    ("/tickets/<int:ticket_id>", "GET"): SEE_TICKET_STAFF_ELSEWHERE,
    ("/tickets/<int:ticket_id>", "POST"): NO_METHOD,
    ("/tickets/<int:ticket_id>/reply", "GET"): NO_METHOD,
    ("/tickets/<int:ticket_id>/reply", "POST"): E({ANON: 302, CUSTOMERS + RESELLER: 404, STAFF: 400}),
    # policy 3.1 Decision: only members of the ticket's partner add colleagues; the owner's ticket has none
    ("/tickets/<int:ticket_id>/participants", "GET"): NO_METHOD,
    ("/tickets/<int:ticket_id>/participants", "POST"): E({ANON: 302, USERS: 404}, {"user": "1"}),
    ("/tickets/<int:ticket_id>/<any(close, reopen):action>", "GET"): NO_METHOD,
    ("/tickets/<int:ticket_id>/<any(close, reopen):action>", "POST"): OWN_TICKET_ONLY,
    ("/tickets/<int:ticket_id>/remote", "GET"): NO_METHOD,
    ("/tickets/<int:ticket_id>/remote", "POST"): OWN_TICKET_ONLY,  # policy 8.2: the requester asks
    ("/tickets/<int:ticket_id>/credentials", "GET"): NO_METHOD,
    # policy 8.5: staff see the ticket but only its requester sends credentials (refused, nothing stored)
    ("/tickets/<int:ticket_id>/credentials", "POST"): E(
        {ANON: 302, CUSTOMERS + RESELLER: 404, STAFF: 400}, {"remote_id": "ID-1", "password": "pw"}),
    ("/tickets/<int:ticket_id>/attachments/<int:att_id>", "GET"): SEE_TICKET,
    ("/tickets/<int:ticket_id>/attachments/<int:att_id>", "POST"): NO_METHOD,
    # no login redirect here: anonymous gets 404 like any foreign visitor (tests/staff_ops/test_ics.py)
    ("/tickets/<int:ticket_id>/session.ics", "GET"): E({ANON + CUSTOMERS + RESELLER: 404, STAFF: 200}),
    ("/tickets/<int:ticket_id>/session.ics", "POST"): NO_METHOD,
    # policy 8.1: only the requester confirms or asks for another time; staff see the ticket, not this
    ("/tickets/<int:ticket_id>/session/confirm", "GET"): NO_METHOD,
    ("/tickets/<int:ticket_id>/session/confirm", "POST"): E({ANON: 302, USERS: 404}, {"sequence": "0"}),
    ("/tickets/<int:ticket_id>/session/another", "GET"): NO_METHOD,
    ("/tickets/<int:ticket_id>/session/another", "POST"): E(
        {ANON: 302, USERS: 404}, {"sequence": "0", "note": "Any afternoon"}),

    # Partner Area (policy 3.2)
    ("/partner/", "GET"): E({ANON: 302, CUSTOMERS + STAFF: 404, RESELLER: 200}),
    ("/partner/", "POST"): NO_METHOD,
    # policy 3.1 Decision: the partner's tickets as CSV, for its members only
    ("/partner/tickets.csv", "GET"): E({ANON: 302, CUSTOMERS + STAFF + ("reseller",): 404,
                                        PARTNER_A_MEMBER + MANAGERS: 200}),
    ("/partner/tickets.csv", "POST"): NO_METHOD,
    # policy 3.1: managing a partner's members is for its managers only; everyone else 404
    ("/partner/members", "GET"): E({ANON: 302, all_users_but(MANAGERS): 404, MANAGERS: 200}),
    ("/partner/members", "POST"): NO_METHOD,
    ("/partner/members/invite", "GET"): NO_METHOD,
    ("/partner/members/invite", "POST"): manager_post(400, MANAGERS, {"email": "", "role": "member"}),
    ("/partner/members/<int:user_id>/role", "GET"): NO_METHOD,
    ("/partner/members/<int:user_id>/role", "POST"): manager_post(302, PARTNER_A_MANAGER, {"role": "member"}),
    ("/partner/members/<int:user_id>/remove", "GET"): NO_METHOD,
    ("/partner/members/<int:user_id>/remove", "POST"): manager_post(302, PARTNER_A_MANAGER, fresh="member"),
    ("/partner/invites/<int:invite_id>/resend", "GET"): NO_METHOD,
    ("/partner/invites/<int:invite_id>/resend", "POST"): manager_post(302, PARTNER_A_MANAGER),
    ("/partner/invites/<int:invite_id>/revoke", "GET"): NO_METHOD,
    ("/partner/invites/<int:invite_id>/revoke", "POST"): manager_post(302, PARTNER_A_MANAGER, fresh="invite"),
    # policy 3.1: the licenses a partner bought are for its members only; the license is partner A's
    ("/partner/licenses", "GET"): E({ANON: 302, all_users_but(PARTNER_MEMBERS): 404, PARTNER_MEMBERS: 200}),
    ("/partner/licenses", "POST"): NO_METHOD,
    ("/partner/licenses/<int:license_id>", "GET"): E({ANON: 302, all_users_but(PARTNER_A): 404, PARTNER_A: 200}),
    ("/partner/licenses/<int:license_id>", "POST"): NO_METHOD,
    ("/partner/invite/<token>", "GET"): PUBLIC,                   # the signed token is the authority
    ("/partner/invite/<token>", "POST"): E({EVERYONE: 400}, {"password": "short", "confirm": "other"}),

    # forum (policy 3.2 Decision: 404 for resellers on every /forum URL; 4.4: posting needs an account)
    ("/forum", "GET"): FORUM_PAGE,
    ("/forum", "POST"): FORUM_NO_METHOD,
    ("/forum/", "GET"): FORUM_PAGE,
    ("/forum/", "POST"): FORUM_NO_METHOD,
    ("/forum/c/<slug>", "GET"): FORUM_PAGE,
    ("/forum/c/<slug>", "POST"): FORUM_NO_METHOD,
    ("/forum/search", "GET"): FORUM_PAGE,
    ("/forum/search", "POST"): FORUM_NO_METHOD,
    ("/forum/t/<int:thread_id>", "GET"): FORUM_PAGE,
    ("/forum/t/<int:thread_id>", "POST"): FORUM_NO_METHOD,
    ("/forum/p/<int:post_id>", "GET"): E({RESELLER: 404, NOT_RESELLER: 302}),  # to the post in its thread
    ("/forum/p/<int:post_id>", "POST"): FORUM_NO_METHOD,
    ("/forum/new", "GET"): E({ANON: 302, RESELLER: 404, CUSTOMERS + STAFF: 200}),
    ("/forum/new", "POST"): E({ANON: 302, RESELLER: 404, CUSTOMERS + STAFF: 422}),   # no category
    ("/forum/check", "GET"): FORUM_NO_METHOD,
    # typing hints are an htmx fragment; a plain POST is sent back to the form
    ("/forum/check", "POST"): E({ANON: 302, RESELLER: 404, CUSTOMERS + STAFF: 302}, {"body": "Hello there"}),
    ("/forum/t/<int:thread_id>/reply", "GET"): FORUM_NO_METHOD,
    ("/forum/t/<int:thread_id>/reply", "POST"): E({ANON: 302, RESELLER: 404, CUSTOMERS + STAFF: 422}),
    # someone else's post: visible, so 403 rather than 404
    ("/forum/p/<int:post_id>/edit", "GET"): E({ANON: 302, RESELLER: 404, CUSTOMERS + STAFF: 403}),
    ("/forum/p/<int:post_id>/edit", "POST"): E({ANON: 302, RESELLER: 404, CUSTOMERS + STAFF: 403},
                                               {"body": "Taken over by someone else"}),
    ("/forum/t/<int:thread_id>/lock", "GET"): FORUM_NO_METHOD,
    ("/forum/t/<int:thread_id>/lock", "POST"): FORUM_MODERATION,     # no "locked": unlock, a no-op
    ("/forum/t/<int:thread_id>/hide", "GET"): FORUM_NO_METHOD,
    ("/forum/t/<int:thread_id>/hide", "POST"): FORUM_MODERATION,     # no "hidden": show, a no-op
    ("/forum/t/<int:thread_id>/move", "GET"): FORUM_NO_METHOD,
    ("/forum/t/<int:thread_id>/move", "POST"): E({ANON: 302, CUSTOMERS + RESELLER: 404, STAFF: 422}),
    ("/forum/p/<int:post_id>/hide", "GET"): FORUM_NO_METHOD,
    ("/forum/p/<int:post_id>/hide", "POST"): FORUM_MODERATION,
    ("/forum/p/<int:post_id>/accept", "GET"): FORUM_NO_METHOD,
    ("/forum/p/<int:post_id>/accept", "POST"): FORUM_MODERATION,

    # staff console (issue 6): 404 for everyone but staff and admins, whatever the method
    ("/staff/", "GET"): staff_post(302),
    ("/staff/", "POST"): STAFF_NO_METHOD,
    ("/staff/queue", "GET"): STAFF_PAGE,
    ("/staff/queue", "POST"): STAFF_NO_METHOD,
    ("/staff/queue/why/<row_key>", "GET"): staff_post(302),  # without htmx: the queue with that row open
    ("/staff/queue/why/<row_key>", "POST"): STAFF_NO_METHOD,
    ("/staff/tickets", "GET"): STAFF_PAGE,
    ("/staff/tickets", "POST"): STAFF_NO_METHOD,
    ("/staff/search", "GET"): STAFF_PAGE,
    ("/staff/search", "POST"): STAFF_NO_METHOD,
    ("/staff/dashboard", "GET"): STAFF_PAGE,
    ("/staff/dashboard", "POST"): STAFF_NO_METHOD,
    ("/staff/audit", "GET"): STAFF_PAGE,
    ("/staff/audit", "POST"): STAFF_NO_METHOD,
    ("/staff/canned", "GET"): STAFF_PAGE,
    ("/staff/canned", "POST"): STAFF_NO_METHOD,
    ("/staff/canned/<int:reply_id>", "GET"): STAFF_NO_METHOD,
    ("/staff/canned/<int:reply_id>", "POST"): E({NOT_ADMIN: 404, ADMIN: 400}),  # admins edit; empty title
    ("/staff/bugs", "GET"): STAFF_PAGE,
    ("/staff/bugs", "POST"): staff_post(400),                     # no title
    ("/staff/bugs/<int:bug_id>", "GET"): STAFF_PAGE,
    ("/staff/bugs/<int:bug_id>", "POST"): staff_post(400),
    ("/staff/tickets/<int:ticket_id>", "GET"): STAFF_PAGE,
    ("/staff/tickets/<int:ticket_id>", "POST"): STAFF_NO_METHOD,
    ("/staff/tickets/<int:ticket_id>/ops", "GET"): STAFF_REDIRECT,
    ("/staff/tickets/<int:ticket_id>/ops", "POST"): STAFF_NO_METHOD,
    ("/staff/tickets/<int:ticket_id>/claim", "GET"): STAFF_NO_METHOD,
    ("/staff/tickets/<int:ticket_id>/claim", "POST"): staff_post(302, fresh="ticket"),
    ("/staff/tickets/<int:ticket_id>/assign", "GET"): STAFF_NO_METHOD,
    ("/staff/tickets/<int:ticket_id>/assign", "POST"): staff_post(400),   # no agent
    ("/staff/tickets/<int:ticket_id>/unassign", "GET"): STAFF_NO_METHOD,
    ("/staff/tickets/<int:ticket_id>/unassign", "POST"): staff_post(302),
    ("/staff/tickets/<int:ticket_id>/status", "GET"): STAFF_NO_METHOD,
    ("/staff/tickets/<int:ticket_id>/status", "POST"): staff_post(400, data={"status": "deleted"}),
    ("/staff/tickets/<int:ticket_id>/reply", "GET"): STAFF_NO_METHOD,
    ("/staff/tickets/<int:ticket_id>/reply", "POST"): staff_post(400),    # empty reply
    ("/staff/tickets/<int:ticket_id>/note", "GET"): STAFF_NO_METHOD,
    ("/staff/tickets/<int:ticket_id>/note", "POST"): staff_post(400),
    ("/staff/tickets/<int:ticket_id>/bug", "GET"): STAFF_NO_METHOD,
    ("/staff/tickets/<int:ticket_id>/bug", "POST"): staff_post(400, data={"bug_id": "999999"}),
    ("/staff/tickets/<int:ticket_id>/bug/unlink", "GET"): STAFF_NO_METHOD,
    ("/staff/tickets/<int:ticket_id>/bug/unlink", "POST"): staff_post(302),
    ("/staff/tickets/<int:ticket_id>/sessions", "GET"): STAFF_NO_METHOD,
    ("/staff/tickets/<int:ticket_id>/sessions", "POST"): staff_post(400),  # no agent, no time
    ("/staff/sessions/<int:session_id>/<any(start, end, cancel):action>", "GET"): STAFF_NO_METHOD,
    ("/staff/sessions/<int:session_id>/<any(start, end, cancel):action>", "POST"): staff_post(302, fresh="session"),
    ("/staff/sessions/<int:session_id>/reschedule", "GET"): STAFF_NO_METHOD,
    ("/staff/sessions/<int:session_id>/reschedule", "POST"): staff_post(400),  # no agent, no time
    ("/staff/sessions", "GET"): STAFF_PAGE,
    ("/staff/sessions", "POST"): STAFF_NO_METHOD,
    ("/staff/sessions/today", "GET"): staff_post(302),  # htmx gets the fragment; a plain GET the calendar
    ("/staff/sessions/today", "POST"): STAFF_NO_METHOD,
    # policy 8.5: only the session's agent (neither of these) sees credentials
    ("/staff/credentials/<int:credential_id>/reveal", "GET"): STAFF_NO_METHOD,
    ("/staff/credentials/<int:credential_id>/reveal", "POST"): staff_post(403),
    ("/staff/threads/<int:thread_id>", "GET"): STAFF_PAGE,
    ("/staff/threads/<int:thread_id>", "POST"): STAFF_NO_METHOD,
    ("/staff/threads/<int:thread_id>/convert", "GET"): STAFF_NO_METHOD,
    ("/staff/threads/<int:thread_id>/convert", "POST"): staff_post(302, fresh="thread"),
    ("/staff/threads/<int:thread_id>/claim", "GET"): STAFF_NO_METHOD,
    ("/staff/threads/<int:thread_id>/claim", "POST"): staff_post(302, fresh="thread"),
    ("/staff/threads/<int:thread_id>/unassign", "GET"): STAFF_NO_METHOD,
    ("/staff/threads/<int:thread_id>/unassign", "POST"): staff_post(302),
    ("/staff/threads/<int:thread_id>/answer", "GET"): STAFF_NO_METHOD,
    ("/staff/threads/<int:thread_id>/answer", "POST"): staff_post(422),   # empty answer (forum.check_body)
    # who else is here: the polled fragment records a beat; typing and the tab's goodbye are POSTs
    ("/staff/tickets/<int:ticket_id>/presence", "GET"): STAFF_PAGE,
    ("/staff/tickets/<int:ticket_id>/presence", "POST"): STAFF_NO_METHOD,
    ("/staff/tickets/<int:ticket_id>/presence/typing", "GET"): STAFF_NO_METHOD,
    ("/staff/tickets/<int:ticket_id>/presence/typing", "POST"): staff_post(200),
    ("/staff/tickets/<int:ticket_id>/presence/leave", "GET"): STAFF_NO_METHOD,
    ("/staff/tickets/<int:ticket_id>/presence/leave", "POST"): staff_post(204),
    ("/staff/threads/<int:thread_id>/presence", "GET"): STAFF_PAGE,
    ("/staff/threads/<int:thread_id>/presence", "POST"): STAFF_NO_METHOD,
    ("/staff/threads/<int:thread_id>/presence/typing", "GET"): STAFF_NO_METHOD,
    ("/staff/threads/<int:thread_id>/presence/typing", "POST"): staff_post(200),
    ("/staff/threads/<int:thread_id>/presence/leave", "GET"): STAFF_NO_METHOD,
    ("/staff/threads/<int:thread_id>/presence/leave", "POST"): staff_post(204),
}
