"""The ways an order can be paid at checkout, besides paying at pickup (always offered).

The checkout is on a floor below payments: it cannot call them. Payments registers its own way
here when the site starts (``PaymentsConfig.ready``), and the checkout's views ask the registry:
whether the way is offered for a basket, what the preview page needs to show it, then to take
the payment before the order is placed, and to finish (or let go of) it afterwards.
"""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Protocol

PAY_AT_PICKUP = "pickup"


class CheckoutPaymentMethod(Protocol):
    code: str

    def offered(self, request, basket) -> bool:
        """Whether the member may pay this basket this way now."""

    def preview_context(self, request, basket) -> Mapping[str, Any]:
        """What the preview page needs to offer it (keys, addresses)."""

    def take(self, request, basket, order_number: str, total: Decimal, data) -> dict[str, Any]:
        """Before the order is placed: check the payment is secured, or raise Oscar's
        ``UnableToTakePayment`` with a message for the member. Returns the payment source's
        fields (``source_type``, ``amount_allocated``, ``amount_debited``, ``reference``)."""

    def placed(self, order, data) -> None:
        """The order is placed and committed: take the money."""

    def abandoned(self, order_number: str, data) -> None:
        """The order could not be placed after all: let go of what was secured."""


_methods: dict[str, CheckoutPaymentMethod] = {}


def register(method: CheckoutPaymentMethod) -> None:
    _methods[method.code] = method


def method_named(code: str) -> CheckoutPaymentMethod | None:
    return _methods.get(code)


def offered_methods(request, basket) -> list[CheckoutPaymentMethod]:
    return [method for method in _methods.values() if method.offered(request, basket)]
