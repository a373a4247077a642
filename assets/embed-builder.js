/* Embed builder: copy the snippet to the clipboard (falls back to selecting it for Ctrl+C). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  cockpitEmbed: {
    copy: function (clicks, text) {
      var button = document.getElementById("embed-builder-copy");
      var area = document.getElementById("embed-builder-code");
      var done = button ? button.getAttribute("data-copied") : "";
      var failed = button ? button.getAttribute("data-failed") : "";
      if (!clicks) { return window.dash_clientside.no_update; }
      function fallback() {
        if (area) { area.focus(); area.select(); }
        try { return document.execCommand("copy") ? done : failed; } catch (e) { return failed; }
      }
      if (navigator.clipboard && window.isSecureContext) {
        return navigator.clipboard.writeText(text || "").then(function () { return done; }, fallback);
      }
      return fallback();
    }
  }
});
