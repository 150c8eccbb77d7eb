/* The guide's page script: remember the language a visitor picks, show "near me", keep pages for use
   without signal (the page a visitor landed on and the plaque address that led there too) and save an
   area. In-app browsers (Zalo's) may lack service workers, caches, storage or location: every part
   checks for what it needs, and the page works without it. */
(function () {
  "use strict";
  var me = document.currentScript && document.currentScript.src;
  if (!me) return;
  var root = new URL("../", me); // this script is in the site's shared /assets/
  var languageRoot = new URL("./", location.href);
  try { // Material's page settings: "base" is this language's root, relative to the page
    languageRoot = new URL(JSON.parse(document.getElementById("__config").textContent).base + "/", location.href);
  } catch (e) { /* not a Material page: the page is at its language's root */ }

  function remember(language) {
    try { localStorage.setItem("guide-language", language); } catch (e) { /* private mode, or no storage */ }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-guide-lang]");
    if (link) remember(link.getAttribute("data-guide-lang"));
  });

  /* Directions: the map app this phone opens best goes first. iPhones open Apple Maps (and ignore geo:);
     Android phones open geo: in whatever map app they have. */
  var maps = document.querySelector(".guide-maps");
  if (maps) {
    var agent = navigator.userAgent || "";
    var first = /iPhone|iPad|iPod/.test(agent) || (/Macintosh/.test(agent) && navigator.maxTouchPoints > 1) ? "apple"
      : /Android/.test(agent) ? "geo" : null;
    var link = first && maps.querySelector('[data-guide-map="' + first + '"]');
    if (link) {
      link.hidden = false;
      maps.querySelectorAll(".md-button--primary").forEach(function (other) { other.classList.remove("md-button--primary"); });
      link.classList.add("md-button--primary");
      maps.insertBefore(link, maps.firstChild);
    }
  }

  /* Festival days: a page built long ago may list some already past. */
  var today = new Date();
  today = today.getFullYear() + "-" + ("0" + (today.getMonth() + 1)).slice(-2) + "-" + ("0" + today.getDate()).slice(-2);
  document.querySelectorAll(".guide-dates time").forEach(function (time) {
    if (time.getAttribute("datetime") < today) time.parentNode.hidden = true;
  });

  // "Near me": its script (near.js) and list load only when the visitor taps the button.
  var near = document.querySelector("[data-guide-near]");
  if (near) {
    var nearButton = near.querySelector("[data-guide-near-button]");
    nearButton.disabled = false;
    nearButton.addEventListener("click", function () {
      loadNearScript().then(function () { window.guideNear(near, languageRoot); }, function () {
        near.querySelector("[data-guide-near-status]").textContent = near.getAttribute("data-guide-failed");
      });
    });
  }

  function loadNearScript() {
    return new Promise(function (resolve, reject) {
      if (window.guideNear) { resolve(); return; }
      var script = document.createElement("script");
      script.src = new URL("near.js", me).href;
      script.addEventListener("load", resolve);
      script.addEventListener("error", function () { script.remove(); reject(); });
      document.head.appendChild(script);
    });
  }

  var workers = null;
  try { workers = "serviceWorker" in navigator ? navigator.serviceWorker : null; } catch (e) { /* blocked */ }
  var buttons = document.querySelectorAll("[data-guide-offline]");
  if (!workers || !("caches" in window)) hide(buttons); // saving an area needs both
  if (!workers) return;
  var landed = !workers.controller; // this page came from the network, not through the worker: keep it
  try {
    workers.register(new URL("sw.js", root), { scope: root.pathname }).catch(function () {});
  } catch (e) {
    return;
  }
  if (landed) keepLanding();
  offerAreas();

  /* The worker starts after the first page loaded, so it never saw that page, its files, or the plaque
     address (or language chooser) that sent the visitor here: once it is active, ask it to keep them. */
  function keepLanding() {
    var loaded = new Promise(function (resolve) {
      if (document.readyState === "complete") resolve();
      else window.addEventListener("load", resolve);
    });
    Promise.all([workers.ready, loaded]).then(function (ready) {
      var urls = [location.href.split("#")[0]];
      var from = document.referrer ? new URL(document.referrer) : null;
      if (from && from.origin === location.origin && from.pathname.indexOf(root.pathname) === 0) urls.push(from.href);
      var entries = window.performance && performance.getEntriesByType ? performance.getEntriesByType("resource") : [];
      entries.forEach(function (entry) {
        var url = new URL(entry.name);
        if (url.origin === location.origin && /^(link|script|css|img)$/.test(entry.initiatorType)) urls.push(url.href);
      });
      if (ready[0].active) ready[0].active.postMessage({ keep: urls });
    }).catch(function () {});
  }

  /* "Save this area for offline use": the size is shown first, from the area's list; the worker downloads it. */
  function offerAreas() {
    if (!buttons.length || !("caches" in window)) return;
    buttons.forEach(function (button) {
      fetch(new URL(button.getAttribute("data-guide-offline"), location.href)).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).then(function (area) {
        var size = button.querySelector("[data-guide-size]");
        size.textContent = (area.bytes / 1e6).toLocaleString(document.documentElement.lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) + " MB";
        button.disabled = false;
        button.addEventListener("click", function () { save(button, area.urls); });
      }).catch(function () { hide([button]); });
    });
  }

  function hide(elements) {
    Array.prototype.forEach.call(elements, function (element) { element.hidden = true; });
  }

  function save(button, paths) {
    button.disabled = true;
    var urls = paths.map(function (path) { return new URL(path, root).href; });
    var channel = new MessageChannel();
    channel.port1.onmessage = function (reply) {
      if (!reply.data) { button.disabled = false; return; }
      button.setAttribute("data-guide-saved", "");
      // Plaque addresses scanned later, offline, should open the pages saved: in this language.
      remember(document.documentElement.lang.split("-")[0]);
      button.querySelector("[data-guide-done]").hidden = false;
    };
    workers.ready.then(function (registration) {
      registration.active.postMessage({ save: urls }, [channel.port2]);
    });
  }
})();
