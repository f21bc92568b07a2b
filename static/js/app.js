// Small progressive enhancements; every page also works without JavaScript.
// No inline script anywhere (CSP script-src 'self'): behaviour hangs on data-* attributes.
(function () {
  "use strict";

  // Cell switcher: submit on change.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) {
      event.target.form.requestSubmit();
    }
  });

  // Destructive buttons ask first (e.g. removing a member).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // "Correct this entry": point the log form at the entry being corrected.
  document.addEventListener("click", function (event) {
    var form = document.querySelector(".log-form");
    if (!form) {
      return;
    }
    var link = event.target.closest("[data-correct]");
    var banner = form.querySelector("[data-correcting]");
    if (link) {
      form.querySelector("[name=corrects]").value = link.dataset.correct;
      banner.querySelector("[data-correcting-label]").textContent = link.dataset.correctLabel;
      banner.hidden = false;
      form.scrollIntoView({ block: "nearest" });
      form.querySelector("textarea").focus();
      return;
    }
    if (event.target.closest("[data-cancel-correction]")) {
      form.querySelector("[name=corrects]").value = "";
      banner.hidden = true;
    }
  });

  // A session that expired meanwhile: HTMX would swap the login page into a
  // panel. Go to the login page instead (it brings the user back here).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var login = document.body.dataset.loginUrl;
    if (xhr && xhr.responseURL && login && new URL(xhr.responseURL).pathname === login) {
      event.detail.shouldSwap = false;
      window.location.assign(login + "?next=" + encodeURIComponent(window.location.pathname + window.location.search));
    }
  });

  // Level changes: one reason form open at a time, and the cursor in it.
  document.addEventListener(
    "toggle",
    function (event) {
      var details = event.target;
      if (!details.matches || !details.matches("details.transition") || !details.open) {
        return;
      }
      document.querySelectorAll("details.transition[open]").forEach(function (other) {
        if (other !== details) {
          other.open = false;
        }
      });
      var reason = details.querySelector("textarea");
      if (reason) {
        reason.focus();
      }
    },
    true
  );
})();
