// A success banner that someone else's change has made false does not stay on screen.
//
// "Level changed to Alert" is true when the page is drawn; if another member then
// moves the level, the live event (crisiscell:event, from live/workspace.js) names the
// change, and the banner says it is out of date instead. A banner declares what
// makes it false (crisiscell/flash.py): data-stale-on="<event type prefix>" or
// "<prefix>|<data key>=<value>" (e.g. "fact.|fact=12": any change of fact 12).
(function () {
  "use strict";

  var gettext =
    window.gettext ||
    function (text) {
      return text;
    };

  function matches(rule, event) {
    var parts = rule.split("|");
    if (!event.type || event.type.indexOf(parts[0]) !== 0) {
      return false;
    }
    if (parts.length < 2) {
      return true;
    }
    var pair = parts[1].split("=");
    return String((event.data || {})[pair[0]]) === pair[1];
  }

  function outdate(banner) {
    banner.dataset.stale = "true";
    banner.removeAttribute("data-stale-on");
    banner.className = "flash-info";
    banner.setAttribute("role", "status");
    banner.textContent = gettext("Out of date: someone else has changed this since. The page shows what is true now.");
  }

  document.addEventListener("crisiscell:event", function (event) {
    var change = event.detail || {};
    document.querySelectorAll("[data-stale-on]").forEach(function (banner) {
      if (matches(banner.dataset.staleOn, change)) {
        outdate(banner);
      }
    });
  });
})();
