from django.urls import path

from marketplace.payments.views import (
    coordination,
    member,
    order_card,
    producer_account,
    saved_method,
    statements,
    treasury,
    webhooks,
)

app_name = "payments"
urlpatterns = [
    path("", member.MyPaymentsView.as_view(), name="mine"),
    path("adhesion/<int:pk>/formule/", member.ChoosePlanView.as_view(), name="choose-plan"),
    path("adhesion/<int:pk>/moyen/", saved_method.SaveMethodView.as_view(), name="save-method"),
    path("reglement/<int:pk>/", member.ConfirmChargeView.as_view(), name="confirm-charge"),
    # Paying an order by card at checkout (the page's script; JSON).
    path("commande/carte/", order_card.StartOrderCardView.as_view(), name="order-card-start"),
    path(
        "commande/carte/autorisation/",
        order_card.AuthoriseOrderCardView.as_view(),
        name="order-card-authorise",
    ),
    path("coordination/", coordination.CoordinationView.as_view(), name="coordination"),
    path(
        "coordination/adhesion/<int:pk>/",
        coordination.RecordSubscriptionPaymentView.as_view(),
        name="record-subscription",
    ),
    path(
        "coordination/adhesion/<int:pk>/remboursement/",
        coordination.RecordRefundView.as_view(),
        name="record-refund",
    ),
    path("coordination/commande/", coordination.FindOrderView.as_view(), name="find-order"),
    path(
        "coordination/commande/<str:number>/",
        coordination.RecordOrderPaymentView.as_view(),
        name="record-order",
    ),
    path("tresorerie/remises/", treasury.HandOverView.as_view(), name="hand-over"),
    path("tresorerie/retards/", treasury.OverdueView.as_view(), name="overdue"),
    # Producers' statements; a month is YYYY-MM.
    path("releves/", statements.StatementsView.as_view(), name="statements"),
    path(
        "releves/<int:producer_id>/<str:month>/",
        statements.StatementView.as_view(),
        name="statement",
    ),
    path(
        "releves/<int:producer_id>/<str:month>.csv",
        statements.StatementCsvView.as_view(),
        name="statement-csv",
    ),
    path(
        "releves/<int:producer_id>/<str:month>.pdf",
        statements.StatementPdfView.as_view(),
        name="statement-pdf",
    ),
    # A producer's Stripe account, for card and SEPA debit payments; its onboarding on Stripe.
    path(
        "encaissement/", producer_account.OwnStripeAccountView.as_view(), name="own-stripe-account"
    ),
    path(
        "encaissement/<int:producer_id>/",
        producer_account.StripeAccountView.as_view(),
        name="stripe-account",
    ),
    path(
        "encaissement/<int:producer_id>/ouvrir/",
        producer_account.StartOnboardingView.as_view(),
        name="stripe-onboarding",
    ),
    path(
        "encaissement/<int:producer_id>/retour/",
        producer_account.StripeAccountView.as_view(returned=True),
        name="stripe-onboarding-return",
    ),
    path(
        "encaissement/<int:producer_id>/nouveau-lien/",
        producer_account.OnboardingRefreshView.as_view(),
        name="stripe-onboarding-refresh",
    ),
    # Stripe's events (no sign-in, no CSRF: the signature vouches for them).
    path("stripe/webhook/", webhooks.stripe_webhook, name="stripe-webhook"),
]
