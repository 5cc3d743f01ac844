"""Admin: the outbox (issue 14): queued, sent and failed mails with the server's answer, and Retry."""
from flask import abort, current_app, flash, redirect, render_template, request, url_for

from portal.models import MailAttempt, OutboxMail
from portal.services import mail_notices, mail_sender
from portal.services.paging import page_of
from portal.web.admin import admin_required, bp
from portal.web.forms.admin import MailFilterForm, MailRetryForm

PAGE_SIZE = 50


@bp.route("/mail")
@admin_required
def mail():
    """Admins: the outbox, newest first, paged and filtered by status; failed rows can be retried."""
    form = MailFilterForm(request.args)
    status = form.status.data if form.validate() else ""
    query = OutboxMail.select().order_by(OutboxMail.created_at.desc(), OutboxMail.id.desc())
    if status:
        query = query.where(OutboxMail.status == status)
    found = page_of(query, form.page.data if not form.page.errors else 1, PAGE_SIZE)
    attempts = {}
    if found.rows:
        for attempt in (MailAttempt.select().where(MailAttempt.mail.in_([m.id for m in found.rows]))
                        .order_by(MailAttempt.at.desc(), MailAttempt.id.desc())):
            attempts.setdefault(attempt.mail_id, []).append(attempt)
    return render_template("admin/mail.html", form=form, found=found, attempts=attempts, status=status,
                           notices=mail_notices.troubled(), waiting=mail_notices.waiting_count(),
                           max_attempts=current_app.config["MAIL_SEND_MAX_ATTEMPTS"])


def _retried(retry, done, back):
    """A Retry button's POST: its CSRF token checked (400), 404 when there is nothing to retry."""
    if not MailRetryForm().validate_on_submit():
        abort(400)
    if not retry():
        abort(404)  # unknown, or not failed: nothing to retry
    flash(done, "success")
    return redirect(back)


@bp.route("/mail/<int:mail_id>/retry", methods=["POST"])
@admin_required
def retry_mail(mail_id):
    """Admins: put a failed mail back in the queue; the sender tries it again at once."""
    return _retried(lambda: mail_sender.retry(mail_id), f"Mail {mail_id} is queued again.",
                    url_for("admin.mail", status="failed"))


@bp.route("/mail/notices/<int:notice_id>/retry", methods=["POST"])
@admin_required
def retry_notice(notice_id):
    """Admins: a notice whose mail could not be written is tried again at the sender's next round."""
    return _retried(lambda: mail_notices.retry(notice_id),
                    f"Notice {notice_id} will be written again at the sender's next round.", url_for("admin.mail"))
