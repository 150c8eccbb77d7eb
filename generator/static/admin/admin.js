// Our additions to the form editor's page (Sveltia draws the form itself).
(() => {
  // A static host sends no header that forbids framing, and a <meta> policy cannot: a page that frames the form
  // to trick an editor into clicking gets an empty page.
  if (window.top !== window.self) {
    document.documentElement.hidden = true;
    return;
  }

  // The location's "see the point on a map" link: when it is followed (tap, click, middle-click or long press),
  // it points at the latitude and longitude typed in its own group. Sveltia gives the link no id, so it is known
  // by its map's address, and its group as the nearest box holding exactly two number fields.
  const template = document.currentScript.dataset.map;
  const origin = new URL(template.replace(/[{}]/g, "")).origin;

  function typedPoint(link) {
    for (let box = link.parentElement; box; box = box.parentElement) {
      const inputs = box.querySelectorAll("input[role=spinbutton], input[type=number]");
      if (inputs.length === 2) return Array.from(inputs, (input) => input.value.trim().replace(",", "."));
      if (inputs.length > 2) return null; // past the location's group: some other link to the same map
    }
    return null;
  }

  function point(event) {
    const link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || new URL(link.href).origin !== origin) return;
    const typed = typedPoint(link);
    if (!typed) return;
    link.dataset.map ??= link.href; // the bare map, for when the numbers are not (or no longer) valid
    const valid = typed.every((value) => value !== "" && Number.isFinite(Number(value)));
    link.href = valid ? template.replaceAll("{lat}", typed[0]).replaceAll("{lon}", typed[1]) : link.dataset.map;
    link.target = "_blank"; // beside the form, which keeps what was typed
    link.rel = "noopener";
  }

  for (const kind of ["pointerdown", "click", "contextmenu", "focusin"]) document.addEventListener(kind, point, true);
})();
