/* Saving the card or the IBAN a subscription's instalments are charged on
   (payments/save_method.html): Stripe.js shows its card or IBAN field and confirms the
   SetupIntent; the form then hands the SetupIntent's id to the site, which asks Stripe how it
   went. A refusal is shown in the page and nothing is sent. */
(function () {
  "use strict";
  var form = document.getElementById("save-method");
  if (!form || typeof window.Stripe !== "function") {
    return;
  }
  var data = form.dataset;
  var isDebit = data.method === "sepa_debit";
  var stripe = window.Stripe(data.stripeKey);
  var elements = stripe.elements({ locale: document.documentElement.lang || "auto" });
  var element = isDebit
    ? elements.create("iban", { supportedCountries: ["SEPA"], placeholderCountry: "FR" })
    : elements.create("card", { hidePostalCode: true });
  element.mount("#method-element");
  var needsScript = document.getElementById("save-method-needs-js");
  if (needsScript) {
    needsScript.hidden = true;
  }
  form.hidden = false;

  var error = document.getElementById("save-method-error");
  var status = document.getElementById("save-method-status");
  var button = form.querySelector("button[type=submit]");
  var busy = false;

  function failed(message) {
    busy = false;
    button.disabled = false;
    status.textContent = "";
    error.textContent = message || data.failed;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    button.disabled = true;
    error.textContent = "";
    status.textContent = data.waiting;
    var billing = { name: data.billingName, email: data.billingEmail };
    var confirmation = isDebit
      ? stripe.confirmSepaDebitSetup(data.clientSecret, {
          payment_method: { sepa_debit: element, billing_details: billing },
        })
      : stripe.confirmCardSetup(data.clientSecret, {
          payment_method: { card: element, billing_details: billing },
        });
    confirmation.then(
      function (result) {
        if (!result || result.error || !result.setupIntent) {
          failed(result && result.error && result.error.message);
          return;
        }
        form.elements.setup_intent.value = result.setupIntent.id;
        form.submit();
      },
      function () {
        failed("");
      }
    );
  });
})();
