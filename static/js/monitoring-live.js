// The monitoring page (and the workspace's mentions panel), live: the cell's monitoring socket says "mentions matched" or
// "alert changed" (ids only); the page fetches its live part again (counters, open
// alerts, latest mentions). A burst of batches makes one fetch per second at most.
(function () {
  "use strict";

  var DEBOUNCE_MS = 1000;

  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.querySelector("[data-monitoring-live]");
    var live = window.CrisisCellLive;
    if (!panel || !live || !window.WebSocket) {
      return;
    }
    var status = document.querySelector("[data-monitoring-state]");
    var timer = null;
    var connectedOnce = false;

    function refresh() {
      if (timer) {
        return;
      }
      timer = window.setTimeout(function () {
        timer = null;
        // The part fetches its content itself (hx-trigger, live/panels.js): the monitoring
        // page's live part, or the workspace's mentions panel (data-live-refresh).
        live.refresh([panel.dataset.liveRefresh || "monitoring"]);
      }, DEBOUNCE_MS);
    }

    live.socket("/ws/cells/" + panel.dataset.cell + "/monitoring/", {
      status: function (state) {
        live.showStatus(status, state);
        if (state === "live") {
          if (connectedOnce) {
            refresh();
          }
          connectedOnce = true;
        }
      },
      message: function (message) {
        if (message.type === "mentions" || message.type === "alert" || message.type === "import") {
          refresh();
        }
      },
      probeUrl: "/api/v1/cells/" + panel.dataset.cell + "/monitoring/alerts/?status=open",
    });
  });
})();
