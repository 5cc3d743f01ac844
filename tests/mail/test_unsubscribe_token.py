"""The unsubscribe token is signed once per user, kind and key (issue 16): the same token as
signing it anew, another for another user, kind or key, and it still reads back."""
from itsdangerous import URLSafeSerializer

from portal.services import mail_prefs
from tests import factories


def test_a_kept_token_is_the_one_signing_gives_and_each_key_has_its_own(app):
    with app.test_request_context():
        ann, bob = factories.make_user(), factories.make_user()
        fresh = URLSafeSerializer(app.config["SECRET_KEY"], salt=mail_prefs._SALT)
        for _ in range(2):  # signed, then kept
            assert mail_prefs.unsubscribe_token(ann, "staff_reply") == fresh.dumps({"u": ann.id, "k": "staff_reply"})
        assert mail_prefs.unsubscribe_token(ann, "session") != mail_prefs.unsubscribe_token(ann, "staff_reply")
        assert mail_prefs.unsubscribe_token(bob, "session") != mail_prefs.unsubscribe_token(ann, "session")
        assert mail_prefs.read_token(mail_prefs.unsubscribe_token(bob, "session")) == (bob, "session")
        kept = mail_prefs.unsubscribe_token(ann, "session")
        app.config["SECRET_KEY"] = "another-secret-key-" + "z" * 32
        rotated = mail_prefs.unsubscribe_token(ann, "session")
        assert rotated != kept and mail_prefs.read_token(rotated) == (ann, "session")
