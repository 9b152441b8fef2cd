// Progressive enhancement for the desk: client suggestions as you type. Without it, the Find button does the same.
// The search is posted, never put in a URL, so a typed phone number or email stays out of the logs.
(function () {
  "use strict";
  var form = document.querySelector("[data-client-search]");
  var results = document.querySelector("[data-client-results]");
  if (!form || !results || !window.fetch) return;
  var input = form.querySelector("input[type=search]");
  var timer = null;
  var latest = 0;

  function linkFor(client) {
    var action = new URL(form.action, window.location.href);
    var params = new URLSearchParams(action.search);
    params.set("client", client.id);
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = action.pathname + "?" + params.toString();
    link.textContent = client.name;
    item.appendChild(link);
    var detail = document.createElement("span");
    detail.className = "small";
    detail.textContent = " " + [client.phone, client.email].filter(Boolean).join(" · ");
    item.appendChild(detail);
    return item;
  }

  function search() {
    var query = input.value.trim();
    var ticket = ++latest;
    if (query.length < 2) { results.textContent = ""; return; }
    var body = new URLSearchParams({ q: query });
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(form.dataset.searchUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": token ? token.value : "" }
    })
      .then(function (response) { return response.ok ? response.json() : { clients: [] }; })
      .then(function (data) {
        if (ticket !== latest) return;
        results.textContent = "";
        if (!data.clients.length) {
          var none = document.createElement("p");
          none.className = "small mb-0";
          none.textContent = "No client matches “" + query + "”. Fill in a new client below.";
          results.appendChild(none);
          return;
        }
        var list = document.createElement("ul");
        list.className = "list-unstyled mb-0";
        data.clients.forEach(function (client) { list.appendChild(linkFor(client)); });
        results.appendChild(list);
      })
      .catch(function () {});
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  // Typed before this script arrived (a slow connection): suggest for it now rather than wait for a key.
  if (input.value !== input.defaultValue) search();
})();
