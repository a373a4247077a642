/* Explorer and indicator page (issue 9): a time range typed into the page goes into the URL. Runs in the browser
   (a clientside callback), so the URL changes at once and no server round trip can overlap with the next click;
   the page is then rendered again from the URL on the server, which also checks the values. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  explorer: {
    range: function (fromSubmit, fromBlur, toSubmit, toBlur, from, to, search) {
      var noUpdate = window.dash_clientside.no_update;
      var triggered = (window.dash_clientside.callback_context || {}).triggered || [];
      var byUser = triggered.some(function (t) { return t.value !== null && t.value !== undefined; });
      if (!byUser) {
        return noUpdate; // a freshly rendered input, not a user action
      }
      var params = new URLSearchParams(search || "");
      [["from", from], ["to", to]].forEach(function (pair) {
        var value = (pair[1] || "").trim();
        if (value) { params.set(pair[0], value); } else { params.delete(pair[0]); }
      });
      params.delete("sort");
      var lang = params.get("lang");
      if (lang !== null) { params.delete("lang"); params.append("lang", lang); }
      var next = "?" + params.toString();
      return next === (search || "") ? noUpdate : next;
    }
  }
});
