// The allocation assistant (web/allocation): recompute as the chair changes the method, a
// limit or a fixed amount. Progressive enhancement: without this file »Beregn« posts the same
// form and the server draws the same page. Here the form is re-posted in the background (the
// same view, the same rules) and the pool figures and the proposed amounts are swapped in;
// what the chair typed stays where it is. No inline script, no framework (CSP: script-src 'self').
(function () {
  "use strict";

  var pending = null;
  var latest = 0;

  function swap(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    var live = fresh.getElementById("allocation-live");
    var here = document.getElementById("allocation-live");
    if (live && here) {
      here.innerHTML = live.innerHTML;
    }
    fresh.querySelectorAll("[data-live]").forEach(function (cell) {
      var mine = document.getElementById(cell.id);
      if (mine) {
        mine.innerHTML = cell.innerHTML;
      }
    });
  }

  function recompute(form) {
    var data = new FormData(form);
    data.set("action", "calculate");
    var ticket = ++latest;
    form.setAttribute("aria-busy", "true");
    fetch(form.getAttribute("action") || window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        if (ticket === latest) {  // an older answer never overwrites a newer one
          swap(html);
        }
      })
      .catch(function () {
        // The network failed: »Beregn« still works.
      })
      .finally(function () {
        if (ticket === latest) {
          form.removeAttribute("aria-busy");
        }
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("allocation-form");
    if (!form || !window.fetch || !window.DOMParser) {
      return;
    }
    form.addEventListener("change", function () {
      if (pending) {
        window.clearTimeout(pending);
      }
      pending = window.setTimeout(function () {
        pending = null;
        recompute(form);
      }, 250);
    });
  });
})();
