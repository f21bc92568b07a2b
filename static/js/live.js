// The live workspace: every change reaches the page without a reload.
//
// One socket per open incident (/ws/incidents/<id>/) and one per page for the
// notification badge (/ws/notifications/). Events are numbered per incident;
// the page remembers the last one it applied (starting from the seq it was
// rendered at) and applies each event once, in order. Messages that queued on
// the server while it wrote the previous frame arrive as one batch frame. A gap
// (a message lost while reconnecting, or dropped for a tab too far behind) is filled from
// GET /api/v1/incidents/<id>/events/?after=N before anything newer is applied.
// An event names the panels it changes; the page fetches their fresh HTML
// (the same fragments the server renders) and swaps them, highlighting what
// changed. A panel with a form someone is typing in is not swapped under their
// fingers: it says "updated" and waits for a click.
(function () {
  "use strict";

  var PING_EVERY_MS = 25000;
  // A socket that answers nothing this long after a ping is dead, whatever its readyState says.
  var ANSWER_WITHIN_MS = 10000;
  var REFRESH_DEBOUNCE_MS = 60;
  var IDLE_AFTER_MS = 3 * 60 * 1000;
  var LOCK_RENEW_MS = 30000;
  var CLOSE_FORBIDDEN = 4403;
  var FACE_COLOURS = 8; // .face-0 ... .face-7 in live.css

  // Django's JavaScript catalogue (/jsi18n/) defines these; without it, English.
  var gettext =
    window.gettext ||
    function (text) {
      return text;
    };
  var interpolate =
    window.interpolate ||
    function (format, values) {
      return format.replace("%s", values[0]);
    };

  function socketUrl(path) {
    return (window.location.protocol === "https:" ? "wss://" : "ws://") + window.location.host + path;
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) {
      return decodeURIComponent(match[1]);
    }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function fetchJson(url, options) {
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
  }

  // A socket that comes back by itself: back-off with jitter, at once when the
  // browser says it is online again, never after the server said "forbidden".
  // Its label follows what the socket does: a message received means live (a
  // short drop the socket survived), a ping left unanswered means dead
  // (reconnect), whatever readyState claims. But while the browser says it is
  // offline, the label says "offline" and nothing reconnects until the "online"
  // event: a socket opened then would say "live" while no form can be sent
  // (and some browsers, test browsers among them, let sockets through offline).
  function browserOffline() {
    return navigator.onLine === false;
  }

  function ReconnectingSocket(path, handlers) {
    var socket = null;
    var attempts = 0;
    var timer = null;
    var pinger = null;
    var answerTimer = null;
    var stopped = false;
    var state = null;

    function status(next) {
      if (browserOffline() && next !== "closed") {
        next = "offline";
      }
      if (next !== state) {
        state = next;
        handlers.status(next);
      }
    }

    function ping() {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ type: "ping" }));
        if (!answerTimer) {
          answerTimer = window.setTimeout(giveUp, ANSWER_WITHIN_MS);
        }
      }
    }

    function giveUp() {
      answerTimer = null;
      if (!socket) {
        return;
      }
      var dead = socket;
      socket = null; // its late onclose is not ours any more
      window.clearInterval(pinger);
      dead.close();
      status("reconnecting");
      schedule();
    }

    function schedule() {
      if (stopped || timer || browserOffline()) {
        return; // offline: the "online" event opens it again
      }
      var delay = Math.min(30000, 500 * Math.pow(2, attempts)) * (0.75 + Math.random() / 2);
      attempts += 1;
      timer = window.setTimeout(function () {
        timer = null;
        if (browserOffline()) {
          status("offline");
          return;
        }
        open();
      }, delay);
    }

    function open() {
      if (stopped) {
        return;
      }
      if (browserOffline()) {
        status("offline");
        return;
      }
      status("connecting");
      var mine = new WebSocket(socketUrl(path));
      socket = mine;
      var opened = false;
      mine.onopen = function () {
        if (mine !== socket) {
          return;
        }
        opened = true;
        attempts = 0;
        status("live");
        pinger = window.setInterval(ping, PING_EVERY_MS);
      };
      mine.onmessage = function (message) {
        if (mine !== socket) {
          return;
        }
        // Whatever arrives proves the socket works (the label stays "offline" while the browser says so).
        window.clearTimeout(answerTimer);
        answerTimer = null;
        status("live");
        var data;
        try {
          data = JSON.parse(message.data);
        } catch (error) {
          return;
        }
        // Messages that waited while the server wrote the previous frame come as one batch.
        (data.type === "batch" ? data.messages : [data]).forEach(function (one) {
          if (one.type === "resync") {
            // This tab fell too far behind: a fresh hello and the event stream put it right.
            mine.close();
          } else {
            handlers.message(one);
          }
        });
      };
      mine.onclose = function (event) {
        if (mine !== socket) {
          return; // a socket given up on (giveUp) closing late
        }
        window.clearInterval(pinger);
        window.clearTimeout(answerTimer);
        answerTimer = null;
        socket = null;
        if (event.code === CLOSE_FORBIDDEN) {
          stop();
          return;
        }
        status("reconnecting");
        if (!opened && handlers.probeUrl) {
          // A refused handshake reaches the page as 1006, like a network error: ask
          // the API whether this user may still read (logged out, removed from the cell).
          fetchJson(handlers.probeUrl)
            .then(function (answer) {
              if ([401, 403, 404].indexOf(answer.status) >= 0) {
                stop();
              } else {
                schedule();
              }
            })
            .catch(schedule);
          return;
        }
        schedule();
      };
    }

    function stop() {
      stopped = true;
      status("closed");
    }

    function send(data) {
      if (socket && socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify(data));
      }
    }

    window.addEventListener("online", function () {
      if (stopped) {
        return;
      }
      if (socket && socket.readyState === WebSocket.OPEN) {
        // It may have survived the drop: its answer to a ping says so (live), its silence says not.
        status("reconnecting");
        ping();
      } else if (!socket) {
        window.clearTimeout(timer);
        timer = null;
        attempts = 0;
        open();
      }
    });
    window.addEventListener("offline", function () {
      if (!stopped) {
        status("offline");
        ping();
      }
    });
    open();
    return {
      send: send,
      // For tests and for a page that leaves: drop the socket as a lost network would,
      // at once (a close handshake may not finish while the network is down).
      drop: function () {
        window.clearTimeout(answerTimer);
        giveUp();
      },
    };
  }

  // --- Panels ---------------------------------------------------------------

  function isDirty(panel) {
    // An open editor holds an edit lock (LockedForm): never swap it away.
    if (panel.querySelector("details[open] form[data-lock-form]")) {
      return true;
    }
    var active = document.activeElement;
    if (active && panel.contains(active) && active.matches("input, textarea, select")) {
      return true;
    }
    var fields = panel.querySelectorAll("textarea, input[type=text], input[type=url], input:not([type])");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) {
        return true;
      }
    }
    return false;
  }

  // What counts as a change: not a CSRF token (masked anew at every render), not
  // what moves with the clock alone (an age: "circulating for 2 h"), marked data-live-volatile.
  function comparable(element) {
    var copy = element.cloneNode(true);
    copy.querySelectorAll("[data-live-volatile]").forEach(function (volatile) {
      volatile.textContent = "";
    });
    return copy.outerHTML.replace(/name="csrfmiddlewaretoken" value="[^"]*"/g, "");
  }

  function itemsOf(element) {
    var items = {};
    element.querySelectorAll("[data-item]").forEach(function (item) {
      items[item.dataset.item] = comparable(item);
    });
    return items;
  }

  function swap(panel, html) {
    var template = document.createElement("template");
    template.innerHTML = html.trim();
    var fresh = template.content.firstElementChild;
    if (!fresh) {
      return;
    }
    var before = itemsOf(panel);
    panel.replaceWith(fresh);
    var changed = 0;
    fresh.querySelectorAll("[data-item]").forEach(function (item) {
      if (before[item.dataset.item] !== comparable(item)) {
        item.classList.add("live-changed");
        changed += 1;
      }
    });
    if (!changed && comparable(fresh) !== comparable(panel)) {
      fresh.classList.add("live-changed");
    }
    fresh.querySelectorAll("[data-lock-target]").forEach(showLockOn);
    fresh.querySelectorAll("form[data-lock-form]").forEach(LockedForm);
    if (window.htmx) {
      window.htmx.process(fresh);
    }
  }

  function markStale(panel) {
    if (panel.querySelector(".live-stale-note")) {
      return;
    }
    var note = document.createElement("button");
    note.type = "button";
    note.className = "live-stale-note";
    note.textContent = gettext("This changed meanwhile: show the new version");
    note.addEventListener("click", function () {
      refreshPanel(panel, true);
    });
    panel.prepend(note);
  }

  // A panel with data-panel-select is a part of a whole page (the incident list, a statement's
  // page): fetch that page (its own address by default) and take the part, as hx-select does.
  function partOf(html, selector) {
    var found = new DOMParser().parseFromString(html, "text/html").querySelector(selector);
    return found ? found.outerHTML : null;
  }

  function refreshPanel(panel, force) {
    var select = panel.dataset.panelSelect;
    var url = panel.dataset.panelUrl || (select ? window.location.pathname + window.location.search : "");
    if (!url) {
      return Promise.resolve();
    }
    var headers = select ? {} : { "HX-Request": "true" };
    return fetch(url, { credentials: "same-origin", headers: headers })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html !== null && select) {
          html = partOf(html, select);
        }
        if (html === null || !panel.isConnected) {
          return;
        }
        if (!force && isDirty(panel)) {
          markStale(panel);
          return;
        }
        swap(panel, html);
      })
      .catch(function () {});
  }

  function PanelRefresher() {
    var pending = {};
    var timer = null;
    return function (names) {
      (names || []).forEach(function (name) {
        pending[name] = true;
      });
      if (timer) {
        return;
      }
      timer = window.setTimeout(function () {
        var due = Object.keys(pending);
        pending = {};
        timer = null;
        due.forEach(function (name) {
          document.querySelectorAll('[data-live-panel="' + name + '"]').forEach(function (panel) {
            refreshPanel(panel, false);
          });
        });
      }, REFRESH_DEBOUNCE_MS);
    };
  }

  // --- Presence and locks ------------------------------------------------------

  function renderPresence(container, presence) {
    if (!container || !presence) {
      return;
    }
    var list = container.querySelector("[data-presence-list]") || container;
    list.textContent = "";
    (presence.users || []).forEach(function (user) {
      // Initials on a colour of their own (stable per person), the name on hover and for screen readers.
      var face = document.createElement("span");
      var name = user.name + (user.state === "idle" ? " — " + gettext("idle") : "");
      face.className = "face face-" + (Math.abs(parseInt(user.id, 10) || 0) % FACE_COLOURS) + (user.state === "idle" ? " idle" : "");
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

  var locks = {};

  function renderLock(lock) {
    if (lock.holder) {
      locks[lock.target] = lock;
    } else {
      delete locks[lock.target];
    }
    document.querySelectorAll('[data-lock-target="' + lock.target + '"]').forEach(showLockOn);
  }

  function showLockOn(element) {
    var lock = locks[element.dataset.lockTarget];
    var me = document.body.dataset.userId;
    var note = element.querySelector(".lock-note");
    if (!lock || String(lock.holder.id) === me) {
      if (note) {
        note.remove();
      }
      return;
    }
    if (!note) {
      note = document.createElement("span");
      note.className = "lock-note";
      element.appendChild(note);
    }
    note.textContent = interpolate(gettext("being edited by %s"), [lock.holder.name]);
  }

  // The connection label of a page: live / reconnecting / offline...
  function showStatus(element, state) {
    if (!element) {
      return;
    }
    var labels = {
      connecting: gettext("Connecting…"),
      live: gettext("Live"),
      reconnecting: gettext("Reconnecting…"),
      offline: gettext("Offline"),
      closed: gettext("Disconnected — reload the page"),
    };
    element.dataset.state = state;
    element.textContent = labels[state] || state;
  }

  // --- The workspace ------------------------------------------------------------

  function Workspace(root) {
    var lastSeq = parseInt(root.dataset.eventSeq || "0", 10);
    var eventsUrl = root.dataset.eventsUrl;
    var statusEl = document.querySelector("[data-live-status]");
    var presenceEl = document.querySelector("[data-presence]");
    var refresh = PanelRefresher();
    var catching = false;
    var again = false;
    var socket;

    function setStatus(state) {
      showStatus(statusEl, state);
      root.dataset.liveState = state;
      announceConnection("incident", state);
    }

    function apply(event) {
      lastSeq = event.seq;
      root.dataset.eventSeq = String(lastSeq);
      refresh((event.data && event.data.panels) || []);
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
      fetchJson(eventsUrl + "?after=" + lastSeq)
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
        renderPresence(presenceEl, message.presence);
        locks = {};
        (message.locks || []).forEach(renderLock);
        document.querySelectorAll("[data-lock-target]").forEach(showLockOn);
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
        renderPresence(presenceEl, message);
      } else if (message.type === "lock") {
        renderLock(message);
      }
    }

    socket = ReconnectingSocket(root.dataset.wsPath, {
      status: setStatus,
      message: onMessage,
      probeUrl: eventsUrl + "?limit=1",
    });

    // Idle after a few minutes without a key, a click or a look at the tab.
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

    // After an HTMX post (a log entry, a chat message) the page need not wait for the echo.
    document.body.addEventListener("crisiscell:refresh", function (event) {
      refresh((event.detail && event.detail.panels) || []);
    });

    window.crisiscellLive = {
      lastSeq: function () {
        return lastSeq;
      },
      drop: socket.drop,
    };
  }

  // Other scripts follow the sockets through DOM events (form-feedback.js resends
  // what waited for the connection, role-sync.js re-renders the controls).
  function announceConnection(socket, state) {
    document.dispatchEvent(new CustomEvent("live:connection", { detail: { socket: socket, state: state } }));
  }

  // --- Notification badge -------------------------------------------------------

  function Notifications(badge) {
    var shown = parseInt(badge.dataset.unreadCount || "0", 10);
    var toast = document.querySelector("[data-live-toast]");
    ReconnectingSocket("/ws/notifications/", {
      status: function (state) {
        announceConnection("notifications", state);
      },
      probeUrl: "/api/v1/notifications/unread-count/",
      message: function (message) {
        if (message.type === "role") {
          // The user's role in a cell changed (role null: they left it).
          document.dispatchEvent(new CustomEvent("live:role", { detail: { cell: message.cell, role: message.role } }));
          return;
        }
        if (message.type !== "unread") {
          return;
        }
        var count = message.count;
        // The notifications page refreshes its list on this (notifications-live.js).
        document.dispatchEvent(new CustomEvent("crisiscell:unread", { detail: message }));
        badge.dataset.unreadCount = String(count);
        var number = badge.querySelector("[data-unread-number]") || badge;
        number.textContent = String(count);
        badge.classList.toggle("has-unread", count > 0);
        badge.hidden = false;
        if (count > shown && message.latest && toast) {
          toast.textContent = "";
          var link = document.createElement("a");
          link.href = message.latest.link || badge.getAttribute("href") || "#";
          link.textContent = message.latest.title;
          toast.appendChild(link);
          toast.hidden = false;
          window.setTimeout(function () {
            toast.hidden = true;
          }, 8000);
        }
        shown = count;
      },
    });
  }

  // --- Edit locks on the edit forms ---------------------------------------------
  //
  // Opening an editor takes the lock ("being edited by you"); typing renews it;
  // closing the editor or leaving the page releases it; an abandoned tab lets it
  // lapse. Someone else's lock disables the form and says who, until it is free.

  function LockedForm(form) {
    var url = form.dataset.lockUrl;
    var target = form.dataset.lockForm;
    var note = form.querySelector("[data-lock-status]");
    var details = form.closest("details");
    var holding = false;
    var typedAt = 0;

    function editing() {
      return details ? details.open : form.contains(document.activeElement);
    }

    function show(holder) {
      form.querySelectorAll("textarea, input:not([type=hidden]), select, button[type=submit]").forEach(function (field) {
        field.disabled = !!holder;
      });
      if (note) {
        note.hidden = !holder;
        note.textContent = holder
          ? interpolate(gettext("%s is editing this; you can edit it when they are done."), [holder.name])
          : "";
      }
    }

    function look() {
      return fetchJson(url).then(function (answer) {
        var locks = Array.isArray(answer.body) ? answer.body : [];
        var lock = locks.find(function (candidate) {
          return candidate.target === target;
        });
        show(lock && String(lock.holder.id) !== document.body.dataset.userId ? lock.holder : null);
      });
    }

    function take() {
      return fetchJson(url, { method: "POST", body: { target: target } }).then(function (answer) {
        holding = answer.status === 200;
        show(answer.status === 409 ? answer.body.current.holder : null);
      });
    }

    function release() {
      if (holding) {
        holding = false;
        fetchJson(url + encodeURIComponent(target) + "/", { method: "DELETE", keepalive: true });
      }
    }

    form.addEventListener("input", function () {
      typedAt = Date.now();
    });
    if (details) {
      details.addEventListener("toggle", function () {
        if (details.open) {
          typedAt = Date.now();
          take();
        } else {
          release();
        }
      });
    } else {
      form.addEventListener("focusin", function () {
        if (!holding) {
          typedAt = Date.now();
          take();
        }
      });
    }
    form.addEventListener("submit", function () {
      holding = false; // saving releases it on the server
    });
    look();
    var renewer = window.setInterval(function () {
      if (!form.isConnected) {
        window.clearInterval(renewer); // swapped away by a live refresh (not while open: see isDirty)
        return;
      }
      if (holding && Date.now() - typedAt < 3 * LOCK_RENEW_MS) {
        take(); // renew while the person works
      } else if (holding) {
        release(); // open but untouched for a while: let the others in
      } else if (editing()) {
        take(); // waiting for the other person to finish
      } else {
        look();
      }
    }, LOCK_RENEW_MS);
    window.addEventListener("pagehide", release);
  }

  // What the other live scripts (incident-list-live.js, notifications-live.js...) build on.
  window.CrisisCellLive = {
    socket: ReconnectingSocket,
    refreshPanel: refreshPanel,
    showStatus: showStatus,
  };

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-live-incident]");
    if (root && window.WebSocket) {
      Workspace(root);
    }
    var badge = document.querySelector("[data-notifications-badge]");
    if (badge && window.WebSocket) {
      Notifications(badge);
    }
    document.querySelectorAll("form[data-lock-form]").forEach(LockedForm);
  });
})();
