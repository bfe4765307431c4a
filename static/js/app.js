// Loaded as a file (no inline scripts): start the design system's components.
document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    window.DKFDS.init();
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
