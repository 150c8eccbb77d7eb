/* The guide's only script: remember the language a visitor picks, work offline, save an area. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-guide-lang]");
    if (link) try { localStorage.setItem("guide-language", link.getAttribute("data-guide-lang")); } catch (e) { /* private mode */ }
  });
  var me = document.currentScript && document.currentScript.src;
  if (!me || !("serviceWorker" in navigator)) return;
  var root = new URL("../", me); // this script is in the site's shared /assets/
  var config = document.getElementById("__config"); // Material's: "base" is this language's root, from the page
  var languageRoot = new URL(config ? JSON.parse(config.textContent).base + "/" : "./", location.href);
  navigator.serviceWorker.register(new URL("sw.js", root), { scope: root.pathname }).catch(function () {});

  var buttons = document.querySelectorAll("[data-guide-offline]");
  if (!buttons.length || !("caches" in window)) return;
  fetch(new URL("offline.json", languageRoot)).then(function (r) { return r.json(); }).then(function (areas) {
    buttons.forEach(function (button) {
      var area = areas[button.getAttribute("data-guide-offline")];
      if (!area) return;
      var size = button.querySelector("[data-guide-size]");
      size.textContent = (area.bytes / 1048576).toLocaleString(document.documentElement.lang, { maximumFractionDigits: 1 }) + " MB";
      button.hidden = false;
      button.addEventListener("click", function () {
        button.disabled = true;
        var urls = area.urls.map(function (u) { return new URL(u, root).href; });
        var channel = new MessageChannel();
        channel.port1.onmessage = function (reply) {
          if (!reply.data) { button.disabled = false; return; }
          button.setAttribute("data-guide-saved", "");
          // Plaque addresses scanned later, offline, should open the pages saved: in this language.
          try { localStorage.setItem("guide-language", document.documentElement.lang); } catch (e) { /* private mode */ }
          button.querySelector("[data-guide-done]").hidden = false;
        };
        navigator.serviceWorker.ready.then(function (registration) {
          registration.active.postMessage({ save: urls }, [channel.port2]);
        });
      });
    });
  }).catch(function () {});
})();
