/* An instalment the member's bank asks them to confirm (payments/confirm_charge.html):
   Stripe.js shows the bank's confirmation, then the form asks the site how it went. */
(function () {
  "use strict";
  var form = document.getElementById("confirm-charge");
  if (!form || typeof window.Stripe !== "function") {
    return;
  }
  var stripe = window.Stripe(form.dataset.stripeKey);
  var status = document.getElementById("confirm-charge-status");
  var busy = false;
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    status.textContent = form.dataset.waiting;
    // Confirmed or not, the site asks Stripe how it went and says so.
    stripe.confirmCardPayment(form.dataset.clientSecret).then(function (result) {
      if (result.error && result.error.message) {
        status.textContent = result.error.message;
      }
      form.submit();
    });
  });
})();
