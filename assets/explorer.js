/* Explorer and indicator page (issue 9, issue 18).
   - `range`: a time range typed into the indicator page goes into the URL (a clientside callback), and the page is
     rendered again from the URL on the server, which also checks the values.
   - `push`: the explorer renders a filter change in place (callbacks/explore.py); this pushes the view's query as
     a history entry, so the URL can be shared and back/forward work.
   - back/forward on the explorer: the URL's state is rendered in place (the store `explore-popped` is set), instead
     of Dash routing the whole page again, which would scroll to the top.
   - a sort header of the explorer's table sorts in place (the store `explore-sort`), for the same reason. */
(function () {
  var EXPLORE = "/explore";
  var lastSearch = window.location.search;

  function onExplorer() {
    return window.location.pathname === EXPLORE && document.getElementById("explore-content") !== null;
  }

  function report(storeId, data) {
    var api = window.dash_clientside || {};
    if (typeof api.set_props !== "function") {
      return false;
    }
    data.at = Date.now();
    api.set_props(storeId, {data: data});
    return true;
  }

  window.addEventListener("popstate", function (event) {
    if (!onExplorer() || window.location.search === lastSearch) {
      return; // another page, or only the fragment changed (skip link): Dash handles it as usual
    }
    lastSearch = window.location.search;
    if (report("explore-popped", {search: window.location.search})) {
      event.stopImmediatePropagation(); // no routing of the whole page
    }
  }, true);

  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest ? event.target.closest("#explore-results a.explorer-sort") : null;
    if (!link || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }
    var sort = new URL(link.getAttribute("href"), window.location.href).searchParams.get("sort") || "";
    if (report("explore-sort", {sort: sort})) {
      event.preventDefault();
      event.stopPropagation(); // before dcc.Link's own handler, which routes the page and scrolls to the top
    }
  }, true);

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
      },
      push: function (shown) {
        if (!shown || typeof shown.query !== "string") {
          return window.dash_clientside.no_update;
        }
        var next = "?" + shown.query;
        if (shown.push && window.location.pathname === EXPLORE && window.location.search !== next) {
          window.history.pushState({}, "", EXPLORE + next);
        }
        lastSearch = window.location.search;
        return shown.query;
      }
    }
  });
})();
