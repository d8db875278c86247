// The portal's one script, progressive enhancement only: every page works without it.
// Section links (#) copy the section's full address as well as jumping to it.
(function () {
  "use strict";
  var status = document.querySelector(".copy-status");
  var timer = null;

  function say(message) {
    if (!status) { return; }
    status.textContent = message;
    status.classList.add("is-visible");
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { status.classList.remove("is-visible"); }, 2500);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-copy-link]");
    if (!link || !navigator.clipboard || !window.isSecureContext) { return; }
    var url = link.href;
    navigator.clipboard.writeText(url).then(
      function () { say("已复制本节链接"); },
      function () { say("无法自动复制，请从地址栏复制链接"); }
    );
  });
})();
