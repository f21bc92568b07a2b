// Half-typed text survives a reload: every form marked data-draft="<key>" (the
// crisis log, the chat, the statement editors...) keeps its text fields in
// localStorage, per user and per key (the key names the incident or statement).
//
// - Typing saves (debounced, and at once when the page is left); a form typed back
//   to what the server rendered forgets it.
// - Loading the page brings a kept draft back, with a note and a way to discard
//   it. If what the server shows changed since the draft was started (someone
//   saved the statement meanwhile), the draft does not overwrite it: the note
//   offers to bring it back instead.
// - A successful send forgets it: an HTMX 2xx answer for the form, or the next
//   page's flash message naming the key (data-clear-draft, crisiscell/flash.py).
// - Forms marked data-warn-unsaved (statement drafts) ask before the page is left
//   with changes not saved.
// Drafts older than a week are dropped: crisis text should not linger in a browser.
(function () {
  "use strict";

  var SAVE_AFTER_MS = 300;
  var KEEP_FOR_MS = 7 * 24 * 3600 * 1000;
  var PREFIX = "crisiscell.draft.";

  var gettext =
    window.gettext ||
    function (text) {
      return text;
    };

  var storage = (function () {
    try {
      var probe = PREFIX + "probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (error) {
      return null; // private mode, or storage refused: drafts are simply not kept
    }
  })();

  function storageKey(key) {
    return PREFIX + (document.body.dataset.userId || "anonymous") + "." + key;
  }

  function read(key) {
    if (!storage) {
      return null;
    }
    try {
      var draft = JSON.parse(storage.getItem(storageKey(key)) || "null");
      if (draft && Date.now() - draft.at > KEEP_FOR_MS) {
        forget(key);
        return null;
      }
      return draft;
    } catch (error) {
      return null;
    }
  }

  function write(key, draft) {
    if (storage) {
      try {
        storage.setItem(storageKey(key), JSON.stringify(draft));
      } catch (error) {
        // full: the text is still in the form
      }
    }
  }

  function forget(key) {
    if (storage) {
      storage.removeItem(storageKey(key));
    }
  }

  // The fields a person types text in (not hidden ones, not the CSRF token).
  function textFields(form) {
    return Array.prototype.filter.call(
      form.querySelectorAll("textarea[name], input[name]"),
      function (field) {
        var type = (field.getAttribute("type") || "text").toLowerCase();
        return field.tagName === "TEXTAREA" || ["text", "url", "search", "email"].indexOf(type) >= 0;
      }
    );
  }

  function values(form, which) {
    var result = {};
    textFields(form).forEach(function (field) {
      result[field.name] = which === "default" ? field.defaultValue : field.value;
    });
    return result;
  }

  function same(a, b) {
    return Object.keys(a).every(function (name) {
      return (a[name] || "").trim() === (b[name] || "").trim();
    });
  }

  function note(form, text, actions) {
    var existing = form.querySelector("[data-draft-note]");
    if (existing) {
      existing.remove();
    }
    var box = document.createElement("p");
    box.className = "draft-note";
    box.dataset.draftNote = "";
    box.setAttribute("role", "status");
    var words = document.createElement("span");
    words.textContent = text;
    box.appendChild(words);
    actions.forEach(function (action) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "linklike";
      button.textContent = action.label;
      button.addEventListener("click", function () {
        action.run();
        box.remove();
      });
      box.appendChild(button);
    });
    form.prepend(box);
  }

  function fill(form, fields) {
    textFields(form).forEach(function (field) {
      if (Object.prototype.hasOwnProperty.call(fields, field.name)) {
        field.value = fields[field.name];
        field.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
  }

  // Forms whose text on the page is a kept draft the server sent back refused:
  // the page shows it, but it is not saved.
  var shownUnsaved = [];

  function restore(form) {
    var key = form.dataset.draft;
    var draft = read(key);
    if (!draft || !draft.fields) {
      return;
    }
    var shown = values(form, "current");
    if (same(draft.fields, shown)) {
      if (document.body.dataset.pageUrl) {
        shownUnsaved.push(form); // a refused form, sent back with its text: still not saved
      }
      return;
    }
    var discard = {
      label: gettext("Discard it"),
      run: function () {
        forget(key);
        fill(form, values(form, "default"));
      },
    };
    if (same(draft.base || {}, values(form, "default"))) {
      fill(form, draft.fields);
      note(form, gettext("Your unsent text is back."), [discard]);
    } else {
      // Someone saved a newer text since: do not write over it without asking.
      note(form, gettext("You have unsent text from before this was changed by someone else."), [
        {
          label: gettext("Bring my text back"),
          run: function () {
            fill(form, draft.fields);
          },
        },
        discard,
      ]);
    }
  }

  // Saves waiting for the typing to pause: key -> {timer, form}.
  var pending = {};

  function save(form) {
    var key = form.dataset.draft;
    var current = values(form, "current");
    var base = values(form, "default");
    if (same(current, base)) {
      forget(key);
      return;
    }
    var previous = read(key);
    write(key, { fields: current, base: (previous && previous.base) || base, at: Date.now() });
  }

  function cancel(key) {
    if (pending[key]) {
      window.clearTimeout(pending[key].timer);
      delete pending[key];
    }
  }

  function remember(form) {
    var key = form.dataset.draft;
    cancel(key);
    pending[key] = {
      form: form,
      timer: window.setTimeout(function () {
        delete pending[key];
        save(form);
      }, SAVE_AFTER_MS),
    };
  }

  // The page is left (a reload, a link, a full-page submit) before the typing paused:
  // save now, or the last keys are lost with the page's timers.
  window.addEventListener("pagehide", function () {
    Object.keys(pending).forEach(function (key) {
      var form = pending[key].form;
      cancel(key);
      if (form.isConnected) {
        save(form);
      }
    });
  });

  // Each form once: a form that a live refresh morphed in place is the same form, whose
  // text is being typed (bringing the last saved draft back would undo the latest keys).
  var seen = new WeakSet();
  function restoreOnce(form) {
    if (!seen.has(form)) {
      seen.add(form);
      restore(form);
    }
  }

  function scan(root) {
    if (root.matches && root.matches("form[data-draft]")) {
      restoreOnce(root);
    }
    if (root.querySelectorAll) {
      root.querySelectorAll("form[data-draft]").forEach(restoreOnce);
    }
  }

  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form[data-draft]");
    if (form && event.isTrusted) {
      remember(form);
    }
  });

  // Saved: the HTMX answer for the form was a success. Forgotten before the answer is
  // swapped in, so that the fresh, empty form is not filled again with what was just sent.
  function forgetIfSaved(event) {
    var detail = event.detail || {};
    // beforeSwap fires on the target; the form that asked is the request's element.
    var form = (detail.requestConfig && detail.requestConfig.elt) || detail.elt;
    var xhr = detail.xhr;
    if (form && form.dataset && form.dataset.draft && xhr && xhr.status >= 200 && xhr.status < 300) {
      cancel(form.dataset.draft);
      forget(form.dataset.draft);
    }
  }
  document.addEventListener("htmx:beforeSwap", forgetIfSaved);
  document.addEventListener("htmx:afterRequest", forgetIfSaved);

  // New forms on the page (a swapped panel, controls re-rendered for a new role).
  document.addEventListener("htmx:load", function (event) {
    scan(event.target);
  });
  document.addEventListener("crisiscell:content", function (event) {
    scan(event.target);
  });

  // Leaving a statement draft with changes not saved asks first.
  var submitting = false;
  document.addEventListener("submit", function (event) {
    if (event.target.matches && event.target.matches("form[data-warn-unsaved]")) {
      submitting = true;
    }
  });
  window.addEventListener("pageshow", function () {
    submitting = false;
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting) {
      return;
    }
    var changed = Array.prototype.some.call(document.querySelectorAll("form[data-warn-unsaved]"), function (form) {
      return shownUnsaved.indexOf(form) >= 0 || !same(values(form, "current"), values(form, "default"));
    });
    if (changed) {
      event.preventDefault();
      event.returnValue = ""; // older browsers need it set to show the question
    }
  });

  // The flash of the page that follows a successful full-page save names what it saved.
  // Forgotten as soon as this (deferred) script runs, the page being parsed by then.
  document.querySelectorAll("[data-clear-draft]").forEach(function (flash) {
    forget(flash.dataset.clearDraft);
  });
  document.addEventListener("DOMContentLoaded", function () {
    scan(document);
  });
})();
