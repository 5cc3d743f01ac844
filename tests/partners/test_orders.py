"""Orders bought by a partner for resale: the optional `partner` column of the orders CSV, on the
command line and the admin upload (policy 3.1)."""
import io

from portal.models import License, Order
from tests.factories import csrf_token, today

HEADER = "order_number,delivery_email,license_key,license_type,purchased_on,expires_on,partner\n"
BOUGHT, EXPIRES = today(-30), today(335)


def rows(*lines):
    return HEADER + "".join(f"{line}\n" for line in lines)


def import_file(app, tmp_path, text):
    path = tmp_path / "orders.csv"
    path.write_text(text)
    return app.test_cli_runner().invoke(args=["portal", "import-orders", str(path)])


def test_policy_3_1_the_partner_column_records_the_buying_partner(app, world, tmp_path):
    result = import_file(app, tmp_path, rows(
        f"RU-P1,it@fabrikam.example,RUSITE-AAAA-0001,SITE,{BOUGHT},{EXPIRES},P-A1",
        f"RU-P2,ops@contoso-client.example,RUPRO-AAAA-0002,PRO,{BOUGHT},{EXPIRES}, p-b1 ",  # trimmed, any case
        f"RU-P3,self@example.test,RUPRO-AAAA-0003,PRO,{BOUGHT},{EXPIRES},"))                  # an end customer's own
    assert result.exit_code == 0, result.output
    assert "added 3 licenses" in result.output
    assert Order.get(Order.number == "RU-P1").partner_id == world.a.id
    assert Order.get(Order.number == "RU-P2").partner_id == world.b.id
    assert Order.get(Order.number == "RU-P3").partner_id is None


def test_an_unknown_partner_number_refuses_that_row_and_keeps_the_good_ones(app, world, tmp_path):
    result = import_file(app, tmp_path, rows(
        f"RU-P1,it@fabrikam.example,RUSITE-AAAA-0001,SITE,{BOUGHT},{EXPIRES},P-A1",
        f"RU-P4,x@example.test,RUPRO-AAAA-0004,PRO,{BOUGHT},{EXPIRES},P-NOPE",
        f"RU-P5,y@example.test,RUPRO-AAAA-0005,PRO,{BOUGHT},{EXPIRES},P-B1"))
    assert result.exit_code == 1
    assert "line 3: partner P-NOPE is not a known partner number" in result.output
    assert "added 2 licenses" in result.output and "1 bad row" in result.output
    assert not Order.select().where(Order.number == "RU-P4").exists()
    assert License.select().count() == 2


def test_an_order_keeps_the_partner_it_was_imported_with(app, world, tmp_path):
    first = rows(f"RU-P1,it@fabrikam.example,RUSITE-AAAA-0001,SITE,{BOUGHT},{EXPIRES},P-A1")
    assert import_file(app, tmp_path, first).exit_code == 0
    again = import_file(app, tmp_path, first)
    assert again.exit_code == 0 and "0 licenses, 1 already known" in again.output
    moved = import_file(app, tmp_path, rows(
        f"RU-P1,it@fabrikam.example,RUSITE-AAAA-0009,SITE,{BOUGHT},{EXPIRES},P-B1",
        f"RU-P1,it@fabrikam.example,RUSITE-AAAA-0008,SITE,{BOUGHT},{EXPIRES},"))
    assert "line 2: order RU-P1 already exists with another partner" in moved.output
    assert "line 3: order RU-P1 already exists with another partner" in moved.output
    assert Order.get(Order.number == "RU-P1").partner_id == world.a.id and License.select().count() == 1


def test_a_file_without_the_partner_column_still_imports(app, world, tmp_path):
    text = HEADER.replace(",partner", "") + f"RU-P6,z@example.test,RUPRO-AAAA-0006,PRO,{BOUGHT},{EXPIRES}\n"
    result = import_file(app, tmp_path, text)
    assert result.exit_code == 0, result.output
    assert Order.get(Order.number == "RU-P6").partner_id is None


def test_the_admin_upload_takes_the_partner_column(world, make_user, client_for):
    admin = client_for(make_user(role="admin"))
    page = admin.get("/admin/orders").get_data(as_text=True)
    assert "<code>partner</code>" in page
    data = rows(f"RU-P1,it@fabrikam.example,RUSITE-AAAA-0001,SITE,{BOUGHT},{EXPIRES},P-A1",
                f"RU-P4,x@example.test,RUPRO-AAAA-0004,PRO,{BOUGHT},{EXPIRES},P-NOPE")
    response = admin.post("/admin/orders", data={"csrf_token": csrf_token(admin),
                                                  "file": (io.BytesIO(data.encode()), "o.csv")},
                          content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Added 1 license" in body and "Line 3: partner P-NOPE is not a known partner number" in body
    assert "Northwind Test (P-A1)" in body  # the recent orders name the buying partner
    assert Order.get(Order.number == "RU-P1").partner_id == world.a.id
