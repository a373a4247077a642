/* SmartCity Cockpit: indicator charts fit their width. A figure built by layouts/components/chart.py carries a wide
   and a narrow layout variant in layout.meta (wrapped title and source line, margins, height, year ticks); this
   script applies the one that fits the chart's current width (phones: narrow), after every plot and on resize,
   and gives the chart's container that variant's height. */
(function () {
  "use strict";

  function fit(gd) {
    var layout = gd && gd.layout, meta = layout && layout.meta;
    if (!meta || !meta.wide || !meta.narrow || !window.Plotly || !gd.clientWidth) { return; }
    var want = gd.clientWidth < (meta.narrowWidth || 560) ? meta.narrow : meta.wide;
    var holder = gd.parentElement;  /* dcc.Graph's container: a responsive graph takes its height */
    if (holder && want.height && holder.style.height !== want.height + "px") { holder.style.height = want.height + "px"; }
    var head = layout.annotations && layout.annotations[0];
    if (head && head.text === want["annotations[0].text"] && layout.height === want.height) { return; }
    window.Plotly.relayout(gd, want);
  }

  function hook(gd) {
    if (gd.__cockpitFit || typeof gd.on !== "function") { return; }
    gd.__cockpitFit = true;
    gd.on("plotly_afterplot", function () { fit(gd); });
    fit(gd);
  }

  function scan() {
    var graphs = document.querySelectorAll(".js-plotly-plot");
    for (var i = 0; i < graphs.length; i++) { hook(graphs[i]); fit(graphs[i]); }
  }

  var pending = null;
  function later() {
    if (pending) { return; }
    pending = setTimeout(function () { pending = null; scan(); }, 150);
  }

  /* the SVG download button below a chart (the toolbar's camera gives the PNG) */
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest(".chart-download") : null;
    if (!button || !window.Plotly) { return; }
    var holder = document.getElementById(button.getAttribute("data-graph"));
    var gd = holder && (holder.classList.contains("js-plotly-plot") ? holder : holder.querySelector(".js-plotly-plot"));
    if (!gd) { return; }
    window.Plotly.downloadImage(gd, { format: "svg", filename: button.getAttribute("data-filename") || "chart",
      width: 1400, height: gd.layout && gd.layout.height ? gd.layout.height : 560 });
  });

  new MutationObserver(later).observe(document.documentElement, { childList: true, subtree: true });
  window.addEventListener("resize", later);
})();
