// The catalogue's behaviour: the deep-zoom viewer (OpenSeadragon) of an item's page or of an
// exhibition, its buttons, and the search inside an item, whose hits are drawn on the image.
// Every text shown comes from the page (data-msg-* attributes), already in the page's language.
"use strict";

(function () {
  const element = document.getElementById("viewer");
  if (!element || typeof OpenSeadragon === "undefined") return;

  const viewer = OpenSeadragon({
    element: element,
    prefixUrl: element.dataset.prefix,
    showNavigationControl: false, // the page's own buttons, reachable by keyboard, stand in
    showNavigator: true,
    navigatorPosition: "BOTTOM_RIGHT",
    visibilityRatio: 0.8,
  });
  controls(viewer);
  if (element.dataset.info) {
    open(viewer, element.dataset.info).then(() => searchWithin(viewer), report);
  } else {
    exhibition(viewer);
  }

  // An image's info.json names the address it was published at (the archive's base_url); the
  // tiles are asked of the server this page came from, whatever that setting says.
  async function tileSource(infoUrl) {
    const address = new URL(infoUrl, document.baseURI);
    const response = await fetch(address);
    if (!response.ok) throw new Error(`${address}: ${response.status}`);
    const info = await response.json();
    info.id = address.href.replace(/\/info\.json$/, "");
    return info;
  }

  function open(viewer, infoUrl) {
    return tileSource(infoUrl).then(
      (info) =>
        new Promise((resolve, reject) => {
          viewer.addOnceHandler("open", () => resolve(info));
          viewer.addOnceHandler("open-failed", (event) => reject(new Error(event.message)));
          viewer.open(info);
        }),
    );
  }

  function report(error) {
    console.error(error); // the page stays usable: the text, the download and the manifest
  }

  function controls(viewer) {
    const actions = {
      "zoom-in": () => viewer.viewport.zoomBy(1.5).applyConstraints(),
      "zoom-out": () => viewer.viewport.zoomBy(1 / 1.5).applyConstraints(),
      "zoom-home": () => viewer.viewport.goHome(),
      rotate: () => viewer.viewport.setRotation((viewer.viewport.getRotation() + 90) % 360),
      "full-screen": () => viewer.setFullScreen(!viewer.isFullPage()),
    };
    Object.entries(actions).forEach(([id, action]) => {
      const button = document.getElementById(id);
      if (button) button.addEventListener("click", action);
    });
  }

  // -- an exhibition: one image at a time, chosen by the buttons beside each entry -----------

  function exhibition(viewer) {
    const buttons = Array.from(document.querySelectorAll("button.show-in-viewer"));
    const caption = document.getElementById("now-showing");
    if (!buttons.length) return;

    function show(button) {
      buttons.forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
      caption.textContent = button.dataset.label;
      if (button.dataset.lang) caption.setAttribute("lang", button.dataset.lang);
      else caption.removeAttribute("lang");
      return open(viewer, button.dataset.info).catch(report);
    }

    buttons.forEach((button) =>
      button.addEventListener("click", () => {
        show(button);
        element.scrollIntoView({ behavior: "smooth", block: "nearest" });
      }),
    );
    show(buttons[0]);
  }

  // -- search inside an item: IIIF Content Search, hits drawn as overlays --------------------

  const TARGET = /\/canvas\/(\d+)#xywh=(-?\d+),(-?\d+),(\d+),(\d+)$/;
  const MAX_ANSWER_PAGES = 5; // 100 matches each: more than a reader goes through

  function searchWithin(viewer) {
    const form = document.getElementById("search-within");
    if (!form) return;
    const input = document.getElementById("search-within-q");
    const status = document.getElementById("search-within-status");
    const list = document.getElementById("search-within-hits");
    const current = Number(form.dataset.page);
    const message = (name, values) =>
      Object.entries(values || {}).reduce(
        (text, [key, value]) => text.replace(`{${key}}`, value),
        form.dataset[name],
      );

    // The hits of the first answer pages, and how many there are in all.
    async function answers(q) {
      const found = [];
      let total = null;
      let url = `${form.dataset.search}?q=${encodeURIComponent(q)}`;
      for (let n = 0; url && n < MAX_ANSWER_PAGES; n += 1) {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`${url}: ${response.status}`);
        const answer = await response.json();
        found.push(...hits(answer));
        if (answer.partOf && total === null) total = answer.partOf.total;
        // `next` is published under the archive's base_url: ask this server instead
        url = answer.next ? form.dataset.search + new URL(answer.next.id).search : null;
      }
      return { found, total: total === null ? found.length : total };
    }

    function hits(answer) {
      const quotes = {};
      (answer.annotations || []).forEach((page) =>
        (page.items || []).forEach((context) =>
          [].concat(context.target).forEach((target) => {
            const selector = (target.selector || [])[0] || {};
            quotes[target.source] = selector;
          }),
        ),
      );
      return (answer.items || []).flatMap((annotation) => {
        const match = TARGET.exec(annotation.target);
        if (!match) return [];
        const [, page, x, y, w, h] = match.map(Number);
        const quote = quotes[annotation.id] || {};
        const exact = quote.exact || (annotation.body && annotation.body.value) || "";
        return [{ page, box: [x, y, w, h], prefix: quote.prefix || "", exact, suffix: quote.suffix || "" }];
      });
    }

    function rectangle(hit) {
      return viewer.viewport.imageToViewportRectangle(new OpenSeadragon.Rect(...hit.box));
    }

    // the hit with room around it, so the reader sees the line it stands on
    function around(r) {
      const margin = Math.max(r.width, r.height * 4);
      return new OpenSeadragon.Rect(r.x - margin, r.y - margin, r.width + 2 * margin, r.height + 2 * margin);
    }

    function draw(found) {
      viewer.clearOverlays();
      list.replaceChildren();
      found.forEach((hit, index) => {
        const onPage = hit.page === current;
        let box = null;
        if (onPage) {
          box = document.createElement("div");
          box.className = "hit-box";
          box.id = `hit-box-${index}`;
          viewer.addOverlay({ element: box, location: rectangle(hit) });
        }
        list.append(entry(hit, box));
      });
    }

    function entry(hit, box) {
      const item = document.createElement("li");
      let control;
      if (box) {
        control = document.createElement("button");
        control.type = "button";
        control.className = "hit";
        control.addEventListener("click", () => {
          document.querySelectorAll(".hit-box.active").forEach((b) => b.classList.remove("active"));
          box.classList.add("active");
          viewer.viewport.fitBoundsWithConstraints(around(rectangle(hit)));
        });
      } else {
        control = document.createElement("a");
        const address = new URL(window.location.href);
        address.searchParams.set("page", hit.page);
        address.searchParams.set("within", input.value);
        address.hash = "viewer";
        control.href = address.pathname + address.search + address.hash;
      }
      const where = document.createElement("span");
      where.className = "hit-page";
      where.textContent = message("msgPage", { number: hit.page });
      const mark = document.createElement("mark");
      mark.textContent = hit.exact;
      control.append(where, " ", hit.prefix, mark, hit.suffix);
      item.append(control);
      return item;
    }

    async function run(q) {
      if (!q.trim()) return;
      status.textContent = message("msgSearching");
      try {
        const { found, total } = await answers(q);
        draw(found);
        status.textContent = total
          ? message("msgFound", { count: total.toLocaleString(document.documentElement.lang) })
          : message("msgNone");
      } catch (error) {
        report(error);
        status.textContent = message("msgError");
      }
    }

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const address = new URL(window.location.href);
      address.searchParams.set("within", input.value);
      window.history.replaceState(null, "", address);
      run(input.value);
    });
    if (input.value) run(input.value);
  }
})();
