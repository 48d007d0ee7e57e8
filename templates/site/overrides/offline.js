// mentorkit: the theme's search from a folder on disk (a handbook unzipped and opened from file://).
// Both themes then read their search index from a script (`search/search_index.js` for Material,
// `search.js` for Zensical; `mentorkit package` writes it), but browsers refuse to start the web
// worker that searches it from a file. This stands in for `Worker` there: the theme's worker script
// runs in a hidden frame of the page, and messages go back and forth as they would to a worker.
// Served over http(s), it does nothing.
(function () {
  "use strict";
  if (location.protocol !== "file:" || typeof window.Worker !== "function") {
    return;
  }

  function FrameWorker(url) {
    var worker = this;
    var listeners = { message: [], error: [] };
    var waiting = [];
    var ready = false;
    var frame = document.createElement("iframe");
    frame.hidden = true;
    frame.tabIndex = -1;
    frame.title = "search";
    frame.setAttribute("aria-hidden", "true");
    (document.body || document.documentElement).appendChild(frame);
    var inner = frame.contentWindow;

    function emit(type, event) {
      var handler = worker["on" + type];
      if (typeof handler === "function") {
        handler.call(worker, event);
      }
      listeners[type].slice().forEach(function (listener) { listener.call(worker, event); });
    }

    function send(data) {
      inner.dispatchEvent(new inner.MessageEvent("message", { data: data }));
    }

    // what the worker script posts comes out of the "worker"
    inner.postMessage = function (data) {
      setTimeout(function () { emit("message", new MessageEvent("message", { data: data })); }, 0);
    };
    inner.importScripts = function () {
      throw new Error("importScripts is not available to a search opened from disk");
    };

    var script = inner.document.createElement("script");
    script.src = new URL(url, location.href).href;
    script.onload = function () {
      ready = true;
      waiting.splice(0).forEach(send);
    };
    script.onerror = function () {
      emit("error", new ErrorEvent("error", { message: "search worker could not be loaded" }));
    };
    inner.document.head.appendChild(script);

    this.onmessage = null;
    this.onerror = null;
    this.onmessageerror = null;
    this.postMessage = function (data) {
      if (ready) {
        setTimeout(function () { send(data); }, 0);
      } else {
        waiting.push(data);
      }
    };
    this.addEventListener = function (type, listener) {
      if (listeners[type] && listeners[type].indexOf(listener) < 0) {
        listeners[type].push(listener);
      }
    };
    this.removeEventListener = function (type, listener) {
      if (listeners[type]) {
        listeners[type] = listeners[type].filter(function (known) { return known !== listener; });
      }
    };
    this.terminate = function () {
      frame.remove();
    };
  }

  window.Worker = FrameWorker;
})();
