// Confirms a newsletter subscription with a POST as soon as the page opens, so people need not
// press the button; link scanners that only GET the page confirm nothing.
(function () {
  "use strict";

  var NETWORK_ERROR = "We couldn't reach our server. Press the button to try again.";
  var form = document.querySelector("form[data-newsletter-confirm]");
  if (!form) {
    return;
  }
  var status = document.getElementById(form.dataset.status);
  var heading = document.getElementById(form.dataset.heading);

  function confirmSubscription() {
    form.hidden = true;
    status.textContent = status.dataset.processing;
    fetch(window.location.href, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" }
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (data) {
        if (data.heading && heading) {
          // The page now says what happened, in its heading and title as in the text below them.
          document.title = document.title.replace(heading.textContent, data.heading);
          heading.textContent = data.heading;
        }
        status.textContent = data.message;
        status.classList.toggle("text-danger-emphasis", !data.ok);
        if (!data.ok) {
          var link = document.createElement("a");
          link.href = "#subscribe-footer-email";
          link.textContent = "Subscribe again";
          status.appendChild(document.createTextNode(" "));
          status.appendChild(link);
        }
      })
      .catch(function () {
        status.textContent = NETWORK_ERROR;
        status.classList.add("text-danger-emphasis");
        form.hidden = false;
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    confirmSubscription();
  });
  confirmSubscription();
})();
