// The page's controls follow the person's role, live.
//
// When the person's role in a cell changes (live:role, from the notifications
// socket, after the change is committed) or a form is refused with 403/404
// (crisiscell:resync-controls, from form-feedback.js: the page was out of date),
// the page fetches itself again and re-renders each of its data-role-region
// parts from the fresh copy, and asks for a refresh of its live panels (live/panels.js: the
// level buttons, the facts' and claims' actions...).
//
// A region someone is typing in is not taken away: it stays, its submit is
// disabled, and a note says why, so the text can be copied. Removed from the
// cell (the page answers 404): every form of the page says so the same way.
// A later issue moves this to htmx morphing; the regions are what it will morph.
(function () {
  "use strict";

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

  var ROLE_LABELS = {
    observer: gettext("Observer"),
    member: gettext("Member"),
    manager: gettext("Manager"),
    admin: gettext("Administrator"),
  };

  function isDirty(region) {
    var fields = region.querySelectorAll("textarea, input[type=text], input[type=url], input:not([type])");
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value.trim() !== fields[i].defaultValue.trim()) {
        return true;
      }
    }
    return false;
  }

  function forms(region) {
    return Array.prototype.map.call(region.querySelectorAll("form"), function (form) {
      return form.getAttribute("action") || "";
    });
  }

  function banner(text, urgent) {
    var main = document.querySelector("main");
    if (!main) {
      return;
    }
    var box = document.querySelector("[data-role-banner]");
    if (!box) {
      box = document.createElement("p");
      box.className = "role-note role-banner";
      box.dataset.roleBanner = "";
      main.prepend(box);
    }
    box.setAttribute("role", urgent ? "alert" : "status");
    box.textContent = text;
  }

  // Keep the typed text on screen, but make clear it can no longer be sent from here.
  function freeze(region, text) {
    region.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (button) {
      if (!button.disabled) {
        button.disabled = true;
        button.dataset.roleFrozen = "";
      }
    });
    var note = region.querySelector("[data-role-note]");
    if (!note) {
      note = document.createElement("p");
      note.className = "role-note";
      note.dataset.roleNote = "";
      note.setAttribute("role", "alert");
      region.prepend(note);
    }
    note.textContent = text;
  }

  // The role allows it again (promoted back): the kept text can be sent.
  function thaw(region) {
    region.querySelectorAll("[data-role-frozen]").forEach(function (button) {
      button.disabled = false;
      delete button.dataset.roleFrozen;
    });
    var note = region.querySelector("[data-role-note]");
    if (note) {
      note.remove();
    }
  }

  function refreshLivePanels() {
    var names = {};
    document.querySelectorAll("[data-live-panel]").forEach(function (panel) {
      names[panel.dataset.livePanel] = true;
    });
    document.body.dispatchEvent(new CustomEvent("crisiscell:refresh", { detail: { panels: Object.keys(names) } }));
  }

  function apply(fresh, roleText) {
    document.querySelectorAll("[data-role-region][id]").forEach(function (region) {
      var replacement = fresh.getElementById(region.id);
      if (!replacement) {
        return; // not a part of the fresh page: leave it
      }
      var stillThere = forms(replacement);
      var lost = forms(region).some(function (action) {
        return stillThere.indexOf(action) < 0;
      });
      if (isDirty(region) || region.contains(document.activeElement)) {
        if (lost) {
          freeze(
            region,
            interpolate(gettext("%s You can no longer send this from here; your text is kept so you can copy it."), [
              roleText,
            ])
          );
        } else {
          thaw(region);
        }
        return; // never swapped under someone's fingers
      }
      var node = document.importNode(replacement, true);
      region.replaceWith(node);
      if (window.htmx) {
        window.htmx.process(node);
      }
      node.dispatchEvent(new CustomEvent("crisiscell:content", { bubbles: true }));
    });
    refreshLivePanels();
  }

  function lockEverything(text) {
    banner(text, true);
    document.querySelectorAll("main form").forEach(function (form) {
      freeze(form, text);
    });
  }

  var running = null;
  var again = null;

  function resync(roleText) {
    if (running) {
      again = roleText; // one after the other: the last change wins
      return;
    }
    running = fetch(window.location.pathname + window.location.search, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    })
      .then(function (response) {
        var login = document.body.dataset.loginUrl;
        if (login && new URL(response.url).pathname === login) {
          lockEverything(gettext("You are signed out: nothing can be saved here. Copy your text, then sign in again."));
          return null;
        }
        if (response.status === 403 || response.status === 404) {
          lockEverything(
            gettext("You are no longer a member of this cell: nothing can be saved here. Copy your text if you need it.")
          );
          return null;
        }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html) {
          apply(new DOMParser().parseFromString(html, "text/html"), roleText);
        }
      })
      .catch(function () {
        // Offline: the next role event, or the next refused form, tries again.
      })
      .then(function () {
        running = null;
        if (again !== null) {
          var next = again;
          again = null;
          resync(next);
        }
      });
  }

  document.addEventListener("live:role", function (event) {
    var detail = event.detail || {};
    var here = String(detail.cell) === document.body.dataset.cellId;
    if (detail.role === null) {
      if (here) {
        lockEverything(
          gettext("You are no longer a member of this cell: nothing can be saved here. Copy your text if you need it.")
        );
      }
      return;
    }
    var label = ROLE_LABELS[detail.role] || detail.role;
    var roleText = interpolate(gettext("Your role in this cell is now %s."), [label]);
    if (here) {
      banner(roleText + " " + gettext("The page now shows what you can do."), false);
    }
    resync(roleText);
  });

  document.addEventListener("crisiscell:resync-controls", function () {
    resync(gettext("Your role in this cell has changed."));
  });
})();
