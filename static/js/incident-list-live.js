// The incident list, live: when any incident of the cell changes (a level, a claim,
// a statement sent for approval...), the rows are fetched again with the filters
// and sort of the address bar, morphed in place, and the rows that changed are highlighted.
// The socket only says "incident N changed"; a burst of changes makes one fetch.
(function () {
  "use strict";

  var DEBOUNCE_MS = 300;

  document.addEventListener("DOMContentLoaded", function () {
    var rows = document.querySelector("[data-cell-socket]");
    var live = window.CrisisCellLive;
    if (!rows || !live || !window.WebSocket) {
      return;
    }
    var path = rows.dataset.cellSocket;
    var status = document.querySelector("[data-live-status]");
    var timer = null;
    var connectedOnce = false;

    function refresh() {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        live.refresh(["incidents"]); // the rows fetch themselves (hx-trigger, panels.js)
      }, DEBOUNCE_MS);
    }

    live.socket(path, {
      status: function (state) {
        live.showStatus(status, state);
        if (state === "live") {
          // Back after a drop: what changed meanwhile was not heard, so look again.
          if (connectedOnce) {
            refresh();
          }
          connectedOnce = true;
        }
      },
      message: function (message) {
        if (message.type === "incident.changed") {
          refresh();
        }
      },
      probeUrl: "/api/v1/cells/",
    });
  });
})();
