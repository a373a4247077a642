/* SmartCity Cockpit: resize embedded cockpit iframes to their content (up and down).
   Host pages load it as <script src="https://<cockpit>/embed.js" async></script> next to the iframe snippet;
   the cockpit's own pages load it too (preview of the embed builder). No dependencies, no cookies, no other
   requests. It accepts {type: "cockpit-embed:height", version: 1, height} messages only from the cockpit's
   origin (where this script came from) and only for an iframe showing a cockpit /embed/ page. */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = location.origin;
  try { if (script && script.src) { origin = new URL(script.src, location.href).origin; } } catch (e) { /* keep */ }
  var flag = "__cockpitEmbed " + origin;
  if (window[flag]) { return; }
  window[flag] = true;
  var MIN = 60, MAX = 20000;

  function isEmbed(frame) {
    try {
      var url = new URL(frame.getAttribute("src") || "", location.href);
      return url.origin === origin && url.pathname.indexOf("/embed/") === 0;
    } catch (e) { return false; }
  }

  function embeds() {
    return Array.prototype.filter.call(document.getElementsByTagName("iframe"), isEmbed);
  }

  window.addEventListener("message", function (event) {
    var data = event.data;
    if (event.origin !== origin || !data || data.type !== "cockpit-embed:height" || data.version !== 1) { return; }
    if (typeof data.height !== "number" || !isFinite(data.height)) { return; }
    var frames = embeds();
    for (var i = 0; i < frames.length; i++) {
      if (frames[i].contentWindow === event.source) {
        var height = Math.max(MIN, Math.min(MAX, Math.ceil(data.height)));
        frames[i].style.height = height + "px";
        frames[i].setAttribute("data-cockpit-height", String(height));
      }
    }
  });

  function hello(frame) {
    /* carries nothing; the frame answers only its own parent's allowlisted origin */
    try { frame.contentWindow.postMessage({ type: "cockpit-embed:hello", version: 1 }, "*"); } catch (e) { /* gone */ }
  }

  function greet() {
    embeds().forEach(function (frame) {
      hello(frame);
      if (!frame.hasAttribute("data-cockpit-greeted")) {
        frame.setAttribute("data-cockpit-greeted", "");
        frame.addEventListener("load", function () { hello(frame); });
      }
    });
  }

  greet();
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", greet); }
})();
