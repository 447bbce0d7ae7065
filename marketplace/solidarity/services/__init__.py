"""Things that happen to solidarity funds and tiers, one module per part: a fund's settings and
points, its ledger, members' tiers and their requests."""

from marketplace.solidarity.pricing import member_price, price_for
from marketplace.solidarity.services.entries import record_fund_entry, write_fund_entry
from marketplace.solidarity.services.funds import (
    FundSettings,
    attach_pickup_points,
    change_fund_settings,
    create_fund,
    detach_pickup_point,
)
from marketplace.solidarity.services.reviews import review_due_funds, review_fund
from marketplace.solidarity.services.tiers import (
    approve_request,
    ask_for_tier,
    refuse_request,
    release_waiting_requests,
    request_outcome,
    withdraw_request,
)

__all__ = [
    "FundSettings",
    "approve_request",
    "ask_for_tier",
    "attach_pickup_points",
    "change_fund_settings",
    "create_fund",
    "detach_pickup_point",
    "member_price",
    "price_for",
    "record_fund_entry",
    "refuse_request",
    "release_waiting_requests",
    "request_outcome",
    "review_due_funds",
    "review_fund",
    "withdraw_request",
    "write_fund_entry",
]
