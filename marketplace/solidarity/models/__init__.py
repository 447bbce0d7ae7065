"""Solidarity's tables: funds and their pickup points, each fund's ledger, members' tiers and
their requests, the rate reviews, contribution rounds, and the staples open to the reduced
tier à la carte."""

from marketplace.solidarity.models.funds import Fund, FundPoint, fund_settings_errors
from marketplace.solidarity.models.ledger import (
    INCOME_KINDS,
    RECORDED_KINDS,
    FundEntry,
    FundEntryKind,
    FundEntryQuerySet,
)
from marketplace.solidarity.models.reviews import RateReview
from marketplace.solidarity.models.rounds import (
    ContributionRound,
    Pledge,
    PledgedPrice,
    RoundState,
)
from marketplace.solidarity.models.staples import EligibleProduct, SolidarityLine
from marketplace.solidarity.models.tiers import (
    OPEN_REQUEST_STATES,
    MemberTier,
    RequestState,
    SolidarityTier,
    Tier,
    TierRequest,
)

__all__ = [
    "INCOME_KINDS",
    "OPEN_REQUEST_STATES",
    "RECORDED_KINDS",
    "ContributionRound",
    "Fund",
    "FundEntry",
    "FundEntryKind",
    "FundEntryQuerySet",
    "FundPoint",
    "EligibleProduct",
    "SolidarityLine",
    "MemberTier",
    "Pledge",
    "PledgedPrice",
    "RateReview",
    "RequestState",
    "RoundState",
    "SolidarityTier",
    "Tier",
    "TierRequest",
    "fund_settings_errors",
]
