/* Embed builder (/einbetten): rebuild the code and the live preview when a choice changes, and copy the code.
   The code has the same format as cockpit.views.embed.snippet (tests compare the two). */
(function () {
  "use strict";

  function esc(text) {
    return String(text).replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function value(root, id) {
    var element = root.querySelector("#" + id);
    return element ? element.value : "";
  }

  function update(root) {
    var scope = root.querySelector("#embed-builder-scope");
    if (!scope || scope.selectedIndex < 0) { return; }
    var option = scope.options[scope.selectedIndex];
    var lang = value(root, "embed-builder-lang");
    var theme = value(root, "embed-builder-theme");
    var query = "lang=" + encodeURIComponent(lang);
    if (theme !== "light") { query += "&theme=" + encodeURIComponent(theme); }
    if (value(root, "embed-builder-title") === "0") { query += "&title=0"; }
    if (value(root, "embed-builder-border") === "0") { query += "&border=0"; }
    var path = option.getAttribute("data-path") + "?" + query;
    var title = option.getAttribute("data-title-" + lang) || "";
    var base = root.getAttribute("data-base") || location.origin;
    var code = root.querySelector("#embed-builder-code");
    code.value = '<iframe src="' + esc(base + path) + '" title="' + esc(title) + '" loading="lazy" ' +
      'data-cockpit-embed style="width:100%;height:' + option.getAttribute("data-height") + 'px;border:0"></iframe>\n' +
      '<script src="' + esc(base) + '/embed.js" async></script>';
    var preview = root.querySelector("#embed-builder-preview");
    if (preview && preview.getAttribute("src") !== path) {
      preview.setAttribute("title", title);
      preview.setAttribute("src", path);
    }
    var status = root.querySelector("#embed-builder-copy-status");
    if (status) { status.textContent = ""; }
  }

  function copy(root, button) {
    var code = root.querySelector("#embed-builder-code");
    var status = root.querySelector("#embed-builder-copy-status");
    function say(key) { if (status) { status.textContent = button.getAttribute(key) || ""; } }
    function fallback() {
      code.focus();
      code.select();
      var done = false;
      try { done = document.execCommand("copy"); } catch (e) { done = false; }
      say(done ? "data-copied" : "data-failed");
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(code.value).then(function () { say("data-copied"); }, fallback);
    } else {
      fallback();
    }
  }

  document.addEventListener("change", function (event) {
    var root = event.target.closest && event.target.closest("[data-embed-builder]");
    if (root && event.target.tagName === "SELECT") { update(root); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#embed-builder-copy");
    if (button) { copy(button.closest("[data-embed-builder]"), button); }
  });
})();
