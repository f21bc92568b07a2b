// Layout helpers for small screens and the keyboard; every page works without them.
(function () {
  "use strict";

  var PHONE = "(max-width: 700px)";

  document.addEventListener("DOMContentLoaded", function () {
    // Filters fold away on a phone (they stay open on a wide screen, and without JavaScript).
    if (window.matchMedia && window.matchMedia(PHONE).matches) {
      document.querySelectorAll("details[data-fold-on-phone]").forEach(function (details) {
        var active = details.querySelector("input:checked:not([value=''])") || hasQuery(details);
        if (!active) {
          details.open = false;
        }
      });
    }
  });

  function hasQuery(details) {
    var search = details.querySelector("input[type=search]");
    return search && search.value;
  }

  // A skip link to a form puts the cursor in its first field: the crisis-log form is
  // three key presses away (Tab, Tab, Enter).
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-focus-field]");
    if (!link) {
      return;
    }
    var field = document.querySelector(link.dataset.focusField);
    if (field) {
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    }
  });
})();
