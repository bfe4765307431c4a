// The guided application (web/applications/templates/applications/draft_step.html): the
// step form saves itself through htmx attributes; this only says so when a save fails
// (the session ended, the network is down), so nobody trusts a save that did not happen.
document.addEventListener("DOMContentLoaded", function () {
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
