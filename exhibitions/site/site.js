// The exhibition's viewer: OpenSeadragon on the level-0 IIIF images copied beside this page.
// An image's info.json names the address it was published at; here it is read from wherever
// this folder is served, so the id is replaced by the address the file was fetched from.
"use strict";

(function () {
  const entries = Array.from(document.querySelectorAll("button.entry"));
  const caption = document.getElementById("now-showing");
  if (!entries.length || typeof OpenSeadragon === "undefined") return;

  const viewer = OpenSeadragon({
    id: "viewer",
    prefixUrl: "assets/openseadragon/images/",
    showNavigator: true,
    crossOriginPolicy: "Anonymous",
  });

  async function tileSource(infoUrl) {
    const address = new URL(infoUrl, document.baseURI);
    const response = await fetch(address);
    if (!response.ok) throw new Error(`${address}: ${response.status}`);
    const info = await response.json();
    info.id = address.href.replace(/\/info\.json$/, "");
    return info;
  }

  async function show(button) {
    entries.forEach((b) => b.setAttribute("aria-current", String(b === button)));
    caption.textContent = button.dataset.label;
    viewer.open(await tileSource(button.dataset.info));
  }

  entries.forEach((button) => button.addEventListener("click", () => show(button)));
  show(entries[0]);
})();
