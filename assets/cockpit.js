/* SmartCity Cockpit: pause the auto-refresh while the tab is hidden, refresh at once when it is shown again.
   No inline script (the Content-Security-Policy forbids it); served from /assets like the stylesheet. */
(function () {
  "use strict";
  var REFRESH = { "overview-content": "overview-refresh", "goals-content": "goals-refresh" };

  function onVisibility() {
    var api = window.dash_clientside;
    if (!api || typeof api.set_props !== "function") {
      return;
    }
    Object.keys(REFRESH).forEach(function (contentId) {
      if (!document.getElementById(contentId)) {
        return; // the page with this interval is not shown
      }
      if (document.hidden) {
        api.set_props(REFRESH[contentId], { disabled: true });
      } else {
        api.set_props(REFRESH[contentId], { disabled: false, n_intervals: Date.now() });
      }
    });
  }

  document.addEventListener("visibilitychange", onVisibility);
})();
