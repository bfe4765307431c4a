// Swagger UI for /api/v1/docs, from local static files (no CDN, no inline script).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("swagger-ui");
    if (!root || typeof window.SwaggerUIBundle !== "function") {
      return;
    }
    var csrf = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    window.SwaggerUIBundle({
      url: root.getAttribute("data-schema-url"),
      domNode: root,
      deepLinking: true,
      // Tried-out requests in a signed-in browser use the session; POSTs need the CSRF token.
      requestInterceptor: function (request) {
        if (csrf) {
          request.headers["X-CSRFToken"] = decodeURIComponent(csrf[1]);
        }
        return request;
      }
    });
  });
})();
