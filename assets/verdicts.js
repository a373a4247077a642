/* SmartCity Cockpit: links to a tile or goal (/#tile-recycling-rate, /goals#goal-co2-halve-2030) scroll to it.
   The page content is rendered by the server in the page's layout, but Dash puts it into the document after
   the browser has looked for the fragment; scroll once the element is there. No inline script (CSP). */
(function () {
  "use strict";
  var handled = "";

  function scrollToFragment() {
    var hash = window.location.hash;
    if (!hash || hash === handled) {
      return true;
    }
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!target) {
      return false;
    }
    handled = hash;
    target.scrollIntoView({ block: "start" });
    if (!target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1"); // keyboard and screen reader users continue from the target
    }
    target.focus({ preventScroll: true });
    return true;
  }

  function watch() {
    if (scrollToFragment()) {
      return;
    }
    var observer = new MutationObserver(function () {
      if (scrollToFragment()) {
        observer.disconnect();
      }
    });
    observer.observe(document.documentElement, { childList: true, subtree: true });
    window.setTimeout(function () { observer.disconnect(); }, 30000);
  }

  window.addEventListener("hashchange", function () { handled = ""; watch(); });
  watch();
})();
