"""HTTP surface of the council wall besides its Dash page:

- `GET /wall/status?<the wall's query>`: a tiny JSON the wall polls: `stamp` (changes when the wall must be
  rebuilt: new data, a new day, a revoked token), `app` (the app version: a change means a deploy, the wall
  reloads itself once) and `role`. Cheap: one look-up of the token and the data version, no evaluation.
- `GET /wall-sw.js`: the service worker (scope `/wall`) that keeps the last wall page, its scripts and its
  first render, so that a wall browser reloading during an outage shows the last wall instead of an error page.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from urllib.parse import urlencode

import flask

from cockpit import PROJECT_ROOT
from cockpit.i18n import LANGUAGES, t
from cockpit.readmodel.snapshot import now_local
from cockpit.views.wall import wall_stamp
from layouts.components.wall import wall_request
from layouts.context import current_cockpit

APP_VERSION_KEY = "WALL_APP_VERSION"
APP_VERSION_ENV = "COCKPIT_WALL_APP_VERSION"
STATUS_PATH = "/wall/status"
SW_PATH = "/wall-sw.js"
SW_SCOPE = "/wall"
_VERSIONED = ("cockpit", "layouts", "callbacks", "assets")
_SUFFIXES = (".py", ".js", ".css", ".json", ".yaml")

bp = flask.Blueprint("wall", __name__)


def compute_app_version() -> str:
    """A fingerprint of the deployed code and assets (names, sizes, modification times): changes on deploy."""
    digest = hashlib.sha256()
    for folder in _VERSIONED:
        root = PROJECT_ROOT / folder
        for path in sorted(root.rglob("*")):
            if path.suffix in _SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                digest.update(f"{path.relative_to(PROJECT_ROOT)}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:12]


def app_version() -> str:
    return str(flask.current_app.config.get(APP_VERSION_KEY, ""))


def status_url(query: Mapping[str, str]) -> str:
    """The status URL of the wall with this query (token, slides and language decide the stamp)."""
    keep = {key: query[key] for key in ("token", "slides", "lang") if query.get(key)}
    return f"{STATUS_PATH}?{urlencode(keep)}" if keep else STATUS_PATH


def init_app(server: flask.Flask) -> None:
    """The app version: COCKPIT_WALL_APP_VERSION (e.g. a release id set by the deployment) or the fingerprint."""
    server.config.setdefault(APP_VERSION_KEY, os.environ.get(APP_VERSION_ENV) or compute_app_version())


@bp.get(STATUS_PATH)
def status():
    query = flask.request.args.to_dict(flat=True)
    role, options = wall_request(query)
    stamp = wall_stamp(role, current_cockpit().store.data_version(), now_local().date(), options)
    response = flask.jsonify(stamp=stamp, app=app_version(), role=role.value)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get(SW_PATH)
def service_worker():
    texts = {key: " / ".join(t(f"wall.offline.page.{key}", lang) for lang in LANGUAGES) for key in ("title", "text")}
    script = SERVICE_WORKER.replace("__OFFLINE_TITLE__", json.dumps(texts["title"])).replace(
        "__OFFLINE_TEXT__", json.dumps(texts["text"]))
    response = flask.Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = SW_SCOPE
    return response


SERVICE_WORKER = r"""/* SmartCity Cockpit wall: service worker (scope /wall).
   Keeps the last wall page, Dash's scripts and the wall's first render, so that a reload during an outage
   shows the last wall; /wall/status always goes to the network (the page uses it to notice an outage). */
"use strict";
var CACHE = "cockpit-wall-v1";
var LAST_PAGE = "/wall/__sw/last-page";
var ROUTE = "/wall/__sw/route/";
var BODY = "/body";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

function hash(text) {
  var h = 5381;
  for (var i = 0; i < text.length; i++) { h = ((h * 33) ^ text.charCodeAt(i)) >>> 0; }
  return h.toString(16) + "-" + text.length;
}

function broken(response) { return !response || response.status >= 500; }

function offlinePage() {
  var html = "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\">" +
    "<meta http-equiv=\"refresh\" content=\"15\"><title>" + __OFFLINE_TITLE__ + "</title></head>" +
    "<body><p>" + __OFFLINE_TEXT__ + "</p></body></html>";
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

function page(request) {
  return caches.open(CACHE).then(function (cache) {
    return fetch(request).then(function (response) {
      if (broken(response)) { throw new Error("server error " + response.status); }
      if (response.ok) {
        var one = response.clone(), two = response.clone();
        cache.put(request, one);
        cache.put(LAST_PAGE, two);
      }
      return response;
    }).catch(function () {
      return cache.match(request).then(function (hit) {
        return hit || cache.match(LAST_PAGE);
      }).then(function (hit) { return hit || offlinePage(); });
    });
  });
}

function unversioned(url) {
  /* '/_dash-component-suites/dash/x.v4_4_1m1795.min.js' and '/assets/wall.js?m=1795' without their fingerprint */
  var parsed = new URL(url);
  return parsed.pathname.replace(/\.v[0-9a-z_]+m[0-9]+/, "");
}

function dropOlderVersions(cache, url) {
  /* one version per script: a deploy replaces what the previous one cached (the cache stays bounded) */
  var path = unversioned(url);
  return cache.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.url !== url && unversioned(k.url) === path; })
      .map(function (k) { return cache.delete(k); }));
  });
}

function cacheFirst(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      if (hit) { return hit; }
      return fetch(request).then(function (response) {
        if (response.ok) {
          cache.put(request, response.clone()).then(function () { return dropOlderVersions(cache, request.url); });
        }
        return response;
      });
    });
  });
}

function networkFirst(request, key) {
  return caches.open(CACHE).then(function (cache) {
    return fetch(request).then(function (response) {
      if (broken(response)) { throw new Error("server error " + response.status); }
      if (response.ok) { cache.put(key || request, response.clone()); }
      return response;
    }).catch(function (error) {
      return cache.match(key || request).then(function (hit) {
        if (hit) { return hit; }
        throw error;
      });
    });
  });
}

function renewRoutes() {
  /* after the wall was re-rendered with new data, render its first view again for the cache */
  return caches.open(CACHE).then(function (cache) {
    return cache.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k.url.slice(-BODY.length) === BODY; })
        .map(function (k) {
          return cache.match(k).then(function (r) { return r.text(); }).then(function (body) {
            return fetch("/_dash-update-component", {
              method: "POST", body: body, credentials: "same-origin",
              headers: { "Content-Type": "application/json" }
            }).then(function (response) {
              if (response.ok) { return cache.put(k.url.slice(0, -BODY.length), response); }
            });
          });
        }));
    });
  }).catch(function () {});
}

function callback(request) {
  return request.clone().text().then(function (body) {
    if (body.indexOf("_pages_content") === -1) {
      return fetch(request).then(function (response) {
        if (response.status === 200 && body.indexOf("wall-body.children") !== -1) { renewRoutes(); }
        return response;
      });
    }
    var key = ROUTE + hash(body);
    return caches.open(CACHE).then(function (cache) {
      return cache.put(key + BODY, new Response(body)).then(function () {
        return networkFirst(request, key);
      });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method === "POST" && url.pathname === "/_dash-update-component") {
    event.respondWith(callback(request));
    return;
  }
  if (request.method !== "GET" || url.pathname.indexOf("/wall/status") === 0) { return; }
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (url.pathname.indexOf("/_dash-component-suites/") === 0 || url.pathname.indexOf("/assets/") === 0) {
    event.respondWith(cacheFirst(request));
  } else if (url.pathname === "/_dash-layout" || url.pathname === "/_dash-dependencies" ||
             url.pathname.indexOf("/_favicon") === 0) {
    event.respondWith(networkFirst(request));
  }
});
"""
