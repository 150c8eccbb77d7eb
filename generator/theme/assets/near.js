/* "Near me", loaded by guide.js only after the visitor taps the button: ask for the location, fetch the
   language's list of sites (near.json: [lat, lon, slug, name, fallback?] with degrees × scale) and list
   the nearest, closest first, with distances as the page's language writes them. The location never
   leaves the phone. Names are volunteer text: they are set as text, never as HTML. */
(function () {
  "use strict";
  var SHOWN = 10;
  var EARTH_RADIUS_KM = 6371.0088;

  function distanceKm(lat1, lon1, lat2, lon2) {
    var rad = Math.PI / 180;
    var h = Math.pow(Math.sin((lat2 - lat1) * rad / 2), 2) +
      Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.pow(Math.sin((lon2 - lon1) * rad / 2), 2);
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(h));
  }

  // As the site pages write them: metres to the nearest 10 under 1 km, else kilometres to one decimal.
  function formatDistance(km, language) {
    var metres = km < 1;
    var value = metres ? Math.max(10, Math.round(km * 100) * 10) : Math.round(km * 10) / 10;
    try {
      return new Intl.NumberFormat(language, {
        style: "unit", unit: metres ? "meter" : "kilometer", unitDisplay: "short", maximumFractionDigits: 1,
      }).format(value);
    } catch (e) { // browsers without unit formatting
      return value.toLocaleString(language) + (metres ? " m" : " km");
    }
  }

  window.guideNear = function (section, base) {
    var button = section.querySelector("[data-guide-near-button]");
    var status = section.querySelector("[data-guide-near-status]");
    var list = section.querySelector("[data-guide-near-list]");
    function say(message) { status.textContent = section.getAttribute("data-guide-" + message) || ""; }
    function done(message) { say(message); button.disabled = false; }

    var geolocation = null;
    try { geolocation = navigator.geolocation || null; } catch (e) { /* blocked */ }
    if (!geolocation) { say("unsupported"); return; }
    button.disabled = true;
    list.hidden = true;
    say("finding");
    var sites = fetch(new URL("near.json", base)).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    });
    sites.catch(function () {}); // reported once the position is known
    try {
      geolocation.getCurrentPosition(function (position) {
        sites.then(function (data) {
          show(data, position.coords.latitude, position.coords.longitude);
          done("found");
        }, function () { done("failed"); });
      }, function (error) {
        done(error && error.code === 1 ? "denied" : "lost");
      }, { enableHighAccuracy: false, timeout: 30000, maximumAge: 60000 });
    } catch (e) {
      done("unsupported");
    }

    function show(data, lat, lon) {
      var language = document.documentElement.lang;
      var nearest = data.sites.map(function (site) {
        return { site: site, km: distanceKm(lat, lon, site[0] / data.scale, site[1] / data.scale) };
      }).sort(function (a, b) { return a.km - b.km; }).slice(0, SHOWN);
      list.textContent = "";
      nearest.forEach(function (found) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = new URL(found.site[2] + "/", base).href;
        link.textContent = found.site[3];
        if (found.site[4]) link.lang = data.fallback;
        var distance = document.createElement("span");
        distance.className = "guide-count";
        distance.textContent = formatDistance(found.km, language);
        item.append(link, " ", distance);
        list.appendChild(item);
      });
      list.hidden = false;
    }
  };
})();
