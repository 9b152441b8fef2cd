"""Payments on, against localstripe: keys, the API address, and an inbox for localstripe's signed webhooks.

``STRIPE_API_BASE`` from the environment names a running localstripe (``.ci/test`` starts one for
the run); without it each test worker starts its own for its session and stops it at the end.

localstripe posts every event to every registered endpoint, so each xdist worker registers its own
inbox (a small HTTP server on a free port, under a webhook id named after the worker) with its own
secret, and waits for the events of the objects its test made: ``webhook_inbox.wait_for(type, id)``
blocks on a condition until the delivery arrives or the deadline passes, with no sleeping.
"""

import json
import os
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from payments.fakestripe import localstripe_start, wait_ready

SECRET_KEY = "sk_test_clinic_tests"
PUBLISHABLE_KEY = "pk_test_clinic_tests"
WEBHOOK_DEADLINE_SECONDS = 20


@dataclass(frozen=True)
class Delivery:
    body: bytes
    signature: str

    @property
    def event(self) -> dict:
        return json.loads(self.body)


class WebhookInbox:
    def __init__(self):
        self._deliveries: list[Delivery] = []
        self._arrived = threading.Condition()
        inbox = self

        class Receive(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                delivery = Delivery(body=body, signature=self.headers.get("Stripe-Signature", ""))
                self.send_response(200)
                self.end_headers()
                with inbox._arrived:
                    inbox._deliveries.append(delivery)
                    inbox._arrived.notify_all()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Receive)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/"

    def wait_for(self, event_type: str, object_id: str, timeout: float = WEBHOOK_DEADLINE_SECONDS) -> Delivery:
        """The delivery of ``event_type`` about ``object_id``; fails the test if none arrives in time."""

        def find():
            for delivery in self._deliveries:
                event = delivery.event
                if event.get("type") == event_type and event["data"]["object"].get("id") == object_id:
                    return delivery
            return None

        with self._arrived:
            found = self._arrived.wait_for(find, timeout=timeout)
        if found is None:
            pytest.fail(f"localstripe sent no {event_type} for {object_id} within {timeout} seconds")
        return found

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def localstripe_base():
    base = os.environ.get("STRIPE_API_BASE", "")
    if base and "api.stripe.com" not in base:
        wait_ready(base.rstrip("/"))
        yield base.rstrip("/")
        return
    server = localstripe_start()
    yield server.api_base
    server.stop()


@pytest.fixture(scope="session")
def webhook_secret(worker_id):
    return f"whsec_clinic_tests_{worker_id}"


@pytest.fixture(scope="session")
def webhook_inbox(localstripe_base, webhook_secret, worker_id):
    inbox = WebhookInbox()
    data = urllib.parse.urlencode({"url": inbox.url, "secret": webhook_secret}).encode()
    endpoint = f"{localstripe_base}/_config/webhooks/clinic-tests-{os.getpid()}-{worker_id}"
    with urllib.request.urlopen(endpoint, data=data, timeout=10) as answer:  # noqa: S310 (our own localstripe)
        assert answer.status == 200
    yield inbox
    inbox.close()


@pytest.fixture
def stripe_on(settings, localstripe_base, webhook_secret):
    """Payments switched on for one test, against localstripe."""
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = webhook_secret
    settings.STRIPE_API_BASE = localstripe_base
    return settings


def stripe_js_confirm_setup(api_base: str, intent, card_number: str, *, authenticate: bool = True) -> dict:
    """What Stripe.js does in the client's browser when they enter a card for a SetupIntent (localstripe's own route),
    including, with ``authenticate``, the client completing 3-D Secure when the card asks for it.

    Here for the tests that stop short of a browser; the browser tests type the card into the element.
    """
    answer = _post_json(
        f"{api_base}/v1/setup_intents/{intent.id}/confirm",
        {
            "key": PUBLISHABLE_KEY,
            "client_secret": intent.client_secret,
            "payment_method_data": {
                "type": "card",
                "card": {"number": card_number, "exp_month": "12", "exp_year": "2034", "cvc": "123"},
            },
        },
    )
    if authenticate and answer.get("status") == "requires_action":
        answer = _post_json(
            f"{api_base}/v1/setup_intents/{intent.id}/confirm",
            {"key": PUBLISHABLE_KEY, "client_secret": intent.client_secret, "use_stripe_sdk": True},
        )
    return answer


def stripe_js_authenticate_payment(api_base: str, client_secret: str, *, success: bool = True) -> dict:
    """The client completing (or failing) 3-D Secure for a PaymentIntent, as localstripe's Stripe.js does it."""
    intent_id = client_secret.split("_secret_")[0]
    flag = "true" if success else "false"
    return _post_json(
        f"{api_base}/v1/payment_intents/{intent_id}/_authenticate?success={flag}",
        {"key": PUBLISHABLE_KEY, "client_secret": client_secret},
    )


def _post_json(url: str, payload: dict) -> dict:
    body = json.dumps(payload).encode()
    request = urllib.request.Request(url, data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (our own localstripe)
            return json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return json.loads(error.read())
