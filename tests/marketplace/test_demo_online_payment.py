"""The demo against localstripe (README "Online payment"): with the Stripe keys set, every farm
has a connected account and every contract takes card and SEPA debit; without them, nothing."""

import pytest

from marketplace.demo.payments import demo_account_id, ensure_demo_online_payment
from marketplace.payments.models import ContractPaymentTerms, ProducerAccount
from tests.factories import ContractFactory, ProducerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_keys(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_localstripe"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_localstripe"


def test_with_the_keys_every_farm_takes_card_and_debit(stripe_keys):
    farm = ProducerFactory(slug="ferme-des-pres-verts")
    onboarded = ProducerFactory()
    ProducerAccount.objects.create(producer=onboarded, account_id="acct_1Onboarded")
    contract = ContractFactory(plan__producer=farm)
    with_terms = ContractFactory(plan__producer=onboarded)
    ContractPaymentTerms.objects.create(contract=with_terms, methods=["cheque"])

    assert ensure_demo_online_payment([farm, onboarded]) == 1
    assert ensure_demo_online_payment([farm, onboarded]) == 0  # a second load makes nothing

    assert farm.stripe_account.account_id == "acct_demo_ferme_des_pres_verts"
    assert demo_account_id(farm) == "acct_demo_ferme_des_pres_verts"
    assert ProducerAccount.objects.get(producer=onboarded).account_id == "acct_1Onboarded"
    for terms in ContractPaymentTerms.objects.filter(contract__in=[contract, with_terms]):
        assert {"card", "sepa_debit"} <= set(terms.methods)
    assert "cash" in ContractPaymentTerms.objects.get(contract=contract).methods
    assert ContractPaymentTerms.objects.get(contract=with_terms).methods == [
        "card",
        "sepa_debit",
        "cheque",
    ]


def test_without_the_keys_the_demo_stays_on_manual_payments(settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    farm = ProducerFactory()
    ContractFactory(plan__producer=farm)

    assert ensure_demo_online_payment([farm]) == 0
    assert not ProducerAccount.objects.exists()
    assert not ContractPaymentTerms.objects.exists()
