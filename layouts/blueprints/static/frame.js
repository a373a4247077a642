/* SmartCity Cockpit embed: tell the host page how tall the content is (the only script of an embed).
   Message to the parent: {type: "cockpit-embed:height", version: 1, height: <CSS px>, path: "/embed/..."},
   sent only to the parent's origin and only if it is allowlisted (COCKPIT_EMBED_ORIGINS) or the cockpit
   itself. The host's /embed.js may ask again with {type: "cockpit-embed:hello"}. */
(function () {
  "use strict";
  if (window.parent === window) { return; }
  var root = document.documentElement;
  var allowed = [location.origin];
  try { allowed = allowed.concat(JSON.parse(root.getAttribute("data-embed-origins") || "[]")); } catch (e) { /* none */ }

  function parentOrigin() {
    var ancestors = location.ancestorOrigins;
    if (ancestors && ancestors.length) { return ancestors[0]; }
    try { return document.referrer ? new URL(document.referrer).origin : null; } catch (e) { return null; }
  }

  var target = parentOrigin();
  if (!target || allowed.indexOf(target) < 0) { return; }
  var last = -1;

  function box() { return document.querySelector("[data-embed]"); }

  function send() {
    var element = box();
    if (!element) { return; }
    var height = Math.ceil(element.getBoundingClientRect().height);
    if (height === last) { return; }
    last = height;
    window.parent.postMessage({ type: "cockpit-embed:height", version: 1, height: height,
      path: location.pathname + location.search }, target);
  }

  function start() {
    var element = box();
    if (element && window.ResizeObserver) { new ResizeObserver(send).observe(element); }
    document.addEventListener("toggle", send, true);
    window.addEventListener("resize", send);
    send();
  }

  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== target) { return; }
    if (event.data && event.data.type === "cockpit-embed:hello") { last = -1; send(); }
  });
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  window.addEventListener("load", send);
})();
