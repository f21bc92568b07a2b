// The live pages, part 6 of 7: the incident's event stream (see base.js).
//
// One socket per open incident (/ws/incidents/<id>/). Events are numbered per incident;
// the page remembers the last one it applied (starting from the seq it was rendered at)
// and applies each event once, in order. Messages that queued on the server while it
// wrote the previous frame arrive as one batch frame (socket.js unpacks it). A gap (a
// message lost while reconnecting, or dropped for a tab too far behind) is filled from
// GET /api/v1/incidents/<id>/events/?after=N before anything newer is applied.
// Applying an event refreshes the panels it names (panels.js) and tells the page
// (crisiscell:event: stale-banners.js).
(function () {
  "use strict";

  var live = window.CrisisCellLive;

  function Workspace(root) {
    var lastSeq = parseInt(root.dataset.eventSeq || "0", 10);
    var eventsUrl = root.dataset.eventsUrl;
    var statusEl = document.querySelector("[data-live-status]");
    var catching = false;
    var again = false;
    var presence;

    function setStatus(state) {
      live.showStatus(statusEl, state);
      root.dataset.liveState = state;
      live.announceConnection("incident", state);
    }

    function apply(event) {
      lastSeq = event.seq;
      root.dataset.eventSeq = String(lastSeq);
      live.refresh((event.data && event.data.panels) || []);
      document.dispatchEvent(new CustomEvent("crisiscell:event", { detail: event }));
    }

    function receive(event) {
      if (event.seq <= lastSeq) {
        return; // already applied (live and through a catch-up)
      }
      if (event.seq === lastSeq + 1 && !catching) {
        apply(event);
        return;
      }
      catchUp();
    }

    function catchUp() {
      if (catching) {
        again = true;
        return;
      }
      catching = true;
      again = false;
      live
        .fetchJson(eventsUrl + "?after=" + lastSeq)
        .then(function (answer) {
          if (answer.status !== 200) {
            return false;
          }
          answer.body.events.forEach(function (event) {
            if (event.seq === lastSeq + 1) {
              apply(event);
            }
          });
          return answer.body.has_more;
        })
        .catch(function () {
          return false;
        })
        .then(function (more) {
          catching = false;
          if (more || again) {
            catchUp();
          }
        });
    }

    function onMessage(message) {
      if (message.type === "hello") {
        presence.render(message.presence);
        live.locks.reset(message.locks);
        if (message.seq > lastSeq) {
          catchUp();
        }
      } else if (message.type === "event") {
        receive(message.event);
      } else if (message.type === "pong") {
        if (message.seq > lastSeq) {
          catchUp();
        }
      } else if (message.type === "presence") {
        presence.render(message);
      } else if (message.type === "lock") {
        live.locks.render(message);
      }
    }

    var socket = live.socket(root.dataset.wsPath, {
      status: setStatus,
      message: onMessage,
      probeUrl: eventsUrl + "?limit=1",
    });
    presence = live.presence(document.querySelector("[data-presence]"), socket);

    // For the tests: the last event applied, and a way to lose the connection.
    window.crisiscellLive = {
      lastSeq: function () {
        return lastSeq;
      },
      drop: socket.drop,
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-live-incident]");
    if (root && window.WebSocket) {
      Workspace(root);
    }
  });
})();
