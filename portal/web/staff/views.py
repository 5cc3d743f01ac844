"""Staff ticket views (mine, waiting on customer, solved and closed, all; by requester, partner,
level) and the ticket search of every staff page's navigation (docs/staff.md, Views and Search)."""
from flask import redirect, request, url_for
from flask_login import current_user

from portal.services import ticket_search, ticket_views
from portal.services.paging import Page
from portal.web.forms.staff import SearchForm, TicketViewForm
from portal.web.render import render, wants_fragment
from portal.web.staff import bp


@bp.route("/tickets", endpoint="tickets")
def ticket_list():
    """Staff: a view of the tickets (mine, waiting on customer, solved and closed, all), narrowed by
    requester, partner and level, newest activity first (waiting: longest waiting first), paged."""
    form = TicketViewForm(request.args)
    filters, page = ticket_views.Filters(user_id=current_user.id), Page()
    if form.validate():
        filters = form.filters(current_user)
        page = ticket_views.view_page(filters, form.page.data)
    return render("staff/tickets.html", status=400 if form.has_errors else 200, form=form, filters=filters,
                  page=page, views=ticket_views.VIEW_LABELS)


@bp.route("/search", endpoint="search")
def search_page():
    """Staff: search tickets by number, words of subjects and messages, requester email or partner.
    A plain search for an existing ticket number opens that ticket; htmx gets the results under the box."""
    form = SearchForm(request.args)
    form.validate()
    text, page_no = form.q.data or "", form.page.data
    if wants_fragment():  # the active search of the navigation box
        found = ticket_search.search(text, 1, ticket_search.DROPDOWN_SIZE) if text else Page()
        return render("staff/search.html", block="dropdown", form=form, q=text, page=found)
    number = ticket_search.ticket_number(text) if page_no == 1 else None
    if number is not None:
        return redirect(url_for("staff.ticket", ticket_id=number))
    found = ticket_search.search(text, page_no) if text else Page()
    return render("staff/search.html", form=form, q=text, page=found)
