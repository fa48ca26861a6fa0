// slagen serve: reloads this page when the server says its preview changed (server-sent events).
(function () {
  "use strict";
  var script = document.currentScript;
  var page = script.getAttribute("data-page");
  var version = script.getAttribute("data-version");
  var badge = document.getElementById("slagen-serve-live");
  var source = new EventSource("/_serve/events?page=" + encodeURIComponent(page));
  source.onopen = function () { if (badge) { badge.className = ""; badge.textContent = "live"; } };
  source.onerror = function () { if (badge) { badge.className = "offline"; badge.textContent = "offline"; } };
  source.onmessage = function (event) {
    var versions = JSON.parse(event.data);
    var current = versions[page];
    if (typeof current === "string" && current !== version) {
      source.close();
      window.location.reload();
    }
  };
})();
