// The guided application (web/applications/templates/applications/draft_step.html): the
// step form saves itself through htmx attributes; this only says so when a save fails
// (the session ended, the network is down), so nobody trusts a save that did not happen;
// and »Add a line« adds an empty budget line at once, without a save.
document.addEventListener("DOMContentLoaded", function () {
  addLines();
  var form = document.getElementById("draft-form");
  var status = document.getElementById("autosave-status");
  if (!form || !status) {
    return;
  }
  function failed() {
    status.textContent = status.getAttribute("data-failed") || "";
  }
  form.addEventListener("htmx:responseError", failed);
  form.addEventListener("htmx:sendError", failed);
  // A redirect to the login page answers 200 with a whole page: not a save either.
  form.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.responseURL && xhr.responseURL.indexOf("/autosave/") === -1) {
      event.detail.shouldSwap = false;
      failed();
    }
  });
});

// The budget's formset: a new line from the empty form's template, numbered after the last;
// the management form counts it, so the next save (or autosave) takes it in.
function addLines() {
  var button = document.getElementById("add-budget-line");
  var template = document.getElementById("budget-line-template");
  var rows = document.getElementById("budget-line-rows");
  var total = document.getElementById("id_lines-TOTAL_FORMS");
  if (!button || !template || !rows || !total) {
    return;
  }
  var max = Number(button.getAttribute("data-max")) || 50;
  button.parentNode.hidden = false;
  Array.prototype.forEach.call(document.querySelectorAll(".pf-no-script"), function (hint) {
    hint.hidden = true;
  });
  button.addEventListener("click", function () {
    var index = Number(total.value);
    if (index >= max) {
      button.disabled = true;
      return;
    }
    var wrapper = document.createElement("div");
    wrapper.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var line = wrapper.firstElementChild;
    rows.appendChild(line);
    total.value = String(index + 1);
    button.disabled = index + 1 >= max;
    var first = line.querySelector("input, textarea, select");
    if (first) {
      first.focus();
    }
  });
}
