// The live pages, part 1 of 7: what the other parts share. No build step: the parts are
// ordered deferred scripts (base.html) that hang their pieces on window.CrisisCellLive.
//
//   base.js           translations, the CSRF token, JSON requests, the connection label
//   socket.js         a socket that comes back by itself (and stays down while offline)
//   panels.js         panels refreshed by htmx on a live:<panel> event, morphed in place
//   presence.js       who has the incident open, and whether they are idle
//   locks.js          "being edited by", and the forms that take an edit lock
//   workspace.js      the incident's event stream: in order, once, caught up after a gap
//   notifications.js  the bell: unread count, toast, role changes
//
// What fails and what is kept (form-feedback.js, drafts.js, role-sync.js, stale-banners.js)
// follows the sockets through DOM events: live:connection, live:role, crisiscell:event.
(function () {
  "use strict";

  var live = (window.CrisisCellLive = window.CrisisCellLive || {});

  // Django's JavaScript catalogue (/jsi18n/) defines these; without it, English.
  live.gettext =
    window.gettext ||
    function (text) {
      return text;
    };
  live.interpolate =
    window.interpolate ||
    function (format, values) {
      return format.replace("%s", values[0]);
    };

  live.socketUrl = function (path) {
    return (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + path;
  };

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // -> Promise<{status, body}>; a body that is not JSON reads as {}.
  live.fetchJson = function (url, options) {
    options = options || {};
    var headers = { Accept: "application/json" };
    if (options.method && options.method !== "GET") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRFToken"] = csrfToken();
    }
    return fetch(url, {
      method: options.method || "GET",
      credentials: "same-origin",
      headers: headers,
      body: options.body ? JSON.stringify(options.body) : undefined,
      keepalive: !!options.keepalive,
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return {};
        })
        .then(function (body) {
          return { status: response.status, body: body };
        });
    });
  };

  // The connection label of a page: live / reconnecting / offline...
  live.showStatus = function (element, state) {
    if (!element) {
      return;
    }
    var gettext = live.gettext;
    var labels = {
      connecting: gettext("Connecting…"),
      live: gettext("Live"),
      reconnecting: gettext("Reconnecting…"),
      offline: gettext("Offline"),
      closed: gettext("Disconnected — reload the page"),
    };
    element.dataset.state = state;
    element.textContent = labels[state] || state;
  };

  // Other scripts follow the sockets through DOM events (form-feedback.js resends
  // what waited for the connection).
  live.announceConnection = function (socket, state) {
    document.dispatchEvent(new CustomEvent("live:connection", { detail: { socket: socket, state: state } }));
  };
})();
