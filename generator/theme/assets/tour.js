/* The 360° tour of a site page. Until the visitor taps, the page holds only a flat preview and the tour's
   settings: the viewer (Pannellum, from the site itself) and its pictures load on the tap. Each scene's
   ways on are real buttons too, so a keyboard or a screen reader can walk the tour. */
"use strict";
(function () {
  for (const tour of document.querySelectorAll(".guide-tour")) {
    const config = JSON.parse(tour.querySelector(".guide-tour-config").textContent);
    const open = tour.querySelector(".guide-tour-open");
    const box = tour.querySelector(".guide-tour-viewer");
    let viewer = null, loading = null;

    function show(scene) {
      for (const exits of tour.querySelectorAll(".guide-tour-exits")) exits.hidden = exits.dataset.guideScene !== scene;
    }

    function load() {
      if (!loading) {
        loading = new Promise((resolve, reject) => {
          const style = document.createElement("link");
          style.rel = "stylesheet";
          style.href = tour.dataset.guideViewerCss;
          document.head.appendChild(style);
          const script = document.createElement("script");
          script.src = tour.dataset.guideViewerJs;
          script.onload = resolve;
          script.onerror = reject;
          document.head.appendChild(script);
        });
      }
      return loading;
    }

    function start(scene) {
      open.hidden = true;
      box.hidden = false;
      return load().then(() => {
        if (viewer) { viewer.loadScene(scene); return true; }
        const settings = Object.assign({}, config, { default: Object.assign({}, config.default, { firstScene: scene }) });
        const stage = document.createElement("div");  // Pannellum sizes its container to 100 % of this box
        stage.className = "guide-tour-stage";
        box.appendChild(stage);
        viewer = window.pannellum.viewer(stage, settings);
        viewer.on("scenechange", show);
        show(scene);
        return true;
      }, () => { open.hidden = false; box.hidden = true; loading = null; return false; });
    }

    open.addEventListener("click", () => start(config.default.firstScene));
    tour.addEventListener("click", (event) => {
      const go = event.target.closest("[data-guide-go]");
      if (go) start(go.dataset.guideGo).then((opened) => { if (opened) show(go.dataset.guideGo); });
    });
  }
})();
