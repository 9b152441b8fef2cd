"""Hostile input at the public payment addresses: never a 500, never a ledger line, never script in the page.

These pages never reach Stripe with the input here (bad codes, bad links, unsigned webhooks), so payments are
switched on with keys alone.
"""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bookings.tokens import manage_token
from payments.models import LedgerEntry, StripeEvent
from payments.prepaid_models import GiftCard, PackagePurchase
from tests.factories import AppointmentFactory
from tests.fuzz import (
    CONTENT_TYPES,
    FUZZ,
    TRIED,
    assert_safe,
    encoded,
    hostile_params,
    hostile_text,
    raw_get,
    raw_post,
    row_counts,
    texts_sent,
    token_variants,
)

from .conftest import PUBLISHABLE_KEY, SECRET_KEY
from .prepaid_scene import package_make

pytestmark = pytest.mark.django_db
WRITES = (LedgerEntry, StripeEvent, GiftCard, PackagePurchase)


@pytest.fixture
def keys(settings):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = "whsec_fuzz"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: a form that got as far as Stripe gets a 503
    return settings


@pytest.fixture
def booking(keys):
    return AppointmentFactory()


@FUZZ
@given(form=hostile_params(["code", "website"]), content_type=st.sampled_from(CONTENT_TYPES))
def test_fuzz_the_gift_card_balance_never_fails(client, keys, form, content_type):
    before = row_counts(*WRITES)
    TRIED["POST /payments/gift-cards/balance/"] += 1
    assert_safe(raw_post(client, "/payments/gift-cards/balance/", form, content_type=content_type), texts_sent(form))
    assert row_counts(*WRITES) == before


@FUZZ
@given(data=st.data())
def test_fuzz_the_package_and_gift_card_forms_of_a_booking_never_fail(client, booking, data):
    before = row_counts(*WRITES)
    token = data.draw(st.one_of(st.just(manage_token(booking)), token_variants(manage_token(booking))))
    kind = data.draw(st.sampled_from(["package", "gift-card"]))
    form = data.draw(hostile_params(["package-code", "package-email", "gift-code", "gift-amount"]))
    TRIED[f"POST /payments/bookings/<token>/{kind}/"] += 1
    response = raw_post(client, f"/payments/bookings/{encoded(token)}/{kind}/", form)
    assert_safe(response, texts_sent(form))
    assert row_counts(*WRITES) == before


@FUZZ
@given(token=st.one_of(hostile_text().filter(bool), st.binary(min_size=1, max_size=60)), params=hostile_params(["x"]))
def test_fuzz_receipt_links_never_fail(client, keys, token, params):
    TRIED["GET /payments/receipts/<token>/"] += 1
    assert_safe(raw_get(client, f"/payments/receipts/{encoded(token)}/", params))


@FUZZ
@given(
    body=st.one_of(st.binary(max_size=400), hostile_text().map(lambda text: text.encode("utf-8", "surrogatepass"))),
    signature=st.one_of(
        st.just(""), hostile_text(), st.builds(lambda t, v: f"t={t},v1={v}", hostile_text(), hostile_text())
    ),
    content_type=st.sampled_from(CONTENT_TYPES),
)
@example(body=b"{}", signature="t=0,v1=\x80", content_type=CONTENT_TYPES[0])  # a Latin-1 byte in the header: once a 500
def test_fuzz_the_webhook_refuses_unsigned_bodies_and_never_fails(client, keys, body, signature, content_type):
    before = row_counts(*WRITES)
    TRIED["POST /payments/webhooks/stripe/"] += 1
    response = raw_post(
        client, "/payments/webhooks/stripe/", {}, body=body, content_type=content_type, HTTP_STRIPE_SIGNATURE=signature
    )
    assert_safe(response)
    assert response.status_code == 400
    assert row_counts(*WRITES) == before


@FUZZ
@given(form=hostile_params(["setup_intent", "payment_intent", "give_up"]))
def test_fuzz_the_payment_step_without_a_held_booking_never_fails(client, keys, form):
    TRIED["POST /payments/checkout/"] += 1
    assert_safe(raw_post(client, "/payments/checkout/", form), texts_sent(form))


GIFT_FIELDS = [
    "amount",
    "purchaser_name",
    "purchaser_email",
    "recipient_name",
    "recipient_email",
    "message",
    "deliver_on",
]
VALID_GIFT = {
    "amount": "50.00",
    "purchaser_name": "Ana Silva",
    "purchaser_email": "ana@example.com",
    "recipient_name": "Bea Park",
    "recipient_email": "bea@example.com",
}


@FUZZ
@given(data=st.data(), content_type=st.sampled_from(CONTENT_TYPES))
def test_fuzz_buying_a_package_or_a_gift_card_online_never_fails(client, keys, data, content_type):
    package = package_make()
    hostile = hostile_params(["name", "email", *GIFT_FIELDS])
    form = data.draw(st.one_of(hostile, st.builds(lambda extra: {**VALID_GIFT, **extra}, hostile)))
    path = data.draw(st.sampled_from(["/payments/gift-cards/", f"/payments/packages/{package.pk}/buy/"]))
    TRIED[f"POST {path.split('/')[2]} buy"] += 1
    response = raw_post(client, path, form, content_type=content_type)
    assert_safe(response, texts_sent(form))
    assert response.status_code in (400, 503)  # 503 only from a form good enough to reach Stripe (none listens)
    if response.status_code == 503:
        assert "We could not reach" in response.content.decode()


@FUZZ
@given(token=st.one_of(hostile_text().filter(bool), st.binary(min_size=1, max_size=60)), form=hostile_params(["x"]))
def test_fuzz_the_prepaid_pay_links_never_fail(client, keys, token, form):
    TRIED["GET/POST /payments/pay/<token>/"] += 1
    assert_safe(raw_get(client, f"/payments/pay/{encoded(token)}/", {}))
    assert_safe(raw_post(client, f"/payments/pay/{encoded(token)}/", form))
    assert_safe(raw_get(client, f"/payments/pay/{encoded(token)}/done/", {}))


@pytest.mark.parametrize("path", ["/payments/gift-cards/", "package"])
def test_an_empty_post_to_the_shop_gets_the_form_with_its_errors_not_an_outage(client, keys, path):
    if path == "package":
        path = f"/payments/packages/{package_make().pk}/buy/"
    response = client.post(path, {})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
