/* Each booking step moves focus to its heading on load, so keyboard and screen-reader users
 * start at the new step rather than at the top of the page. A form sent back with errors moves
 * focus to the first field to fix instead; its error is its accessible description. */
(function () {
  "use strict";
  var target = document.querySelector("form [aria-invalid='true']") ||
    document.querySelector("[data-step-heading]");
  if (target) { target.focus(); }
}());

/* Progressive enhancement for the booking and move calendars (bookings/views/picker.py):
 * - a day's times load in place: the page's own address with fragment=times, rendered by the
 *   server exactly as without JavaScript, and focus moves to their heading;
 * - the month grid is one Tab stop: the arrow keys move a day or a week, Home and End to the
 *   week's ends, Page Up and Page Down a month; stepping past the month loads the next one in place
 *   (fragment=month), as the Previous and Next links do.
 * Without JavaScript every day and month is a plain link to the same page. */
(function () {
  "use strict";
  var root = document.getElementById("booking-calendar");
  if (!root || !window.fetch) { return; }
  var times = document.getElementById("booking-times");
  var monthBox = document.getElementById("booking-month");
  var chosenDate = null;

  function fragmentUrl(href, fragment) {
    var url = new URL(href, window.location.href);
    url.searchParams.set("fragment", fragment);
    return url.toString();
  }

  function fetchText(url) {
    return fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.text();
    });
  }

  function days() { return Array.prototype.slice.call(monthBox.querySelectorAll("[data-date]")); }

  function dayFor(iso) { return monthBox.querySelector('[data-date="' + iso + '"]'); }

  function setTabStop(target) {
    days().forEach(function (day) { day.tabIndex = day === target ? 0 : -1; });
  }

  function markChosen() {
    monthBox.querySelectorAll("a.booking-day-link").forEach(function (link) {
      var chosen = link.dataset.date === chosenDate;
      link.parentElement.classList.toggle("booking-day-chosen", chosen);
      if (chosen) { link.setAttribute("aria-current", "date"); } else { link.removeAttribute("aria-current"); }
    });
  }

  function prepareGrid() {
    var current = monthBox.querySelector("a.booking-day-link[aria-current]");
    if (current) { chosenDate = current.dataset.date; }
    markChosen();
    setTabStop(dayFor(chosenDate) || monthBox.querySelector("a.booking-day-link") || days()[0]);
  }

  function isoOf(date) { return date.toISOString().slice(0, 10); }

  function shifted(iso, key) {
    // Dates in UTC: a day is always 24 hours there, whatever the clinic's daylight-saving rules.
    var date = new Date(iso + "T00:00:00Z");
    var weekday = (date.getUTCDay() + 6) % 7;  // Monday first, as the grid
    var moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -7, ArrowDown: 7, Home: -weekday, End: 6 - weekday };
    if (key in moves) {
      date.setUTCDate(date.getUTCDate() + moves[key]);
    } else {
      var day = date.getUTCDate();
      date.setUTCDate(1);
      date.setUTCMonth(date.getUTCMonth() + (key === "PageDown" ? 1 : -1));
      var lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
      date.setUTCDate(Math.min(day, lastDay));
    }
    return isoOf(date);
  }

  function showMonth(href, then) {
    monthBox.setAttribute("aria-busy", "true");
    fetchText(fragmentUrl(href, "month"))
      .then(function (html) {
        monthBox.innerHTML = html;
        prepareGrid();
        then();
      })
      .catch(function () { window.location.href = href; })
      .finally(function () { monthBox.removeAttribute("aria-busy"); });
  }

  function focusDay(iso) {
    var target = dayFor(iso);
    if (target) {
      setTabStop(target);
      target.focus();
      return;
    }
    var table = monthBox.querySelector("table[data-month]");
    var nav = monthBox.querySelector(iso.slice(0, 7) > table.dataset.month ? "a[rel=next]" : "a[rel=prev]");
    if (!nav) { return; }  // beyond the advance window, or before this month
    showMonth(nav.href, function () {
      var day = dayFor(iso);
      if (day) { setTabStop(day); day.focus(); }
    });
  }

  function showDay(link) {
    times.setAttribute("aria-busy", "true");
    fetchText(fragmentUrl(link.href, "times"))
      .then(function (html) {
        times.innerHTML = html;
        chosenDate = link.dataset.date;
        markChosen();
        setTabStop(link);
        document.getElementById("times-heading").focus();
        history.replaceState(null, "", link.href);
      })
      .catch(function () { window.location.href = link.href; })
      .finally(function () { times.removeAttribute("aria-busy"); });
  }

  monthBox.addEventListener("click", function (event) {
    var link = event.target.closest("a.booking-day-link");
    if (link) {
      event.preventDefault();
      showDay(link);
      return;
    }
    var nav = event.target.closest("a[rel=prev], a[rel=next]");
    if (nav) {
      event.preventDefault();
      var rel = nav.getAttribute("rel");
      showMonth(nav.href, function () {
        (monthBox.querySelector("a[rel=" + rel + "]") || document.getElementById("month-heading")).focus();
      });
    }
  });

  monthBox.addEventListener("keydown", function (event) {
    var day = event.target.closest("[data-date]");
    var keys = ["ArrowLeft", "ArrowRight", "ArrowUp", "ArrowDown", "Home", "End", "PageUp", "PageDown"];
    if (!day || keys.indexOf(event.key) === -1 || event.altKey || event.ctrlKey || event.metaKey) { return; }
    event.preventDefault();
    focusDay(shifted(day.dataset.date, event.key));
  });

  prepareGrid();
}());
