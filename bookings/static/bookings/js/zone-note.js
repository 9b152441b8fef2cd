/* When the visitor's device keeps another time zone than the clinic, the note beside the times
 * says what the first (or chosen) time is for them: "Times are in the clinic's time, Eastern
 * Time — New York; 10:00 AM at the clinic is 3:00 PM your time (London)." The clinic's times stay
 * as they are. The time it speaks of is the first element with data-clinic-start (an instant)
 * and data-clinic-label (the server's label for it); it follows the calendar as it shows other
 * days. Without JavaScript, or in the clinic's own zone, the note names only the clinic's zone. */
(function () {
  "use strict";
  if (window.clinicZoneNote || !window.Intl || !window.MutationObserver) { return; }
  window.clinicZoneNote = true;
  var visitor = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!visitor) { return; }

  function formatter(zone, options) {
    // Newer ICU puts a narrow no-break space before AM/PM; the pages use a plain one.
    var format = new Intl.DateTimeFormat("en-US", Object.assign({ timeZone: zone }, options));
    return function (moment) { return format.format(moment).replace(/\s/g, " "); };
  }

  function elsewhere(note) {
    var source = document.querySelector("[data-clinic-start][data-clinic-label]");
    var clinic = note.dataset.clinicZone;
    if (!source || !clinic || clinic === visitor) { return ""; }
    var moment = new Date(source.dataset.clinicStart);
    if (isNaN(moment.getTime())) { return ""; }
    var day = { year: "numeric", month: "2-digit", day: "2-digit" };
    var clock = { hour: "numeric", minute: "2-digit" };
    var there = formatter(visitor, clock)(moment);
    var sameDay = formatter(clinic, day)(moment) === formatter(visitor, day)(moment);
    // A zone that keeps the clinic's clock (Detroit for New York) needs no note.
    if (sameDay && formatter(clinic, clock)(moment) === there) { return ""; }
    if (!sameDay) { there += " on " + formatter(visitor, { weekday: "long" })(moment); }
    var place = visitor.split("/").pop().replace(/_/g, " ");
    return "; " + source.dataset.clinicLabel + " at the clinic is " + there + " your time (" + place + ")";
  }

  function update() {
    document.querySelectorAll("[data-zone-note] [data-zone-elsewhere]").forEach(function (span) {
      var text = elsewhere(span.closest("[data-zone-note]"));
      if (span.textContent !== text) { span.textContent = text; }
    });
  }

  update();
  new MutationObserver(update).observe(document.body, { childList: true, subtree: true });
}());
