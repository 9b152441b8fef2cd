// Progressive enhancement for the newsletter sign-up forms: submit in place and announce each
// state in the form's aria-live region. Without this file the form posts and shows a page.
(function () {
  "use strict";

  var NETWORK_ERROR = "We couldn't reach our server. Check your connection and try again.";
  var PAGE_EXPIRED = "This page has expired. Reload it and try again.";

  function setStatus(status, text, kind) {
    status.textContent = text;
    status.classList.toggle("text-danger-emphasis", kind === "error");
    status.classList.toggle("text-success-emphasis", kind === "success");
  }

  function enhance(form) {
    var status = document.getElementById(form.dataset.status);
    var input = form.querySelector("input[type=email]");
    var button = form.querySelector("button[type=submit]");
    if (!status || !input || !button) {
      return;
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      button.disabled = true;
      input.removeAttribute("aria-invalid");
      input.classList.remove("is-invalid");
      setStatus(status, "Processing…", "busy");
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-Requested-With": "XMLHttpRequest" }
      })
        .then(function (response) {
          return response.json().catch(function () {
            // Not JSON: Django's CSRF failure page (403) or a proxy error.
            return { ok: false, message: response.status === 403 ? PAGE_EXPIRED : NETWORK_ERROR };
          });
        })
        .then(function (data) {
          if (data.ok) {
            setStatus(status, data.message, "success");
            form.reset();
          } else {
            setStatus(status, data.message || NETWORK_ERROR, "error");
            input.setAttribute("aria-invalid", "true");
            input.classList.add("is-invalid");
            input.focus();
          }
        })
        .catch(function () {
          setStatus(status, NETWORK_ERROR, "error");
        })
        .finally(function () {
          button.disabled = false;
        });
    });
  }

  document.querySelectorAll("form[data-newsletter-subscribe]").forEach(enhance);
})();
