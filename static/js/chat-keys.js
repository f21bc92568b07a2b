// The chat sends with Enter, as chats do; Shift+Enter starts a new line.
// (Not while an input method is composing a character: its Enter confirms the character.)
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    var field = event.target;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing || !field.matches) {
      return;
    }
    if (!field.matches("form.chat-form textarea")) {
      return;
    }
    event.preventDefault();
    if (field.value.trim()) {
      field.form.requestSubmit();
    }
  });
})();
