// The live pages, part 5 of 7: edit locks (see base.js).
//
// - live.locks.reset(list) / live.locks.render(lock), from the incident's socket: each
//   element marked data-lock-target="<target>" says "being edited by <name>" while someone
//   else holds that lock.
// - Each form[data-lock-form] takes the lock while it is open: opening the editor takes it
//   ("being edited by you"), typing renews it, closing the editor or leaving the page releases
//   it, an abandoned tab lets it lapse. Someone else's lock disables the form and says who,
//   until it is free.
// A live morph (panels.js) keeps the form but brings back the server's attributes: the notes
// and the disabled fields are put back after it (htmx:load).
(function () {
  "use strict";

  var live = window.CrisisCellLive;
  var LOCK_RENEW_MS = 30000;
  var held = {}; // target -> lock, for the locks someone holds now

  function me() {
    return document.body.dataset.userId;
  }

  function showLockOn(element) {
    var lock = held[element.dataset.lockTarget];
    var note = element.querySelector(".lock-note");
    if (!lock || String(lock.holder.id) === me()) {
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
    note.textContent = live.interpolate(live.gettext("being edited by %s"), [lock.holder.name]);
  }

  function render(lock) {
    if (lock.holder) {
      held[lock.target] = lock;
    } else {
      delete held[lock.target];
    }
    document.querySelectorAll('[data-lock-target="' + lock.target + '"]').forEach(showLockOn);
  }

  live.locks = {
    render: render,
    reset: function (locks) {
      held = {};
      (locks || []).forEach(render);
      document.querySelectorAll("[data-lock-target]").forEach(showLockOn);
    },
  };

  var forms = new WeakMap(); // form -> its LockedForm

  function LockedForm(form) {
    var url = form.dataset.lockUrl;
    var target = form.dataset.lockForm;
    var details = form.closest("details");
    var holding = false;
    var typedAt = 0;
    var shownHolder = null;

    function editing() {
      return details ? details.open : form.contains(document.activeElement);
    }

    function show(holder) {
      shownHolder = holder;
      form.querySelectorAll("textarea, input:not([type=hidden]), select, button[type=submit]").forEach(function (field) {
        field.disabled = !!holder;
      });
      var note = form.querySelector("[data-lock-status]");
      if (note) {
        note.hidden = !holder;
        note.textContent = holder
          ? live.interpolate(live.gettext("%s is editing this; you can edit it when they are done."), [holder.name])
          : "";
      }
    }

    function look() {
      return live.fetchJson(url).then(function (answer) {
        var locks = Array.isArray(answer.body) ? answer.body : [];
        var lock = locks.find(function (candidate) {
          return candidate.target === target;
        });
        show(lock && String(lock.holder.id) !== me() ? lock.holder : null);
      });
    }

    function take() {
      return live.fetchJson(url, { method: "POST", body: { target: target } }).then(function (answer) {
        holding = answer.status === 200;
        show(answer.status === 409 ? answer.body.current.holder : null);
      });
    }

    function release() {
      if (holding) {
        holding = false;
        live.fetchJson(url + encodeURIComponent(target) + "/", { method: "DELETE", keepalive: true });
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
        window.clearInterval(renewer); // gone from the page (a morph that removed it, a role change)
        release();
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
    return {
      // After a morph: the server's HTML enabled the fields again and hid the note.
      reapply: function () {
        show(shownHolder);
      },
    };
  }

  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll ? root.querySelectorAll(selector) : []);
    return root.matches && root.matches(selector) ? [root].concat(found) : found;
  }

  // New or morphed content (htmx:load fires on both, and once for the whole page at start;
  // crisiscell:content for the parts role-sync.js puts back).
  function settle(event) {
    var root = event.target;
    within(root, "[data-lock-target]").forEach(showLockOn);
    within(root, "form[data-lock-form]").forEach(function (form) {
      if (forms.has(form)) {
        forms.get(form).reapply();
      } else {
        forms.set(form, LockedForm(form));
      }
    });
  }
  document.addEventListener("htmx:load", settle);
  document.addEventListener("crisiscell:content", settle);
})();
