// The form's "see the point on a map" link: when it is followed, it points at the latitude and longitude typed
// in its own group. The form is drawn by Sveltia, so the link is found by its address, not by an id we set.
(() => {
  const template = document.currentScript.dataset.map;
  const origin = new URL(template.replace(/[{}]/g, "")).origin;

  function numbers(link) {
    for (let box = link.parentElement; box; box = box.parentElement) {
      const typed = Array.from(box.querySelectorAll("input[role=spinbutton], input[type=number]"))
        .map((input) => input.value.trim().replace(",", "."));
      if (typed.length >= 2) return typed.slice(0, 2);
    }
    return null;
  }

  document.addEventListener("click", (event) => {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || !link.href.startsWith(origin)) return;
    const typed = numbers(link);
    if (!typed || !typed.every((value) => value !== "" && Number.isFinite(Number(value)))) return;  // the map alone
    link.href = template.replaceAll("{lat}", typed[0]).replaceAll("{lon}", typed[1]);
    link.target = "_blank";  // beside the form, which keeps what was typed
    link.rel = "noopener";
  }, true);
})();
