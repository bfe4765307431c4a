// Issue 17: no lost work when a session ends, and a print button.
//
// 1. The warning. <body> carries the seconds the session has left (data-session-left,
//    from accounts/sessions.py seconds_left) and how long before the end to warn
//    (data-session-warn: a minute; the warning says how long is really left). "Stay logged in" POSTs to data-session-stay-url,
//    which counts as activity; every signed-in response (htmx's too) carries
//    X-Session-Remaining, so a request made without a page load starts the count again.
//
// 2. Typed input kept through a new login. A POST into an ended session is answered with
//    the login page, whose `next` leads back to the page the form was on
//    (accounts/middleware.py). So that the text comes back too, a form marked
//    data-keep-input writes what is typed in it to sessionStorage when it is sent (and
//    when the session ends while the page is open), under the page's path:
//      - on the login page (nobody signed in) the kept input waits for its page;
//      - back on that page after signing in, it is put into the form again, then forgotten;
//      - on any other signed-in page it is forgotten: the form was sent and handled (a
//        form with errors is drawn again by the server with what was typed).
//    Never kept: passwords, files, hidden fields (the CSRF token, the version seen), and
//    forms marked data-autosave (the application draft saves itself on the server).
//
//    Privacy: sessionStorage belongs to this one browser tab and this site; it is emptied
//    when the tab is closed, and it is never sent to the server. What is kept is text the
//    person typed themselves, for at most KEEP_MINUTES. The trade-off: someone who uses
//    the same tab on a shared computer before it is closed could read it with the
//    browser's developer tools — the same tab would show them the page itself anyway.
//
// 3. Print: a button marked data-print opens the browser's print dialog (app.css has the
//    print style). It is hidden without script, where the browser's own menu prints.
(function () {
  "use strict";

  var PREFIX = "pf-keep:";
  var KEEP_MINUTES = 120;
  var SKIPPED_TYPES = ["password", "file", "hidden", "submit", "button", "reset", "image"];

  function storage() {
    try {
      return window.sessionStorage;
    } catch (e) {
      return null; // storage switched off: the forms work as before, without keeping
    }
  }

  function keptForms() {
    return Array.prototype.filter.call(
      document.querySelectorAll("form[data-keep-input]"),
      function (form) {
        return !form.hasAttribute("data-autosave");
      }
    );
  }

  function formKey(form, index) {
    return form.getAttribute("data-keep-input") || form.getAttribute("action") || "form-" + index;
  }

  function keptFields(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return (
        field.name &&
        field.name !== "csrfmiddlewaretoken" &&
        SKIPPED_TYPES.indexOf((field.type || "").toLowerCase()) === -1
      );
    });
  }

  function read(form) {
    var values = {};
    keptFields(form).forEach(function (field) {
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        values[field.name] = values[field.name] || [];
        if (field.checked) {
          values[field.name].push(field.value);
        }
      } else if (field.multiple) {
        values[field.name] = Array.prototype.map.call(field.selectedOptions, function (o) {
          return o.value;
        });
      } else {
        values[field.name] = field.value;
      }
    });
    return values;
  }

  function write(form, values) {
    keptFields(form).forEach(function (field) {
      if (!Object.prototype.hasOwnProperty.call(values, field.name)) {
        return;
      }
      var value = values[field.name];
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox" || type === "radio") {
        field.checked = Array.isArray(value) && value.indexOf(field.value) !== -1;
      } else if (field.multiple && Array.isArray(value)) {
        Array.prototype.forEach.call(field.options, function (o) {
          o.selected = value.indexOf(o.value) !== -1;
        });
      } else if (typeof value === "string") {
        field.value = value;
      }
    });
  }

  // Keep every marked form of this page (the one being sent among them).
  function keep() {
    var store = storage();
    var forms = keptForms();
    if (!store || !forms.length) {
      return;
    }
    var kept = {};
    forms.forEach(function (form, index) {
      kept[formKey(form, index)] = read(form);
    });
    try {
      store.setItem(
        PREFIX + window.location.pathname,
        JSON.stringify({ state: "sent", at: Date.now(), forms: kept })
      );
    } catch (e) {
      // Storage full or refused: nothing is kept, nothing else changes.
    }
  }

  function entries(store) {
    var found = [];
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) {
        found.push(key);
      }
    }
    return found;
  }

  function settleKept(signedIn) {
    var store = storage();
    if (!store) {
      return;
    }
    var here = PREFIX + window.location.pathname;
    entries(store).forEach(function (key) {
      var entry;
      try {
        entry = JSON.parse(store.getItem(key));
      } catch (e) {
        entry = null;
      }
      if (!entry || Date.now() - entry.at > KEEP_MINUTES * 60000) {
        store.removeItem(key);
        return;
      }
      if (!signedIn) {
        if (entry.state === "sent") {
          entry.state = "waiting"; // sent into an ended session: wait for the new login
          store.setItem(key, JSON.stringify(entry));
        }
        return;
      }
      if (key === here && entry.state === "waiting") {
        var restored = false;
        keptForms().forEach(function (form, index) {
          var values = entry.forms[formKey(form, index)];
          if (values) {
            write(form, values);
            restored = true;
          }
        });
        store.removeItem(key);
        var main = document.querySelector("main") || document.body;
        if (restored) {
          notice("pf-session-restored", main);
        }
        return;
      }
      if (entry.state === "sent") {
        store.removeItem(key); // the form was sent while signed in: handled
      }
      // A "waiting" entry of another page stays until its page comes (after a second factor).
    });
  }

  // --- the notices (web/templates/web/_session.html: <template>s until shown) ---------------

  // The notice, put into the page from its template the first time it is needed: at the
  // end of the body (it floats, .pf-session) or first in <main> (it stays put).
  function notice(id, where) {
    var element = document.getElementById(id);
    var template = document.getElementById(id + "-template");
    if (!element && template && template.content) {
      element = template.content.firstElementChild.cloneNode(true);
      if (where === document.body) {
        where.appendChild(element); // floats at the window's foot; last in reading order
      } else {
        where.insertBefore(element, where.firstChild);
      }
    }
    return element;
  }

  function hide(id) {
    var element = document.getElementById(id);
    if (element) {
      element.hidden = true;
    }
  }

  // --- the warning -------------------------------------------------------------------------

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function startWarning(body) {
    var warnBefore = Number(body.getAttribute("data-session-warn")) || 60;
    var warnTimer = null;
    var endTimer = null;
    var endsAt = 0;
    var over = false;

    // How long is left, in the words the template gives (whole minutes from a minute up).
    function leftText(span) {
      var seconds = Math.max(1, Math.round((endsAt - Date.now()) / 1000));
      var minutes = Math.round(seconds / 60);
      if (seconds >= 60) {
        return minutes === 1
          ? span.getAttribute("data-minute")
          : span.getAttribute("data-minutes").replace("{count}", String(minutes));
      }
      return seconds === 1
        ? span.getAttribute("data-second")
        : span.getAttribute("data-seconds").replace("{count}", String(seconds));
    }

    function end() {
      if (over) {
        return;
      }
      over = true;
      window.clearTimeout(warnTimer);
      window.clearTimeout(endTimer);
      keep(); // if the person logs in again from here, they come back with their text
      hide("pf-session-warning");
      var ended = notice("pf-session-ended", body);
      if (ended) {
        ended.hidden = false;
        document.documentElement.classList.add("pf-session-open");
      }
    }

    function stay(button) {
      button.disabled = true;
      window
        .fetch(body.getAttribute("data-session-stay-url"), {
          method: "POST",
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        })
        .then(function (response) {
          if (!response.ok) {
            end();
            return null;
          }
          return response.json();
        })
        .then(function (data) {
          if (data && typeof data.remaining === "number") {
            schedule(data.remaining);
          }
        })
        .catch(function () {
          // No answer (offline): leave the warning up, so the person can try again.
        })
        .then(function () {
          button.disabled = false;
        });
    }

    function warn() {
      var shown = document.getElementById("pf-session-warning");
      var warning = shown || notice("pf-session-warning", body);
      if (!warning) {
        return;
      }
      if (!shown) {
        var button = warning.querySelector("#pf-session-stay");
        button.addEventListener("click", function () {
          stay(button);
        });
      }
      var left = warning.querySelector("#pf-session-left");
      if (left) {
        left.textContent = leftText(left);
      }
      warning.hidden = false;
      document.documentElement.classList.add("pf-session-open");
    }

    function schedule(secondsLeft) {
      if (over || !isFinite(secondsLeft)) {
        return;
      }
      window.clearTimeout(warnTimer);
      window.clearTimeout(endTimer);
      hide("pf-session-warning");
      document.documentElement.classList.remove("pf-session-open");
      endsAt = Date.now() + Math.max(0, secondsLeft) * 1000;
      warnTimer = window.setTimeout(warn, Math.max(0, secondsLeft - warnBefore) * 1000);
      endTimer = window.setTimeout(end, Math.max(0, secondsLeft) * 1000);
    }

    document.body.addEventListener("htmx:afterRequest", function (event) {
      var xhr = event.detail && event.detail.xhr;
      if (!xhr) {
        return;
      }
      if (xhr.status === 401) {
        end();
        return;
      }
      var left = xhr.getResponseHeader("X-Session-Remaining");
      if (left !== null && left !== "") {
        schedule(Number(left));
      }
    });

    schedule(Number(body.getAttribute("data-session-left")));
  }

  document.addEventListener("DOMContentLoaded", function () {
    var body = document.body;
    var signedIn = body.hasAttribute("data-session-left");
    settleKept(signedIn);
    keptForms().forEach(function (form) {
      form.addEventListener("submit", keep);
    });
    if (signedIn) {
      startWarning(body);
    }
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        window.print();
      });
    });
  });
})();
