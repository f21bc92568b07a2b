// The notifications page, live: when the unread count changes (a new notification,
// or some read in another tab), the list is fetched again and what changed is highlighted.
(function () {
  "use strict";

  var DEBOUNCE_MS = 200;

  document.addEventListener("DOMContentLoaded", function () {
    var live = window.CrisisCellLive;
    if (!live || !document.querySelector("[data-live-panel=notifications]")) {
      return;
    }
    // "unread count:newest unread id", as the page was rendered: a change means new rows.
    var last = document.querySelector("[data-live-panel=notifications]").dataset.liveKey || null;
    var timer = null;
    document.addEventListener("crisiscell:unread", function (event) {
      var message = event.detail || {};
      var key = String(message.count) + ":" + String(message.latest ? message.latest.id : null);
      if (key === last) {
        return;
      }
      last = key;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        live.refresh(["notifications"]); // the list fetches itself (hx-trigger, panels.js)
      }, DEBOUNCE_MS);
    });
  });
})();
