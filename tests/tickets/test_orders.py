"""Orders from CSV (CLI and admin page), automatic attachment, releases admin (policy 4.5, 7.2)."""
import io

from portal.models import License, Order, Release, User
from tests.factories import today
from tests.tickets.conftest import post, text

HEADER = "order_number,delivery_email,license_key,license_type,purchased_on,expires_on\n"
BOUGHT, EXPIRES = today(-30), today(335)  # relative to the (test) clock: never expired when it runs
GOOD = (f"RU-1,buyer@example.test,RUPRO-AAAA-0001,PRO,{BOUGHT},{EXPIRES}\n"
        f"RU-1,buyer@example.test,RUSTR-AAAA-0002,STARTER,{BOUGHT},\n")
BAD = (f"RU-2,not-an-email,RUPRO-AAAA-0003,PRO,{BOUGHT},\n"
       f"RU-3,x@example.test,RUPRO-AAAA-0004,GOLD,{BOUGHT},\n"
       f"RU-4,y@example.test,RUPRO-AAAA-0005,PRO,{BOUGHT:%d/%m/%Y},\n")


def test_cli_import_keeps_good_rows_and_reports_bad_lines(app, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + GOOD + BAD + f"RU-5,z@example.test,RUPLS-AAAA-0006,PLUS,{BOUGHT},{EXPIRES}\n")
    result = app.test_cli_runner().invoke(args=["portal", "import-orders", str(path)])
    assert result.exit_code == 1, result.output
    assert "line 4: delivery_email" in result.output
    assert "line 5: license_type" in result.output
    assert "line 6: purchased_on" in result.output
    assert "added 3 licenses" in result.output
    assert Order.select().count() == 2 and License.select().count() == 3
    again = app.test_cli_runner().invoke(args=["portal", "import-orders", str(path)])
    assert "added 0 licenses, 3 already known" in again.output and License.select().count() == 3


def test_clean_file_exits_zero_and_bad_header_is_reported(app, tmp_path):
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(HEADER + GOOD)
    bad.write_text("number,email\nRU-1,a@b.test\n")
    assert app.test_cli_runner().invoke(args=["portal", "import-orders", str(good)]).exit_code == 0
    result = app.test_cli_runner().invoke(args=["portal", "import-orders", str(bad)])
    assert result.exit_code == 1 and "line 1: the header" in result.output


def test_a_new_order_attaches_to_an_already_verified_account(app, user, tmp_path):
    # policy 4.5 Decision: recognised automatically only for a verified email
    buyer = user(email="buyer@example.test")
    unverified = user(email="late@example.test", verified=False)
    path = tmp_path / "o.csv"
    path.write_text(HEADER + GOOD + f"RU-9,late@example.test,RUSIT-AAAA-0009,SITE,{BOUGHT},\n")
    result = app.test_cli_runner().invoke(args=["portal", "import-orders", str(path)])
    assert "attached to verified account buyer@example.test" in result.output
    assert User.get_by_id(buyer.id).level == "PRO"
    assert License.select().where(License.user == buyer).count() == 2
    assert User.get_by_id(unverified.id).level == "FREE"
    assert License.get(License.key == "RUSIT-AAAA-0009").user is None


def test_conflicting_rows_are_errors(app, tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(HEADER + GOOD + f"RU-1,other@example.test,RUPRO-AAAA-0010,PRO,{BOUGHT},\n"
                    f"RU-7,c@example.test,RUPRO-AAAA-0001,PRO,{BOUGHT},\n")
    result = app.test_cli_runner().invoke(args=["portal", "import-orders", str(path)])
    assert "line 4: order RU-1 already exists with another delivery email" in result.output
    assert "line 5: license key RUPRO-AAAA-0001 already belongs" in result.output
    assert Order.select().count() == 1  # nothing half-written from the bad rows


def test_admin_upload_page(user, client_for):
    admin = client_for(user(role="admin"))
    page = admin.get("/admin/orders")
    assert page.status_code == 200 and "order_number,delivery_email" in text(page)
    response = post(admin, "/admin/orders", {"file": (io.BytesIO((HEADER + GOOD + BAD).encode()), "o.csv")},
                    content_type="multipart/form-data")
    assert response.status_code == 400
    body = text(response)
    assert "Added 2 licenses" in body and "Line 4:" in body and "Line 6:" in body
    assert License.select().count() == 2
    missing = post(admin, "/admin/orders", {})
    assert missing.status_code == 400 and "Choose a CSV file" in text(missing)
    binary = post(admin, "/admin/orders", {"file": (io.BytesIO(b"\xff\xfe\x00bad"), "o.csv")},
                  content_type="multipart/form-data")
    assert binary.status_code == 400 and "UTF-8" in text(binary)


def test_admin_pages_are_404_for_everyone_else(user, client_for):
    for kwargs in ({"level": "PRO"}, {"role": "staff"}, {"role": "reseller"}):
        client = client_for(user(**kwargs))
        for url in ("/admin/orders", "/admin/releases"):
            assert client.get(url).status_code == 404
        assert post(client, "/admin/releases", {"product": "Remote Utilities", "version": "9.0.0.0"}).status_code == 404
    assert Release.select().count() == 0


def test_releases_admin_adds_validates_and_removes(user, client_for, releases):
    admin = client_for(user(role="admin"))
    page = text(admin.get("/admin/releases"))
    assert 'data-release="8.1.0.3"' in page
    added = post(admin, "/admin/releases", {"product": "Remote Utilities", "version": "8.2.0.0",
                                            "released_on": "2026-03-01"})
    assert added.status_code == 302
    assert Release.versions("Remote Utilities")[0] == "8.2.0.0"
    for data, message in (({"product": "Remote Utilities", "version": "8.2"}, "Version must look like"),
                          ({"product": "Remote Utilities", "version": "8.2.0.0"}, "already listed"),
                          ({"product": "Other", "version": "1.0.0.0"}, "Choose a product")):
        refused = post(admin, "/admin/releases", data)
        assert refused.status_code == 400 and message in text(refused)
    rel = Release.get(Release.version == "8.2.0.0")
    assert post(admin, f"/admin/releases/{rel.id}/delete").status_code == 302
    assert Release.get_or_none(Release.version == "8.2.0.0") is None


HUGE = "RU-8,h@example.test," + "K" * 131_073 + ",PRO,2026-01-10,\n"  # past csv.field_size_limit()
LAST = "RU-9,last@example.test,RUPLS-AAAA-0011,PLUS,2026-01-10,\n"


def test_cli_a_field_over_the_csv_limit_is_a_bad_line_and_the_rest_is_read(app, tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + GOOD + HUGE + LAST)
    result = app.test_cli_runner().invoke(args=["portal", "import-orders", str(path)])
    assert result.exit_code == 1
    assert "line 4: a field is longer than 131,072 characters" in result.output
    assert "added 3 licenses" in result.output
    assert License.get(License.key == "RUPLS-AAAA-0011").type == "PLUS"


def test_admin_a_field_over_the_csv_limit_is_a_bad_line_and_the_rest_is_read(user, client_for):
    admin = client_for(user(role="admin"))
    for data, line in ((HEADER + GOOD + HUGE + LAST, "Line 4:"), ("K" * 131_073 + "\n" + GOOD, "Line 1:")):
        response = post(admin, "/admin/orders", {"file": (io.BytesIO(data.encode()), "o.csv")},
                        content_type="multipart/form-data")
        assert response.status_code == 400
        assert line in text(response) and "longer than 131,072 characters" in text(response)
    assert License.select().where(License.key == "RUPLS-AAAA-0011").count() == 1
