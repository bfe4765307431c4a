// The council's assessment sheet: htmx saves one item in place; without JS the forms post normally.
(function () {
  "use strict";

  // Bad input comes back as 400 with the item and its errors next to the fields:
  // show it in place, as the page does without JavaScript.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 400 && target && target.hasAttribute("data-council-item")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // The amount is asked for only when the member supports the application in part.
  function toggleAmount(form) {
    var amount = form.querySelector("input[name='amount']");
    if (!amount) {
      return;
    }
    var partial = form.querySelector("input[name='outcome'][value='partial']");
    var group = amount.closest(".form-group");
    var show = !partial || partial.checked || group.classList.contains("form-error");
    group.hidden = !show;
  }

  function initAll(root) {
    root.querySelectorAll("form[data-assessment-form]").forEach(toggleAmount);
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-assessment-form]");
    if (form && event.target.name === "outcome") {
      toggleAmount(form);
    }
  });
  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  // An outerHTML swap replaces the item, so look at the whole page again (cheap).
  document.addEventListener("htmx:afterSwap", function () { initAll(document); });
})();
