/* Each booking step moves focus to its heading on load, so keyboard and screen-reader users
 * start at the new step rather than at the top of the page. A form sent back with errors moves
 * focus to the first field to fix instead; its error is its accessible description. */
(function () {
  "use strict";
  var target = document.querySelector("form [aria-invalid='true']") ||
    document.querySelector("[data-step-heading]");
  if (target) { target.focus(); }
}());

/* Progressive enhancement for the booking calendar: show a day's times without a page load.
 * Without JavaScript the day links load the same list from the server. */
(function () {
  "use strict";
  var root = document.getElementById("booking-calendar");
  if (!root || !window.fetch) { return; }
  var region = document.getElementById("booking-times");

  function utcParam(iso) {
    return new Date(iso).toISOString().slice(0, 16) + "Z";
  }

  function render(link, slots) {
    var heading = document.createElement("h2");
    heading.className = "h5";
    heading.id = "times-heading";
    heading.tabIndex = -1;
    heading.textContent = "Times on " + link.getAttribute("aria-label").split(",")[0];
    region.replaceChildren(heading);
    if (!slots.length) {
      var none = document.createElement("p");
      none.textContent = "No free times on this day any more. Please choose another day.";
      region.appendChild(none);
      return;
    }
    var list = document.createElement("ul");
    list.className = "list-unstyled d-flex flex-wrap gap-2 booking-times";
    slots.forEach(function (slot) {
      var params = new URLSearchParams({
        service: root.dataset.service, therapist: root.dataset.therapist, start: utcParam(slot.start)
      });
      var item = document.createElement("li");
      var anchor = document.createElement("a");
      anchor.className = "btn btn-outline-primary";
      anchor.href = root.dataset.detailsUrl + "?" + params.toString();
      // The server's own label ("1:00 AM EDT" on a day the clocks change), as the page without JavaScript shows it.
      anchor.textContent = slot.label;
      anchor.dataset.clinicStart = slot.start;
      anchor.dataset.clinicLabel = slot.label;
      var hint = document.createElement("span");
      hint.className = "visually-hidden";
      hint.textContent = " — book this time";
      anchor.appendChild(hint);
      item.appendChild(anchor);
      list.appendChild(item);
    });
    region.appendChild(list);
  }

  root.addEventListener("click", function (event) {
    var link = event.target.closest("a.booking-day-link");
    if (!link) { return; }
    event.preventDefault();
    var day = link.dataset.date;
    var params = new URLSearchParams({ service: root.dataset.service, start: day, end: day });
    if (root.dataset.therapist !== "any") { params.set("therapist", root.dataset.therapist); }
    region.setAttribute("aria-busy", "true");
    fetch(root.dataset.apiUrl + "?" + params.toString(), { headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        root.querySelectorAll("a.booking-day-link[aria-current]").forEach(function (other) {
          other.removeAttribute("aria-current");
          other.parentElement.classList.remove("booking-day-chosen");
        });
        link.setAttribute("aria-current", "date");
        link.parentElement.classList.add("booking-day-chosen");
        render(link, data.slots);
        document.getElementById("times-heading").focus();
        history.replaceState(null, "", link.href);
      })
      .catch(function () { window.location.href = link.href; })
      .finally(function () { region.removeAttribute("aria-busy"); });
  });
}());
