// The live pages, part 4 of 7: who has the incident open now (see base.js).
//
// live.presence(container, socket) -> {render(presence)}: draws the faces from the
// socket's hello and presence messages, and tells the socket when this person goes idle
// (a few minutes without a key, a click or a look at the tab) and comes back.
(function () {
  "use strict";

  var live = window.CrisisCellLive;
  var IDLE_AFTER_MS = 3 * 60 * 1000;
  var FACE_COLOURS = 8; // .face-0 ... .face-7 in live.css

  function render(container, presence) {
    if (!container || !presence) {
      return;
    }
    var gettext = live.gettext;
    var list = container.querySelector("[data-presence-list]") || container;
    list.textContent = "";
    (presence.users || []).forEach(function (user) {
      // Initials on a colour of their own (stable per person), the name on hover and for screen readers.
      var face = document.createElement("span");
      var name = user.name + (user.state === "idle" ? " — " + gettext("idle") : "");
      face.className =
        "face face-" + (Math.abs(parseInt(user.id, 10) || 0) % FACE_COLOURS) + (user.state === "idle" ? " idle" : "");
      face.title = name;
      face.dataset.userId = user.id;
      var initials = document.createElement("span");
      initials.setAttribute("aria-hidden", "true");
      initials.textContent = user.initials;
      var label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = name;
      face.appendChild(initials);
      face.appendChild(label);
      list.appendChild(face);
    });
    var more = (presence.total || 0) - (presence.users || []).length;
    if (more > 0) {
      var extra = document.createElement("span");
      extra.className = "face more";
      extra.textContent = "+" + more;
      list.appendChild(extra);
    }
    container.dataset.viewers = presence.total || 0;
  }

  function followIdleness(socket) {
    var idle = false;
    var idleTimer = null;
    function active() {
      if (idle) {
        idle = false;
        socket.send({ type: "presence", state: "active" });
      }
      window.clearTimeout(idleTimer);
      idleTimer = window.setTimeout(function () {
        idle = true;
        socket.send({ type: "presence", state: "idle" });
      }, IDLE_AFTER_MS);
    }
    ["keydown", "pointerdown", "scroll", "focus"].forEach(function (name) {
      window.addEventListener(name, active, { passive: true });
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        active();
      }
    });
    active();
  }

  live.presence = function (container, socket) {
    followIdleness(socket);
    return {
      render: function (presence) {
        render(container, presence);
      },
    };
  };
})();
