"""In Debian's Chromium (issue 13): an agent opens a ticket with an attachment, downloads it,
replies with a file and sets the ticket waiting in one action; the page reads at 390 px."""
import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e import a11y
from tests.e2e.conftest import browser_page, log_in

pytestmark = pytest.mark.e2e
LOG = b"2026-12-01 10:00 Host service stopped\n2026-12-01 10:01 retrying\n"


def _data(live_server):
    from portal.services import attachments, tickets
    with live_server.app.app_context():
        customer = factories.make_user(level="PRO", display_name="Carla")
        agent = factories.make_user(role="staff", display_name="Ann")
        ticket = tickets.create_ticket(customer, "Remote Utilities", "7.6.2.0", "Host stops after an hour",
                                       "The Host service stops after about an hour; the log is attached.",
                                       files=[attachments.Incoming("host.log", LOG)], accept_policy=True)
        return customer, agent, ticket


def _accessible(page):
    found = a11y.violations(page)
    assert not found, a11y.describe(found, page.url)


def test_agent_downloads_the_attachment_and_replies_with_a_file_setting_waiting(browser, request, live_server,
                                                                              tmp_path):
    customer, agent, ticket = _data(live_server)
    with browser_page(browser, request, accept_downloads=True) as page:
        log_in(page, live_server, agent.email, factories.PASSWORD)
        page.goto(f"{live_server.url}/tickets/{ticket.id}")  # the customer's address leads to the staff page
        expect(page).to_have_url(f"{live_server.url}/staff/tickets/{ticket.id}")
        _accessible(page)
        link = page.locator(".conversation .attachments a", has_text="host.log")
        with page.expect_download() as download:
            link.click()
        saved = tmp_path / "host.log"
        download.value.save_as(saved)
        assert saved.read_bytes() == LOG

        reply = tmp_path / "steps.txt"
        reply.write_text("1. Update to 8.1.0.3\n2. Restart the Host\n")
        page.fill("#f-body", "Please follow the attached steps and tell us whether it still stops.")
        page.set_input_files("#f-files", str(reply))
        page.select_option("#f-reply-status", "waiting")
        page.click("#reply-form button:has-text('Send reply')")  # htmx posts the files, then the page reloads
        expect(page.locator(".flash", has_text="Reply sent to the customer. Status: waiting.")).to_be_visible()
        last = page.locator(".conversation article.msg").last
        expect(last).to_contain_text("Please follow the attached steps")
        expect(last.locator(".attachments a")).to_have_text("steps.txt")
        expect(page.locator("#status [data-status]")).to_have_attribute("data-status", "waiting")
        _accessible(page)
        assert not [e for e in page.js_errors if "404" not in e], page.js_errors  # /favicon.ico is none

    mails = [m for m in live_server.smtp.messages if customer.email in m["to"]]
    assert mails and "follow the attached steps" in mails[-1]["body"]


def test_the_ticket_page_stacks_at_a_phones_width(browser, request, live_server):
    customer, agent, ticket = _data(live_server)
    with browser_page(browser, request, viewport={"width": 390, "height": 844}) as page:
        log_in(page, live_server, agent.email, factories.PASSWORD)
        page.goto(f"{live_server.url}/staff/tickets/{ticket.id}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, width  # nothing wider than the phone
        conversation = page.locator(".conversation").bounding_box()
        side = page.locator(".ticket-side").bounding_box()
        assert side["y"] > conversation["y"]  # the panels come below the conversation
        _accessible(page)


def test_a_reply_after_the_customers_is_held_and_sent_anyway(browser, request, live_server, tmp_path):
    from portal.models import Message, Ticket
    from portal.services import tickets
    customer, agent, ticket = _data(live_server)
    with browser_page(browser, request) as page:
        log_in(page, live_server, agent.email, factories.PASSWORD)
        page.goto(f"{live_server.url}/staff/tickets/{ticket.id}")
        with live_server.app.app_context():  # the customer writes while the agent is typing
            tickets.add_reply(Ticket.get_by_id(ticket.id), customer, "Update: it also stops at night.")
        shot = tmp_path / "note.txt"
        shot.write_text("checked\n")
        page.fill("#f-body", "Please update to 8.1.0.3.")
        page.set_input_files("#f-files", str(shot))
        page.click("#reply-form button:has-text('Send reply')")
        held = page.locator("[data-held]")
        expect(held).to_contain_text("Update: it also stops at night.")  # shown in place, htmx
        expect(page.locator("#f-body")).to_have_value("Please update to 8.1.0.3.")
        assert page.locator("#f-files").evaluate("input => input.files.length") == 1  # the file stays chosen
        _accessible(page)
        held.locator("button:has-text('Send anyway')").click()
        expect(page.locator(".flash", has_text="Reply sent to the customer.")).to_be_visible()
        last = page.locator(".conversation article.msg").last
        expect(last).to_contain_text("Please update to 8.1.0.3.")
        expect(last.locator(".attachments a")).to_have_text("note.txt")
    with live_server.app.app_context():
        assert Message.select().where(Message.body == "Please update to 8.1.0.3.").count() == 1
