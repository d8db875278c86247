// Search as you type on /search/: progressive enhancement over the plain GET form.
// While an input method is composing (pinyin → 汉字), the half-typed Latin letters are
// not a query: wait for compositionend before searching.
(function () {
  "use strict";
  var form = document.querySelector("form[data-search-as-you-type]");
  if (!form || !window.fetch || !window.DOMParser) { return; }
  var input = form.querySelector("input[name=q]");
  var composing = false;
  var timer = null;
  var lastQuery = input.value;

  function search() {
    var query = input.value.trim();
    if (composing || query === lastQuery) { return; }
    lastQuery = query;
    var params = new URLSearchParams(new FormData(form));
    var url = form.action + "?" + params.toString();
    fetch(url, { headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (query !== lastQuery) { return; }  // a newer query is on its way
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("search-results");
        var current = document.getElementById("search-results");
        if (fresh && current) { current.replaceWith(fresh); }
        window.history.replaceState(null, "", url);
      })
      .catch(function () { /* the form still works: submitting reloads the page */ });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 250);
  }

  input.addEventListener("compositionstart", function () { composing = true; });
  input.addEventListener("compositionend", function () { composing = false; schedule(); });
  input.addEventListener("input", function (event) {
    if (composing || event.isComposing) { return; }
    schedule();
  });
})();
