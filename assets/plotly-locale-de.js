/* SmartCity Cockpit: German texts for the plotly.js chart toolbar, hovers and dates (config `locale: "de"` on
   German pages). Served from the cockpit itself (no third-party request). The keys are plotly.js's own English
   texts (plotly.js v4, see the modebar buttons); the German texts are the cockpit's. Dash loads plotly.js after the
   asset scripts, so the locale waits in window.PlotlyLocales, which plotly.js registers when it starts. */
(function () {
  "use strict";
  var locale = {
    moduleType: "locale",
    name: "de",
    dictionary: {
      "Autoscale": "Automatisch skalieren",
      "Box Select": "Rechteck auswählen",
      "Compare data on hover": "Werte beim Überfahren vergleichen",
      "Double-click on legend to isolate one trace": "Doppelklick auf die Legende zeigt nur diese Linie",
      "Double-click to zoom back out": "Doppelklick zoomt wieder heraus",
      "Download plot as JSON": "Diagramm als JSON herunterladen",
      "Download plot as a PNG": "Diagramm als PNG-Bild herunterladen",
      "Download plot": "Diagramm herunterladen",
      "Draw circle": "Kreis zeichnen",
      "Draw closed freeform": "Geschlossene Freiform zeichnen",
      "Draw line": "Linie zeichnen",
      "Draw open freeform": "Offene Freiform zeichnen",
      "Draw rectangle": "Rechteck zeichnen",
      "Erase active shape": "Gewählte Form löschen",
      "Image download succeeded": "Bild heruntergeladen",
      "JSON download succeeded": "JSON heruntergeladen",
      "Lasso Select": "Lasso-Auswahl",
      "Pan": "Verschieben",
      "Preparing image - this may take a few seconds": "Bild wird erstellt – das kann einige Sekunden dauern",
      "Reset axes": "Achsen zurücksetzen",
      "Reset view": "Ansicht zurücksetzen",
      "Reset views": "Ansichten zurücksetzen",
      "Reset": "Zurücksetzen",
      "Show closest data on hover": "Nächsten Wert beim Überfahren zeigen",
      "Sorry, there was a problem downloading your JSON file!": "Die JSON-Datei konnte leider nicht heruntergeladen werden.",
      "Sorry, there was a problem downloading your image!": "Das Bild konnte leider nicht heruntergeladen werden.",
      "Toggle Spike Lines": "Hilfslinien ein/aus",
      "Toggle show closest data on hover": "Nächsten Wert beim Überfahren ein/aus",
      "Zoom in": "Vergrößern",
      "Zoom out": "Verkleinern",
      "Zoom": "Zoomen",
      "trace": "Linie"
    },
    format: {
      days: ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
      shortDays: ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
      months: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
               "November", "Dezember"],
      shortMonths: ["Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep.", "Okt.", "Nov.", "Dez."],
      date: "%d.%m.%Y",
      decimal: ",",
      thousands: "."
    }
  };
  if (typeof window.Plotly !== "undefined" && typeof window.Plotly.register === "function") {
    window.Plotly.register(locale);
  } else {
    window.PlotlyLocales = window.PlotlyLocales || [];
    window.PlotlyLocales.push(locale);
  }
})();
