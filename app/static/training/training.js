/* BDTX screens: live total of the plan's time, and no double posts. */
(function () {
  "use strict";
  function toNumber(text) {
    var value = parseFloat(String(text || "").replace(",", "."));
    return isNaN(value) ? 0 : value;
  }
  function updateTotal() {
    var total = document.getElementById("tr-total");
    var table = document.getElementById("tr-plan-modules");
    if (!total || !table) { return; }
    var sum = 0;
    var rows = table.querySelectorAll("tbody tr");
    for (var i = 0; i < rows.length; i += 1) {
      var pick = rows[i].querySelector(".tr-pick");
      var amount = rows[i].querySelector(".tr-amount");
      if (pick && amount && pick.checked) { sum += toNumber(amount.value); }
    }
    total.textContent = String(Math.round(sum * 10) / 10).replace(".", ",");
    var required = total.getAttribute("data-required");
    var maximum = total.getAttribute("data-maximum");
    var bad = (required && sum < toNumber(required)) || (maximum && sum > toNumber(maximum));
    total.className = bad ? "tr-total-short" : "";
  }
  document.addEventListener("change", function (event) {
    if (event.target && (event.target.classList.contains("tr-pick") ||
        event.target.classList.contains("tr-amount"))) { updateTotal(); }
  });
  document.addEventListener("input", function (event) {
    if (event.target && event.target.classList.contains("tr-amount")) { updateTotal(); }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.id || form.id.indexOf("tr-") !== 0) { return; }
    window.setTimeout(function () {
      var buttons = form.querySelectorAll("button[type=submit]");
      for (var i = 0; i < buttons.length; i += 1) { buttons[i].disabled = true; }
    }, 0);
  });
  if (document.readyState !== "loading") { updateTotal(); } else {
    document.addEventListener("DOMContentLoaded", updateTotal);
  }
})();
