/* The search page: nothing is downloaded until the visitor types. Pagefind (built per language) then
   fetches only the parts of its index the query needs. When nothing is found, one mistyped letter in
   a longer word is corrected against the words of the sites' names (loaded only then). */
(function () {
  "use strict";
  var box = document.querySelector("[data-guide-search]");
  if (!box) return;
  var field = box.querySelector("input"), form = box.querySelector("form");
  var status = box.querySelector(".guide-search__status"), list = box.querySelector(".guide-search__results");
  var bundle = new URL(box.getAttribute("data-guide-search"), location.href);
  var engine = null, words = null, latest = 0;

  function say(name, values) {
    return box.getAttribute("data-guide-" + name).replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }

  function load() {
    engine = engine || import(bundle.href).then(function (pagefind) {
      return pagefind.options({ baseUrl: new URL("../", bundle).pathname, excerptLength: 18 })
        .then(function () { return pagefind; });
    });
    engine.catch(function () { engine = null; }); // offline the first time: try again on the next key
    return engine;
  }

  function folded(text) {
    return text.toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
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

  function corrected(query) { // the query with each unknown longer word replaced by the commonest word one letter away
    words = words || fetch(new URL(box.getAttribute("data-guide-words"), location.href)).then(function (r) { return r.json(); });
    return words.then(function (known) {
      var set = new Set(known);
      return folded(query).split(/\s+/).map(function (word) {
        if (word.length < 4 || set.has(word)) return word;
        return known.find(function (candidate) { return oneApart(word, candidate); }) || word;
      }).join(" ");
    });
  }

  function excerpt(html) { // Pagefind's excerpt is text with <mark>s: keep only those, as text
    var template = document.createElement("template"), paragraph = document.createElement("p");
    template.innerHTML = html;
    template.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        paragraph.appendChild(mark);
      } else paragraph.appendChild(document.createTextNode(node.textContent));
    });
    return paragraph;
  }

  function show(results, note) {
    list.textContent = "";
    results.forEach(function (result) {
      var item = document.createElement("li"), link = document.createElement("a"), where = document.createElement("span");
      link.href = result.url;
      link.textContent = result.meta.title;
      where.className = "guide-search__where";
      where.textContent = [result.meta.area, result.meta.category].filter(Boolean).join(" · ");
      item.append(link, where, excerpt(result.excerpt));
      list.appendChild(item);
    });
    status.textContent = (note ? note + ". " : "") + (results.length ? say("found", { count: results.length }) : say("none", {}));
  }

  function search(query, turn) {
    return load().then(function (pagefind) {
      return pagefind.search(query).then(function (found) {
        if (turn !== latest) return;
        if (found.results.length) return fetchResults(found, turn, "");
        return corrected(query).then(function (better) {
          if (turn !== latest) return;
          if (better === folded(query)) return show([], "");
          return pagefind.search(better).then(function (again) {
            if (turn === latest) return fetchResults(again, turn, again.results.length ? say("corrected", { query: better }) : "");
          });
        });
      });
    }).catch(function () { if (turn === latest) { list.textContent = ""; status.textContent = say("failed", {}); } });
  }

  function fetchResults(found, turn, note) {
    return Promise.all(found.results.slice(0, 10).map(function (result) { return result.data(); })).then(function (data) {
      if (turn === latest) show(data, note);
    });
  }

  var timer = 0;
  function update() {
    var query = field.value.trim(), turn = ++latest;
    clearTimeout(timer);
    try { history.replaceState(null, "", query ? "?q=" + encodeURIComponent(query) : location.pathname); } catch (e) { /* sandboxed */ }
    if (!query) { list.textContent = ""; status.textContent = ""; return; }
    timer = setTimeout(function () { search(query, turn); }, 120);
  }
  field.addEventListener("input", update);
  field.addEventListener("focus", load, { once: true }); // start fetching the engine while the visitor types
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  var asked = new URLSearchParams(location.search).get("q");
  if (asked) { field.value = asked; update(); }
})();
