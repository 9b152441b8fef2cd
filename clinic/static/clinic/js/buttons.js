/* A link drawn as a button answers Space as a button does, not only Enter: people who see a
 * button press Space on it. Loaded on every page (the site's and the desk's base templates). */
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== " " || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var link = event.target.closest && event.target.closest("a.btn, a.booking-day-link");
    if (!link) { return; }
    event.preventDefault();
    link.click();
  });
}());
