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

  // Copy buttons: data-copy names the element whose text goes to the clipboard.
  // Hidden in the HTML, shown here: without JavaScript the text is still there to select.
  function showCopyButtons(root) {
    root.querySelectorAll("[data-copy][hidden]").forEach(function (button) {
      button.hidden = false;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    showCopyButtons(document);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    showCopyButtons(event.target);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var source = document.getElementById(button.dataset.copy);
    if (!source) {
      return;
    }
    var text = "value" in source ? source.value : source.textContent;
    var label = button.dataset.label || button.textContent;
    button.dataset.label = label;
    var status = document.querySelector('[data-copy-status="' + button.dataset.copy + '"]');
    function show(text, state) {
      button.textContent = text;
      button.classList.add(state);
      if (status) {
        status.textContent = text;
      }
      window.setTimeout(function () {
        button.textContent = label;
        button.classList.remove(state);
        if (status) {
          status.textContent = "";
        }
      }, state === "copied" ? 2000 : 6000);
    }
    function copied() {
      show(button.dataset.copiedLabel || label, "copied");
    }
    function failed() {
      // Never silent: say it, and leave the text selected for Ctrl+C / a long press.
      selectAll(source);
      show(button.dataset.failedLabel || label, "copy-failed");
    }
    function fallback() {
      // Older browsers, or a page not served over HTTPS: select and copy.
      selectAll(source);
      var done = false;
      try {
        done = document.execCommand("copy");
      } catch (error) {
        done = false;
      }
      (done ? copied : failed)();
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(copied, fallback);
    } else {
      fallback();
    }
  });
  function selectAll(element) {
    if (element.select) {
      element.focus();
      element.select();
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

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
