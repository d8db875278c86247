// The editors' admin: small fixes to Django's own widgets (no inline script: the CSP
// forbids it). The two-box topic picker labels its search icons with aria-label on a
// plain <span>, which assistive technology ignores: give them the role of an image.
(function () {
  "use strict";
  function fix() {
    document.querySelectorAll("span.search-label-icon[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }
  window.addEventListener("load", function () { window.setTimeout(fix, 0); });
})();
