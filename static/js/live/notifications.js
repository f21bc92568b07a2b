// The live pages, part 7 of 7: the bell, on every page (see base.js).
//
// One socket per page (/ws/notifications/): the unread count and a toast for a new
// notification (crisiscell:unread: the notifications page refreshes its list on it), and
// the person's role changes in their cells (live:role: role-sync.js updates the controls).
(function () {
  "use strict";

  var live = window.CrisisCellLive;
  var TOAST_FOR_MS = 8000;

  function Notifications(badge) {
    var shown = parseInt(badge.dataset.unreadCount || "0", 10);
    var toast = document.querySelector("[data-live-toast]");

    function showToast(latest) {
      toast.textContent = "";
      var link = document.createElement("a");
      link.href = latest.link || badge.getAttribute("href") || "#";
      link.textContent = latest.title;
      toast.appendChild(link);
      toast.hidden = false;
      window.setTimeout(function () {
        toast.hidden = true;
      }, TOAST_FOR_MS);
    }

    function unread(message) {
      var count = message.count;
      document.dispatchEvent(new CustomEvent("crisiscell:unread", { detail: message }));
      badge.dataset.unreadCount = String(count);
      var number = badge.querySelector("[data-unread-number]") || badge;
      number.textContent = String(count);
      badge.classList.toggle("has-unread", count > 0);
      badge.hidden = false;
      if (count > shown && message.latest && toast) {
        showToast(message.latest);
      }
      shown = count;
    }

    live.socket("/ws/notifications/", {
      status: function (state) {
        live.announceConnection("notifications", state);
      },
      probeUrl: "/api/v1/notifications/unread-count/",
      message: function (message) {
        if (message.type === "role") {
          // The user's role in a cell changed (role null: they left it).
          document.dispatchEvent(new CustomEvent("live:role", { detail: { cell: message.cell, role: message.role } }));
        } else if (message.type === "unread") {
          unread(message);
        }
      },
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var badge = document.querySelector("[data-notifications-badge]");
    if (badge && window.WebSocket) {
      Notifications(badge);
    }
  });
})();
