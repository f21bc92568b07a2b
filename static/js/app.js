// Small progressive enhancements; every page also works without JavaScript.
(function () {
  "use strict";

  // Cell switcher: submit on change.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) {
      event.target.form.requestSubmit();
    }
  });

  // "Correct this entry": point the log form at the entry being corrected.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-correct]");
    var form = document.querySelector(".log-form");
    if (link && form) {
      form.querySelector("[name=corrects]").value = link.dataset.correct;
      var banner = form.querySelector("[data-correcting]");
      banner.hidden = false;
      banner.querySelector("[data-correcting-label]").textContent = link.dataset.correctLabel;
      form.querySelector("textarea").focus();
      return;
    }
    if (event.target.matches("[data-cancel-correction]") && form) {
      form.querySelector("[name=corrects]").value = "";
      form.querySelector("[data-correcting]").hidden = true;
    }
  });
})();
