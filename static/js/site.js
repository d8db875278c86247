// The portal's one script, progressive enhancement only: every page works without it.
// - Section links (#) copy the section's full address as well as jumping to it.
// - Copy buttons ([data-copy-target]) copy the text of the element they name
//   (the GB/T 7714 line, the essay's BibTeX, RIS or CSL-JSON).
// - The outline marks the section being read (aria-current="location").
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

  function copy(text, done, failed) {
    if (!navigator.clipboard || !window.isSecureContext) { say(failed); return; }
    navigator.clipboard.writeText(text).then(function () { say(done); }, function () { say(failed); });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) { return; }
    var link = target.closest("a[data-copy-link]");
    if (link && navigator.clipboard && window.isSecureContext) {
      copy(link.href, "已复制本节链接", "无法自动复制，请从地址栏复制链接");
      return;
    }
    var button = target.closest("button[data-copy-target]");
    if (button) {
      var source = document.getElementById(button.getAttribute("data-copy-target"));
      if (source) {
        copy(source.textContent.trim(), "已复制" + button.textContent.replace(/^复制\s*/, ""),
          "无法自动复制，请展开后手动选择复制");
      }
    }
  });

  // Outline: the last section whose heading has passed the top third of the window.
  var toc = document.getElementById("toc");
  if (!toc || !("IntersectionObserver" in window)) { return; }
  var links = {};
  Array.prototype.forEach.call(toc.querySelectorAll("a[href^='#s']"), function (a) {
    links[a.getAttribute("href").slice(1)] = a;
  });
  var headings = Array.prototype.filter.call(
    document.querySelectorAll(".essay-section [id^='s']"),
    function (h) { return links[h.id]; }
  );
  if (!headings.length) { return; }
  var current = null;

  function mark() {
    var line = window.innerHeight / 3;
    var found = null;
    for (var i = 0; i < headings.length; i += 1) {
      if (headings[i].getBoundingClientRect().top <= line) { found = headings[i]; } else { break; }
    }
    var link = found ? links[found.id] : null;
    if (link === current) { return; }
    if (current) { current.removeAttribute("aria-current"); }
    if (link) { link.setAttribute("aria-current", "location"); }
    current = link;
  }

  var observer = new IntersectionObserver(mark, { rootMargin: "0px 0px -66% 0px" });
  headings.forEach(function (h) { observer.observe(h); });
  window.addEventListener("scroll", function () { window.requestAnimationFrame(mark); }, { passive: true });
  mark();
})();
