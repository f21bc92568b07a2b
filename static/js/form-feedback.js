// Nothing fails silently: an in-place (HTMX) form that could not be sent says so
// beside its button, keeps what was typed, and says what to do.
//
// HTMX does not swap a 4xx/5xx answer (htmx-config in base.html) and never
// clears a form it could not send, so the text is still there; this adds the
// words. htmx:responseError (the server refused) and htmx:sendError /
// htmx:timeout (no answer) are htmx's own events: no fetch wrapper here.
// A form marked data-resend-when-online (the chat) goes out by itself when the
// connection is back (live:connection from live/base.js), once; if the server then
// refuses it, it says so and keeps the text.
//
// Also: a full page answering a refused POST (errors shown, text kept) takes the
// page's own address (data-page-url), so that a reload shows the page instead
// of posting the form again.
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

  // A refused POST's page: the address bar shows the page, and a reload is a GET.
  var pageUrl = document.body && document.body.dataset.pageUrl;
  if (pageUrl && window.history && window.history.replaceState) {
    window.history.replaceState(window.history.state, "", pageUrl);
  }

  var statusRegion = null;

  // Announced politely to screen readers, without moving anything on the screen.
  function announce(text) {
    if (!statusRegion) {
      statusRegion = document.createElement("p");
      statusRegion.className = "visually-hidden";
      statusRegion.setAttribute("role", "status");
      statusRegion.setAttribute("aria-live", "polite");
      document.body.appendChild(statusRegion);
    }
    statusRegion.textContent = "";
    window.setTimeout(function () {
      statusRegion.textContent = text;
    }, 50);
  }

  function formOf(event) {
    var elt = event.detail && event.detail.elt;
    if (!elt || !elt.closest) {
      return null;
    }
    return elt.matches("form") ? elt : elt.closest("form");
  }

  // The note sits just above the row that holds the submit button: where the person is looking.
  function feedbackSlot(form) {
    var slot = form.querySelector("[data-form-feedback]");
    if (slot) {
      return slot;
    }
    slot = document.createElement("p");
    slot.className = "form-feedback";
    slot.setAttribute("role", "alert");
    slot.dataset.formFeedback = "";
    var button = form.querySelector("button[type=submit], button:not([type])");
    var row = button;
    while (row && row.parentElement !== form) {
      row = row.parentElement;
    }
    if (row) {
      form.insertBefore(slot, row);
    } else {
      form.prepend(slot);
    }
    return slot;
  }

  function say(form, kind, text) {
    var slot = feedbackSlot(form);
    slot.dataset.kind = kind;
    slot.textContent = text;
    slot.hidden = false;
    if (slot.scrollIntoView) {
      slot.scrollIntoView({ block: "nearest" });
    }
  }

  function clear(form) {
    var slot = form.querySelector("[data-form-feedback]");
    if (slot) {
      slot.remove();
    }
  }

  // What the server said, when it said something a person can act on (crisiscell/htmx_errors.py).
  function serverMessage(xhr) {
    var type = (xhr.getResponseHeader && xhr.getResponseHeader("Content-Type")) || "";
    var text = xhr.responseText || "";
    if (type.indexOf("text/html") === 0 && text) {
      var doc = new DOMParser().parseFromString(text, "text/html");
      var message = doc.querySelector("[data-error-message]");
      return message ? message.textContent.trim() : "";
    }
    if (type.indexOf("application/json") === 0) {
      try {
        var body = JSON.parse(text);
        return typeof body.detail === "string" ? body.detail : "";
      } catch (error) {
        return "";
      }
    }
    // A short plain-text answer (a conflict's sentence).
    return type.indexOf("text/plain") === 0 && text.length < 500 ? text.trim() : "";
  }

  function refusal(xhr) {
    var status = xhr.status;
    var said = serverMessage(xhr);
    if (status === 403) {
      return interpolate(gettext("Not saved: %s Your text is kept here."), [
        said || gettext("the server refused it (your role or your session may have changed)."),
      ]);
    }
    if (status === 404) {
      return interpolate(gettext("Not saved: %s Your text is kept here."), [
        said || gettext("it no longer exists, or you are no longer a member of this cell."),
      ]);
    }
    if (status === 409) {
      return interpolate(gettext("Not saved: %s Your text is kept here."), [
        said || gettext("someone changed this meanwhile."),
      ]);
    }
    if (status === 413) {
      return gettext("Not saved: it is too long. Shorten it, then send it again.");
    }
    if (status === 429) {
      return gettext("Not sent: too many requests. Wait a moment, then send it again; your text is kept here.");
    }
    if (status >= 500) {
      return gettext("Not saved: the server had a problem. Your text is kept here; send it again in a moment.");
    }
    return interpolate(gettext("Not saved (error %s). Your text is kept here."), [String(status)]);
  }

  // --- Sending ------------------------------------------------------------------

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = formOf(event);
    if (!form || event.detail.elt !== form) {
      return;
    }
    clear(form);
    form.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = formOf(event);
    if (!form || event.detail.elt !== form) {
      return;
    }
    form.removeAttribute("aria-busy");
    var xhr = event.detail.xhr;
    if (xhr && xhr.status >= 200 && xhr.status < 300 && form.dataset.resending) {
      announce(gettext("Sent, now that the connection is back."));
    }
    if (xhr && xhr.status >= 200 && xhr.status < 300) {
      delete form.dataset.resending;
      delete form.dataset.waitingForConnection;
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var form = formOf(event);
    if (!form) {
      return;
    }
    delete form.dataset.waitingForConnection;
    delete form.dataset.resending;
    say(form, "refused", refusal(event.detail.xhr));
    if (event.detail.xhr.status === 403 || event.detail.xhr.status === 404) {
      // The page shows controls the person no longer has: bring them up to date (role-sync.js).
      document.dispatchEvent(new CustomEvent("crisiscell:resync-controls", { detail: { form: form } }));
    }
  });

  function unsent(event) {
    var form = formOf(event);
    if (!form) {
      return;
    }
    var verb = (event.detail.requestConfig && event.detail.requestConfig.verb) || "post";
    if (verb.toLowerCase() === "get") {
      // A filter or a search: nothing typed is at stake, only the list.
      say(form, "offline", gettext("Not updated: no connection. Try again when it is back."));
      return;
    }
    if (form.hasAttribute("data-resend-when-online")) {
      var again = form.dataset.resending;
      form.dataset.waitingForConnection = "true";
      delete form.dataset.resending;
      say(
        form,
        "queued",
        again
          ? gettext("Still offline: not sent, kept here. It goes out by itself when the connection is back.")
          : gettext("Offline: not sent, kept here. It goes out by itself when the connection is back.")
      );
    } else {
      say(form, "offline", gettext("Offline: not saved, kept here. Send it again when the connection is back."));
    }
  }
  document.addEventListener("htmx:sendError", unsent);
  document.addEventListener("htmx:timeout", unsent);

  // The connection is back: what waited for it goes out, once each.
  document.addEventListener("live:connection", function (event) {
    if (event.detail.state !== "live") {
      return;
    }
    document.querySelectorAll("form[data-waiting-for-connection]").forEach(function (form) {
      delete form.dataset.waitingForConnection;
      form.dataset.resending = "true";
      say(form, "queued", gettext("Connection back: sending…"));
      if (form.requestSubmit) {
        form.requestSubmit();
      } else if (window.htmx) {
        window.htmx.trigger(form, "submit");
      }
    });
  });
})();
