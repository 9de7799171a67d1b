import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.conftest import api_as
from toolkit.models import StockItem, StockMovement
from toolkit.selectors import stock_low
from toolkit.services import stock_issue, stock_receive


@pytest.fixture
def stocked(org):
    stock_receive(store=org.S01, item_code="voucher", quantity=12, actor=org.manager1,
                  name="200元代金券")
    stock_receive(store=org.S01, item_code="loaner_car", quantity=2, actor=org.manager1,
                  name="代步车")
    stock_receive(store=org.S02, item_code="gift", quantity=3, actor=org.manager2, name="礼品")


def test_issuing_decrements_and_records_the_movement(org, stocked, l2_case):
    stock = stock_issue(store=org.S01, item_code="voucher", quantity=2, actor=org.manager1,
                        case=l2_case)
    assert stock.quantity == 10
    movement = StockMovement.objects.filter(reason="issue").get()
    assert movement.delta == -2 and movement.case == l2_case


def test_not_enough_stock_is_a_clear_error_and_changes_nothing(org, stocked):
    with pytest.raises(ValidationError) as exc:
        stock_issue(store=org.S01, item_code="loaner_car", quantity=3, actor=org.manager1)
    assert "2" in str(exc.value) and "stock" in exc.value.message_dict
    assert StockItem.objects.get(store=org.S01, item_code="loaner_car").quantity == 2


def test_an_item_the_store_does_not_stock_is_not_counted(org, stocked):
    assert stock_issue(store=org.S01, item_code="apology_call", quantity=1,
                       actor=org.manager1) is None


def test_low_stock_uses_the_default_threshold_or_the_stores_own(org, stocked):
    stock_issue(store=org.S01, item_code="voucher", quantity=2, actor=org.manager1)
    assert {s.item_code for s in stock_low()} == {"voucher", "gift"}  # 10 ≤ 10, 3 ≤ 5
    StockItem.objects.filter(item_code="gift").update(low_threshold=1)
    assert {s.item_code for s in stock_low()} == {"voucher"}
    stock_issue(store=org.S01, item_code="loaner_car", quantity=1, actor=org.manager1)
    assert {s.item_code for s in stock_low(user=org.manager1)} == {"voucher", "loaner_car"}


def test_a_returned_loaner_car_goes_back_in_stock(org, stocked):
    stock_issue(store=org.S01, item_code="loaner_car", quantity=1, actor=org.manager1)
    stock = stock_receive(store=org.S01, item_code="loaner_car", quantity=1,
                          actor=org.manager1, reason="return")
    assert stock.quantity == 2


def test_only_managers_in_scope_restock(org):
    with pytest.raises(PermissionDenied):
        stock_receive(store=org.S01, item_code="gift", quantity=1, actor=org.advisor1)
    with pytest.raises(PermissionDenied):
        stock_receive(store=org.S01, item_code="gift", quantity=1, actor=org.manager2)


def test_the_stock_list_is_scoped_and_flags_low_items(org, stocked):
    rows = api_as(org.manager1).get("/api/v1/stock/").json()["results"]
    assert {(r["store"], r["item_code"], r["low"]) for r in rows} == {
        ("S01", "voucher", False), ("S01", "loaner_car", False)}
    rows = api_as(org.hq1).get("/api/v1/stock/?store=S02&low=true").json()["results"]
    assert [(r["item_code"], r["quantity"], r["threshold"]) for r in rows] == [("gift", 3, 5)]


def test_restock_through_the_api(org, stocked):
    response = api_as(org.manager1).post("/api/v1/stock/receive/", {
        "store": "S01", "item_code": "voucher", "quantity": 5}, format="json")
    assert response.status_code == 200 and response.json()["quantity"] == 17
    bad = api_as(org.manager1).post("/api/v1/stock/receive/", {
        "store": "S01", "item_code": "voucher", "quantity": 0}, format="json")
    assert bad.status_code == 400 and "quantity" in bad.json()
    assert api_as(org.manager1).post("/api/v1/stock/receive/", {
        "store": "S02", "item_code": "gift", "quantity": 1}, format="json").status_code == 403
