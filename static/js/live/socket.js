// The live pages, part 2 of 7: a socket that comes back by itself (see base.js).
//
// ReconnectingSocket(path, {status(state), message(data), probeUrl}) -> {send, drop}.
// States: connecting, live, reconnecting, offline, closed (for good: forbidden).
(function () {
  "use strict";

  var live = window.CrisisCellLive;
  var PING_EVERY_MS = 25000;
  // A socket that answers nothing this long after a ping is dead, whatever its readyState says.
  var ANSWER_WITHIN_MS = 10000;
  var CLOSE_FORBIDDEN = 4403;

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
      var mine = new WebSocket(live.socketUrl(path));
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
          live.fetchJson(handlers.probeUrl)
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

  live.socket = ReconnectingSocket;
})();
