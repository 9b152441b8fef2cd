// The payment step: the card goes into Stripe's element, Stripe.js confirms it (with 3-D Secure when
// the bank asks), and the form posts back only the SetupIntent's or PaymentIntent's id.
(function () {
  "use strict";
  var form = document.querySelector("[data-checkout]");
  if (!form || typeof window.Stripe !== "function") return;
  var errorBox = document.querySelector("[data-payment-error]");
  var button = form.querySelector("[data-pay-button]");
  var stripe = window.Stripe(form.dataset.publishableKey);
  var card = null;
  if (!form.dataset.actionSecret) {
    card = stripe.elements().create("card");
    card.mount("#card-element");
  }

  function say(message) {
    errorBox.textContent = "";
    var alert = document.createElement("div");
    alert.className = "alert alert-warning";
    alert.textContent = message;
    errorBox.appendChild(alert);
    button.disabled = false;
  }

  form.addEventListener("submit", function (event) {
    if (form.dataset.ready === "1") return;
    event.preventDefault();
    button.disabled = true;
    var done;
    if (form.dataset.actionSecret) {
      done = stripe.confirmCardPayment(form.dataset.actionSecret).then(function (result) {
        if (result.error) throw result.error;
        form.elements.payment_intent.value = result.paymentIntent.id;
      });
    } else {
      done = stripe.confirmCardSetup(form.dataset.clientSecret, {
        payment_method: { card: card, billing_details: { name: form.dataset.cardholder } },
      }).then(function (result) {
        if (result.error) throw result.error;
        form.elements.setup_intent.value = result.setupIntent.id;
      });
    }
    done.then(function () {
      form.dataset.ready = "1";
      form.submit();
    }, function (error) {
      say((error && error.message) || "Your card could not be used. Please check it or try another.");
    });
  });
})();
