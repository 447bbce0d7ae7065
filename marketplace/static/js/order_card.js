/* Paying an order by card on the checkout's preview (oscar/checkout/preview.html): Stripe.js
   shows its card field; on "place order" the card is saved (a SetupIntent, with 3-D Secure when
   the bank asks), each producer's part is authorised on it by the site, those the bank wants
   confirmed are confirmed here, and only then is the order form sent. A refusal is shown in the
   page; nothing is taken and the order is not placed. */
(function () {
  "use strict";
  var form = document.getElementById("place_order_form");
  if (!form || !form.dataset.startUrl || typeof window.Stripe !== "function") {
    return;
  }
  var data = form.dataset;
  var stripe = window.Stripe(data.stripeKey);
  var elements = stripe.elements({ locale: document.documentElement.lang || "auto" });
  var card = elements.create("card", { hidePostalCode: true });
  var byCard = document.getElementById("pay-by-card");
  var fields = document.getElementById("card-fields");
  var error = document.getElementById("card-error");
  var status = document.getElementById("card-status");
  var button = document.getElementById("place-order");
  var placeLabel = button.textContent;
  var mounted = false;
  var busy = false;

  byCard.disabled = false;
  byCard.removeAttribute("aria-describedby");
  document.getElementById("card-needs-js").hidden = true;

  function chosen() {
    fields.hidden = !byCard.checked;
    button.textContent = byCard.checked ? data.cardLabel : placeLabel;
    if (byCard.checked && !mounted) {
      card.mount("#card-element");
      mounted = true;
    }
  }
  form.querySelectorAll("input[name=payment_method]").forEach(function (radio) {
    radio.addEventListener("change", chosen);
  });
  chosen();

  function post(url, body) {
    var params = new URLSearchParams(body || {});
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
      body: params,
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok || answer.error) {
          throw new Error(answer.error || data.failed);
        }
        return answer;
      });
    });
  }

  function stripeStep(promise) {
    return promise.then(function (result) {
      if (!result || result.error) {
        throw new Error((result && result.error && result.error.message) || data.failed);
      }
      return result;
    });
  }

  function failed(reason) {
    busy = false;
    button.disabled = false;
    status.textContent = "";
    error.textContent = (reason && reason.message) || data.failed;
  }

  form.addEventListener("submit", function (event) {
    if (!byCard.checked) {
      return;
    }
    event.preventDefault();
    if (busy) {
      return;
    }
    busy = true;
    button.disabled = true;
    error.textContent = "";
    status.textContent = data.waiting;
    post(data.startUrl)
      .then(function (answer) {
        return stripeStep(
          stripe.confirmCardSetup(answer.client_secret, { payment_method: { card: card } })
        );
      })
      .then(function (result) {
        form.elements.setup_intent.value = result.setupIntent.id;
        return post(data.authoriseUrl, { setup_intent: result.setupIntent.id });
      })
      .then(function (answer) {
        // One producer's part after the other: the bank asks about each in turn.
        return answer.to_confirm.reduce(function (previous, secret) {
          return previous.then(function () {
            return stripeStep(stripe.confirmCardPayment(secret));
          });
        }, Promise.resolve());
      })
      .then(function () {
        form.submit();
      }, failed);
  });
})();
