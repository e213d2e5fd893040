// Appraisal page: Enter in a score moves to the next leaf's score instead of submitting the
// form, so a field is scored from the keyboard without reaching for the mouse; the last
// score's Enter goes to the save button (a second Enter saves).
(function () {
  "use strict";
  var form = document.getElementById("appraisal-form");
  if (!form) { return; }
  function scores() {
    return Array.prototype.filter.call(form.querySelectorAll("input[data-score]"), function (el) {
      return !el.disabled && el.offsetParent !== null;
    });
  }
  form.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches || !input.matches("input[data-score]")) { return; }
    if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) { return; }
    event.preventDefault();
    var list = scores();
    var next = list[list.indexOf(input) + (event.shiftKey ? -1 : 1)];
    if (next) {
      next.focus();
      next.select();
    } else if (!event.shiftKey) {
      var save = form.querySelector("[data-testid='save']");
      if (save) { save.focus(); }
    }
  });
})();
