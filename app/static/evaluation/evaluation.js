/* Evaluation screens: disable the submit buttons after the first click (no double posts). */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.id || form.id.indexOf("ev-") !== 0) { return; }
    window.setTimeout(function () {
      var buttons = form.querySelectorAll("button[type=submit]");
      for (var i = 0; i < buttons.length; i += 1) { buttons[i].disabled = true; }
    }, 0);
  });
})();
