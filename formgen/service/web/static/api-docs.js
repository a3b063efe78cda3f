// Draws /api/docs from the OpenAPI document with Swagger UI (node_modules/swagger-ui-dist), served locally.
// A file, not an inline script, so the page's CSP needs no 'unsafe-inline'.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");

  // Swagger UI leaves a few things axe-core flags (WCAG 2.2 AA); its colours are in api-docs.css. Name its unnamed selects and let the keyboard
  // reach its scrolling examples. Run after each redraw, as Swagger UI draws operations when they are opened.
  function mend() {
    root.querySelectorAll("select:not([aria-label])").forEach(function (select) {
      var row = select.closest("tr");
      var name = row && row.querySelector(".parameter__name");
      select.setAttribute("aria-label", name ? name.textContent.replace("*", "").trim() : "Choose a value");
    });
    // Its title is a h1 and its groups h3: present each level one below the last (h3 as 2, h4 as 3, h5 as 4).
    root.querySelectorAll("h3:not([aria-level]), h4:not([aria-level]), h5:not([aria-level])").forEach(function (heading) {
      heading.setAttribute("role", "heading");
      heading.setAttribute("aria-level", String(Number(heading.tagName.charAt(1)) - 1));
    });
    // Its title and introduction sit outside its <main>: make them a named region of their own.
    root.querySelectorAll(".information-container:not([role])").forEach(function (info) {
      info.setAttribute("role", "region");
      info.setAttribute("aria-label", "About the API");
    });
    root.querySelectorAll("textarea:not([aria-label])").forEach(function (box) {
      box.setAttribute("aria-label", "Request body (JSON)");
    });
    // Each open operation's responses are a region: name each by its operation, so no two share a name.
    root.querySelectorAll("[id$='_responses']:not([data-named])").forEach(function (region) {
      var operation = region.closest(".opblock");
      var path = operation && operation.querySelector(".opblock-summary-path");
      var method = operation && operation.querySelector(".opblock-summary-method");
      region.setAttribute("aria-label", "Responses of " + (method ? method.textContent + " " : "") +
        (path ? path.getAttribute("data-path") : region.id));
      region.setAttribute("data-named", "");
    });
    root.querySelectorAll("pre:not([tabindex]), .highlight-code > .microlight:not([tabindex])").forEach(function (pre) {
      pre.setAttribute("tabindex", "0");
    });
  }

  new MutationObserver(mend).observe(root, { childList: true, subtree: true });
  window.ui = window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    dom_id: "#swagger-ui",
    // No deep links: Swagger UI puts them inside each operation's button (nested controls, tiny targets).
    deepLinking: false,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    validatorUrl: null,
    syntaxHighlight: { activated: false }
  });
})();
