/* The admin's two-list selector (filter_horizontal) names its search boxes through an icon that
 * carries aria-label without a role, which assistive technology may ignore; as an image it names
 * the box. It runs after the selector has built itself on the page's load event. */
window.addEventListener("load", function () {
  "use strict";
  document.querySelectorAll(".selector .search-label-icon[aria-label]").forEach(function (icon) {
    icon.setAttribute("role", "img");
  });
});
