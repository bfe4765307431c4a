// Loaded as a file (no inline scripts): start the design system's components.
document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    window.DKFDS.init();
  }
  // The character counter, in words that fit everyone (the design system's own say "Du
  // har …", and associations are "I"): fields marked pf-limit, not DKFDS's form-limit,
  // so that only this counter runs on them.
  var body = document.body;
  if (window.DKFDS && window.DKFDS.CharacterLimit) {
    var left = body.getAttribute("data-limit-left") || "{value}";
    var over = body.getAttribute("data-limit-over") || "-{value}";
    var texts = {
      character_remaining: left,
      characters_remaining: left,
      character_too_many: over,
      characters_too_many: over,
    };
    Array.prototype.forEach.call(document.querySelectorAll(".pf-limit"), function (group) {
      new window.DKFDS.CharacterLimit(group, texts).init();
    });
  }
});

// The main menu folds behind its button on a phone (the CSS decides when the button shows).
document.documentElement.classList.add("pf-js");
document.addEventListener("DOMContentLoaded", function () {
  var button = document.querySelector(".pf-menu-button");
  var nav = document.getElementById("pf-main-nav");
  if (!button || !nav) {
    return;
  }
  button.addEventListener("click", function () {
    var open = nav.getAttribute("data-open") !== "true";
    nav.setAttribute("data-open", open ? "true" : "false");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  });
});

// A form marked data-check-before-send checks what the browser can see before it is sent:
// a required text left empty, too many files, a file too large or of a type not accepted.
// A refusal the page can see then keeps the chosen files, which a new page cannot (the
// server checks everything again). Errors stand beside their field, as the server's do.
document.addEventListener("DOMContentLoaded", function () {
  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (whole, key) {
      return key in values ? String(values[key]) : whole;
    });
  }

  function problems(field) {
    var found = [];
    if (field.type === "file") {
      var files = Array.prototype.slice.call(field.files || []);
      var most = Number(field.getAttribute("data-max-files")) || 0;
      var limit = Number(field.getAttribute("data-max-bytes")) || 0;
      var accepted = (field.getAttribute("accept") || "").split(",").filter(Boolean);
      if (most && files.length > most) {
        found.push(fill(field.getAttribute("data-too-many") || "", { most: most }));
      }
      files.forEach(function (file) {
        var dot = file.name.lastIndexOf(".");
        var ext = dot === -1 ? "" : file.name.slice(dot).toLowerCase();
        if (accepted.length && accepted.indexOf(ext) === -1) {
          found.push(file.name + ": " + fill(field.getAttribute("data-wrong-type") || "", { ext: ext || "?" }));
        } else if (limit && file.size > limit) {
          found.push(
            file.name + ": " + fill(field.getAttribute("data-too-big") || "", {
              size: (file.size / 1048576).toFixed(1).replace(".", document.documentElement.lang === "da" ? "," : "."),
              limit: Math.round(limit / 1048576),
            })
          );
        }
      });
    } else if (field.required && field.hasAttribute("data-required-message") && !field.value.trim()) {
      found.push(field.getAttribute("data-required-message"));
    }
    return found;
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-check-before-send]"), function (form) {
    form.addEventListener("submit", function (event) {
      Array.prototype.forEach.call(form.querySelectorAll("[data-client-error]"), function (old) {
        var group = old.closest(".form-group");
        old.remove();
        if (group && !group.querySelector(".form-error-message")) {
          group.classList.remove("form-error");
        }
      });
      var first = null;
      Array.prototype.forEach.call(form.elements, function (field) {
        var found = field.name ? problems(field) : [];
        if (!found.length) {
          return;
        }
        var group = field.closest(".form-group");
        var message = document.createElement("span");
        message.className = "form-error-message";
        message.setAttribute("data-client-error", "");
        message.id = field.id + "-client-error";
        message.textContent = found.join(" ");
        field.parentNode.insertBefore(message, field);
        if (group) {
          group.classList.add("form-error");
        }
        field.setAttribute("aria-invalid", "true");
        var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
        if (described.indexOf(field.id + "-client-error") === -1) {
          described.push(field.id + "-client-error");
          field.setAttribute("aria-describedby", described.join(" "));
        }
        first = first || field;
      });
      if (first) {
        event.preventDefault();
        first.focus();
      }
    });
  });
});
