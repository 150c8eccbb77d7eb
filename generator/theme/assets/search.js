/* The search page. Nothing is downloaded until the visitor starts typing; then one small index of
   the sites' names, areas and kinds (generator/web/search.py), and for the results shown their summaries.
   Matching ignores case and Vietnamese tones (`den tran hung dao` finds Đền Trần Hưng Đạo), finds
   Chinese by any run of characters, and when nothing is found corrects one mistyped letter in a
   longer word against the words of the index. */
(function () {
  "use strict";
  var box = document.querySelector("[data-guide-index]");
  if (!box) return;
  var field = box.querySelector("input"), form = box.querySelector("form");
  var status = box.querySelector(".guide-search__status"), list = box.querySelector(".guide-search__results");
  var perShard = Number(box.getAttribute("data-guide-per-shard"));
  var WEIGHTS = [8, 6, 2, 1]; // a match in the name counts most, then the Vietnamese name, the area, the kind
  var LETTER = /[\p{L}\p{N}]/u, HAN = /\p{Script=Han}/u, SHOWN = 10;
  var index = null, shards = {}, latest = 0;

  function say(name, values) {
    return box.getAttribute("data-guide-" + name).replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function folded(text) {
    return text.toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function words(text) { return text.split(/[^\p{L}\p{N}]+/u).filter(Boolean); }

  function prepare(data) {
    var counts = new Map();
    var sites = data.sites.map(function (entry, number) {
      var fields = [entry[1], entry[2], data.areas[entry[3]], data.categories[entry[4]]].map(folded);
      fields.forEach(function (text) {
        words(text).forEach(function (word) { if (word.length >= 4) counts.set(word, (counts.get(word) || 0) + 1); });
      });
      return { number: number, slug: entry[0], name: entry[1], where: data.areas[entry[3]] + " · " + data.categories[entry[4]], fields: fields };
    });
    var vocabulary = Array.from(counts.keys()).sort(function (a, b) { return counts.get(b) - counts.get(a); });
    return { sites: sites, vocabulary: vocabulary };
  }

  function load() {
    index = index || fetch(new URL(box.getAttribute("data-guide-index"), location.href)).then(function (response) {
      if (!response.ok) throw new Error(response.status);
      return response.json();
    }).then(prepare);
    index.catch(function () { index = null; }); // offline the first time: try again on the next key
    return index;
  }

  function termScore(fields, term) { // a whole word counts double a word's beginning; Chinese matches anywhere
    var best = 0, han = HAN.test(term);
    fields.forEach(function (text, i) {
      for (var at = text.indexOf(term); at !== -1; at = text.indexOf(term, at + 1)) {
        var starts = at === 0 || !LETTER.test(text[at - 1]);
        var ends = at + term.length === text.length || !LETTER.test(text[at + term.length]);
        var value = han ? 2 : starts ? (ends ? 2 : 1) : 0;
        best = Math.max(best, value * WEIGHTS[i]);
      }
    });
    return best;
  }

  function ranked(sites, terms) {
    var found = [];
    sites.forEach(function (site) {
      var score = 0;
      for (var i = 0; i < terms.length; i++) {
        var one = termScore(site.fields, terms[i]);
        if (!one) return;
        score += one;
      }
      found.push({ site: site, score: score });
    });
    return found.sort(function (a, b) {
      return b.score - a.score || a.site.name.length - b.site.name.length || (a.site.name < b.site.name ? -1 : 1);
    }).map(function (hit) { return hit.site; });
  }

  function oneApart(a, b) { // one letter changed, added or left out
    if (Math.abs(a.length - b.length) > 1 || a === b) return false;
    var i = 0, j = 0, edits = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { i++; j++; continue; }
      if (++edits > 1) return false;
      if (a.length > b.length) i++; else if (b.length > a.length) j++; else { i++; j++; }
    }
    return edits + (a.length - i) + (b.length - j) <= 1;
  }

  function corrected(data, terms) { // each longer word found nowhere, replaced by the commonest word one letter away
    return terms.map(function (term) {
      if (term.length < 4 || HAN.test(term) || data.sites.some(function (site) { return termScore(site.fields, term); })) return term;
      return data.vocabulary.find(function (word) { return oneApart(term, word); }) || term;
    });
  }

  function summary(site) {
    var number = Math.floor(site.number / perShard);
    shards[number] = shards[number] || fetch(new URL(box.getAttribute("data-guide-shard").replace("{number}", number), location.href))
      .then(function (response) { return response.json(); });
    shards[number].catch(function () { delete shards[number]; });
    return shards[number].then(function (texts) { return texts[site.number % perShard]; });
  }

  function show(sites, note) {
    list.textContent = "";
    sites.slice(0, SHOWN).forEach(function (site) {
      var item = document.createElement("li"), link = document.createElement("a");
      var where = document.createElement("span"), text = document.createElement("p");
      link.href = new URL("../" + site.slug + "/", location.href).href;
      link.textContent = site.name;
      where.className = "guide-search__where";
      where.textContent = site.where;
      item.append(link, where, text);
      list.appendChild(item);
      summary(site).then(function (found) { text.textContent = found; }, function () { /* offline: name and area suffice */ });
    });
    status.textContent = (note ? note + ". " : "") + (sites.length ? say("found", { count: sites.length }) : say("none", {}));
  }

  function search(query, turn) {
    load().then(function (data) {
      if (turn !== latest) return;
      var terms = words(folded(query)), found = ranked(data.sites, terms);
      if (found.length) return show(found, "");
      var better = corrected(data, terms);
      found = better.join(" ") === terms.join(" ") ? [] : ranked(data.sites, better);
      show(found, found.length ? say("corrected", { query: better.join(" ") }) : "");
    }).catch(function () {
      if (turn === latest) { list.textContent = ""; status.textContent = say("failed", {}); }
    });
  }

  var timer = 0;
  function update() {
    var query = field.value.trim(), turn = ++latest;
    clearTimeout(timer);
    try { history.replaceState(null, "", query ? "?q=" + encodeURIComponent(query) : location.pathname); } catch (e) { /* sandboxed */ }
    if (!query) { list.textContent = ""; status.textContent = ""; return; }
    timer = setTimeout(function () { search(query, turn); }, 100);
  }
  field.addEventListener("input", update);
  field.addEventListener("focus", function () { load(); }, { once: true }); // fetch while the visitor types
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  var asked = new URLSearchParams(location.search).get("q");
  if (asked) { field.value = asked; update(); }
})();
