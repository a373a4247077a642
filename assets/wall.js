/* SmartCity Cockpit wall (/wall): rotation, progress mark, clock, data refresh, outage handling, reload after a
   deploy, burn-in shift, service worker. Dash loads every asset script on every page: this one acts only on the
   wall (path /wall and the #wall element). Configuration comes from data-* attributes of #wall. */
(function () {
  "use strict";
  if (window.location.pathname.replace(/\/+$/, "") !== "/wall") {
    return;
  }
  var TZ = "Europe/Berlin";
  var OFFLINE_KEY = "cockpit-wall-offline-since";
  var RELOADED_KEY = "cockpit-wall-reloaded-for";
  var MAX_BACKOFF = 30;
  var state = {
    root: null, index: 0, rotateTimer: null, pollTimer: null, clockTimer: null, shiftTimer: null,
    failures: 0, lastCount: -1
  };

  if ("serviceWorker" in navigator) {
    /* the first load is not yet served through the worker: once it takes over, load the wall through it
       (once), so that everything a reload during an outage needs is in its cache */
    var controlled = !!navigator.serviceWorker.controller;
    navigator.serviceWorker.addEventListener("controllerchange", function () {
      if (!controlled) {
        controlled = true;
        window.location.reload();
      }
    });
    navigator.serviceWorker.register("/wall-sw.js", { scope: "/wall" }).catch(function () {});
  }

  function config(name, fallback) {
    var value = state.root && state.root.getAttribute("data-" + name);
    return value === null || value === undefined ? fallback : value;
  }

  function seconds(name, fallback) {
    var n = parseInt(config(name, ""), 10);
    return isFinite(n) && n > 0 ? n : fallback;
  }

  function setText(el, text) {
    /* change React's own text node (never replace it) so later renders stay consistent */
    if (!el || el.textContent === text) { return; }
    if (el.childNodes.length === 1 && el.firstChild.nodeType === 3) { el.firstChild.nodeValue = text; }
    else { el.textContent = text; }
  }

  function hhmm(date) {
    return new Intl.DateTimeFormat(config("lang", "de") === "en" ? "en-GB" : "de-DE",
      { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: TZ }).format(date);
  }

  // ---------------------------------------------------------------------------------------------- rotation
  function slides() { return state.root.querySelectorAll(".wall-slide"); }

  function show(index) {
    var all = slides();
    if (!all.length) { return; }
    state.index = ((index % all.length) + all.length) % all.length;
    for (var i = 0; i < all.length; i++) {
      if (i === state.index) { all[i].setAttribute("data-active", "true"); }
      else { all[i].removeAttribute("data-active"); }
    }
    var dots = state.root.querySelectorAll(".wall-progress__dot");
    for (var j = 0; j < dots.length; j++) {
      if (j === state.index) { dots[j].setAttribute("data-active", "true"); }
      else { dots[j].removeAttribute("data-active"); }
    }
    var text = state.root.querySelector(".wall-progress__text");
    if (text) {
      setText(text, (text.getAttribute("data-template") || "{slide}/{slides}")
        .replace("{slide}", String(state.index + 1)).replace("{slides}", String(all.length)));
    }
    var fill = state.root.querySelector(".wall-progress__fill");
    if (fill) {
      fill.classList.remove("wall-progress__fill--run");
      void fill.offsetWidth; // restart the animation
      fill.style.animationDuration = seconds("every", 30) + "s";
      fill.classList.add("wall-progress__fill--run");
    }
  }

  function rotate() {
    clearTimeout(state.rotateTimer);
    state.rotateTimer = setTimeout(function () {
      show(state.index + 1);
      rotate();
    }, seconds("every", 30) * 1000);
  }

  // ---------------------------------------------------------------------------------------------- clock
  function tick() {
    setText(document.getElementById("wall-clock"), hhmm(new Date()));
    if (window.performance && performance.clearResourceTimings && new Date().getSeconds() === 0) {
      performance.clearResourceTimings(); /* weeks of polling must not fill the timing buffer */
    }
    /* a re-render may bring other slides: keep the current one on */
    var count = slides().length;
    if (count !== state.lastCount || !state.root.querySelector(".wall-slide[data-active]")) {
      state.lastCount = count;
      show(state.index);
    }
  }

  // ---------------------------------------------------------------------------------------------- outages
  function offline() {
    var since = window.sessionStorage.getItem(OFFLINE_KEY);
    if (!since) {
      since = String(Date.now());
      window.sessionStorage.setItem(OFFLINE_KEY, since);
    }
    var mark = document.getElementById("wall-offline");
    if (mark) {
      setText(mark, config("offline", "offline {time}").replace("{time}", hhmm(new Date(parseInt(since, 10)))));
      mark.hidden = false;
    }
    state.root.setAttribute("data-connection", "lost");
  }

  function online() {
    window.sessionStorage.removeItem(OFFLINE_KEY);
    var mark = document.getElementById("wall-offline");
    if (mark) { mark.hidden = true; }
    state.root.setAttribute("data-connection", "ok");
    setText(document.getElementById("wall-refreshed"), hhmm(new Date()));
  }

  function shownStamp() {
    var frame = state.root.querySelector(".wall-frame");
    return frame ? frame.getAttribute("data-stamp") : null;
  }

  function answer(status) {
    var app = config("app-version", "");
    if (status.app && app && status.app !== app) {
      /* a deploy: reload once (the new page carries the new version) */
      if (window.sessionStorage.getItem(RELOADED_KEY) !== status.app) {
        window.sessionStorage.setItem(RELOADED_KEY, status.app);
        window.location.reload();
        return;
      }
    }
    if (status.stamp && status.stamp !== shownStamp() && window.dash_clientside &&
        typeof window.dash_clientside.set_props === "function") {
      window.dash_clientside.set_props("wall-trigger", { data: status.stamp });
    }
  }

  function poll() {
    clearTimeout(state.pollTimer);
    var controller = window.AbortController ? new AbortController() : null;
    var abort = controller ? setTimeout(function () { controller.abort(); }, 10000) : null;
    fetch(config("status-url", "/wall/status"), {
      cache: "no-store", credentials: "same-origin", signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (!response.ok) { throw new Error("status " + response.status); }
      return response.json();
    }).then(function (status) {
      clearTimeout(abort);
      state.failures = 0;
      online();
      answer(status);
      schedule(seconds("refresh", 60));
    }).catch(function () {
      clearTimeout(abort);
      state.failures += 1;
      offline();
      /* back off: 2, 4, 8 ... seconds, at most half a minute (or the refresh period if that is longer) */
      schedule(Math.min(Math.pow(2, state.failures), Math.max(MAX_BACKOFF, seconds("refresh", 60))));
    });
  }

  function schedule(delay) {
    clearTimeout(state.pollTimer);
    state.pollTimer = setTimeout(poll, delay * 1000);
  }

  // ---------------------------------------------------------------------------------------------- burn-in
  function shift() {
    var dx = Math.round(Math.random() * 8 - 4), dy = Math.round(Math.random() * 8 - 4);
    state.root.style.transform = "translate(" + dx + "px, " + dy + "px)";
  }

  // ---------------------------------------------------------------------------------------------- start
  function start(root) {
    state.root = root;
    show(0);
    rotate();
    tick();
    state.clockTimer = setInterval(tick, 1000);
    if (window.sessionStorage.getItem(OFFLINE_KEY)) { offline(); }
    schedule(Math.min(seconds("refresh", 60), 5));
    if (config("shift", "false") === "true") {
      state.shiftTimer = setInterval(shift, 180000);
    }
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) {
        clearTimeout(state.pollTimer);
      } else {
        poll();
      }
    });
    window.cockpitWall = { show: show, poll: poll, shift: shift, state: state };
  }

  function waitForWall() {
    var root = document.getElementById("wall");
    if (root) {
      start(root);
    } else {
      setTimeout(waitForWall, 100);
    }
  }

  waitForWall();
})();
