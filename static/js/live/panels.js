// The live pages, part 3 of 7: panels refresh themselves with htmx (see base.js).
//
// A live panel is plain htmx in its template:
//   <div data-live-panel="log" hx-get="<its fragment>" hx-trigger="live:log from:body" hx-swap="morph">
// A part of a whole page (the incident list, a statement's page) adds hx-select="#its-id" and
// data-panel-here: the page's own address, filters included, is what is fetched.
//
// live.refresh(["log", "chat"]) fires live:log and live:chat on <body>, once for a burst of
// events. htmx fetches; an event during a fetch queues one more (htmx's default, "last");
// a refused or failed fetch swaps nothing. The "morph" swap (idiomorph, vendored) updates the
// panel in place instead of replacing it, so focus, the cursor and typed text stay where
// they are: no panel waits any more for the person to stop typing.
//
// During a live morph, what the person set is theirs, not the server's:
// - a form they have started (a field changed) keeps every value, hidden ones included: it
//   is sent as they saw it, and the server's revision check says if it went stale meanwhile;
// - the focused field keeps its value; a <details> stays as open or closed as they left it;
// - the notes written beside their text (not sent, draft back, role changed) stay.
// The items that changed are highlighted (live-changed).
(function () {
  "use strict";

  var live = window.CrisisCellLive;
  var REFRESH_DEBOUNCE_MS = 60;
  // Notes this page wrote inside forms (form-feedback.js, drafts.js, role-sync.js).
  var PAGE_NOTES = "[data-form-feedback], [data-draft-note], [data-role-note]";
  var FIELDS = /^(INPUT|TEXTAREA|SELECT)$/;

  // --- Firing ---------------------------------------------------------------------

  var pending = {};
  var timer = null;

  live.refresh = function (names) {
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
        document.body.dispatchEvent(new CustomEvent("live:" + name));
      });
    }, REFRESH_DEBOUNCE_MS);
  };

  // After an HTMX post (a log entry, a chat message: the server's HX-Trigger) the page
  // need not wait for the echo; role-sync.js asks for every panel when the role changed.
  // (Listened to on <body>: role-sync.js dispatches it there, without bubbling.)
  document.body.addEventListener("crisiscell:refresh", function (event) {
    live.refresh((event.detail && event.detail.panels) || []);
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-panel-here")) {
      event.detail.path = window.location.pathname + window.location.search;
    }
  });

  // --- What stays the person's ------------------------------------------------------

  function changed(field) {
    if (!FIELDS.test(field.tagName) || field.type === "hidden" || field.type === "file") {
      return false;
    }
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    return field.value !== field.defaultValue;
  }

  function started(form) {
    return !!form && Array.prototype.some.call(form.elements, changed);
  }

  function keepsOwn(name, element) {
    if (name === "open") {
      return element.tagName === "DETAILS";
    }
    if (name !== "value" && name !== "checked" && name !== "selected") {
      return false;
    }
    var field = element.tagName === "OPTION" ? element.closest("select") : element;
    return !!field && FIELDS.test(field.tagName) && (changed(field) || started(field.form));
  }

  var MORPH = {
    ignoreActiveValue: true,
    restoreFocus: true,
    callbacks: {
      beforeAttributeUpdated: function (name, element) {
        return !keepsOwn(name, element);
      },
      beforeNodeRemoved: function (node) {
        return !(node.matches && node.matches(PAGE_NOTES));
      },
    },
  };

  // Without an id a note could be taken for a paragraph of the fresh HTML and overwritten
  // (idiomorph pairs elements of the same tag that carry no different ids).
  var noteIds = 0;
  function nameNotes(panel) {
    panel.querySelectorAll(PAGE_NOTES).forEach(function (note) {
      if (!note.id) {
        noteIds += 1;
        note.id = "live-note-" + noteIds;
      }
    });
  }

  // hx-swap="morph" (the panel itself) or "morph:innerHTML" (its content: the incident rows).
  // No "morph:{...}" configuration from the attribute: that would need eval, which the CSP forbids.
  if (window.htmx && window.Idiomorph) {
    window.htmx.defineExtension("live-morph", {
      isInlineSwap: function (swapStyle) {
        return swapStyle === "morph";
      },
      handleSwap: function (swapStyle, target, fragment) {
        if (swapStyle !== "morph" && swapStyle !== "morph:innerHTML") {
          return false;
        }
        nameNotes(target);
        var config = Object.assign({}, MORPH, { morphStyle: swapStyle === "morph" ? "outerHTML" : "innerHTML" });
        return window.Idiomorph.morph(target, fragment.children, config);
      },
    });
  }

  // --- What changed: highlighted ------------------------------------------------------

  // Not a change: a CSRF token (masked anew at every render), what moves with the clock alone
  // (an age: "circulating for 2 h", marked data-live-volatile), what this page added itself.
  function comparable(element) {
    var copy = element.cloneNode(true);
    copy.querySelectorAll("[data-live-volatile]").forEach(function (volatile) {
      volatile.textContent = "";
    });
    copy.querySelectorAll(".lock-note, " + PAGE_NOTES).forEach(function (added) {
      added.remove();
    });
    [copy].concat(Array.prototype.slice.call(copy.querySelectorAll(".live-changed"))).forEach(function (node) {
      node.classList.remove("live-changed");
      if (!node.classList.length) {
        node.removeAttribute("class");
      }
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

  function highlight(element) {
    element.classList.remove("live-changed");
    void element.offsetWidth; // restart the animation of an element highlighted a moment ago
    element.classList.add("live-changed");
  }

  var before = new WeakMap();

  function panelOf(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.hasAttribute && elt.hasAttribute("data-live-panel") ? elt : null;
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var panel = panelOf(event);
    if (panel && event.detail.shouldSwap) {
      before.set(panel, { items: itemsOf(panel), whole: comparable(panel) });
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var panel = panelOf(event);
    var was = panel && before.get(panel);
    if (!was || !panel.isConnected) {
      return;
    }
    before.delete(panel);
    var changes = 0;
    panel.querySelectorAll("[data-item]").forEach(function (item) {
      if (was.items[item.dataset.item] !== comparable(item)) {
        highlight(item);
        changes += 1;
      }
    });
    if (!changes && was.whole !== comparable(panel)) {
      highlight(panel);
    }
    panel.dispatchEvent(new CustomEvent("live:refreshed", { bubbles: true }));
  });
})();
