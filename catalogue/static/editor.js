// The exhibition editor of the staff workspace: sections and items reordered by drag and drop or
// by their move buttons (keyboard), new sections, items found by searching the archive, a
// document's pages chosen by their thumbnails, and the problems of the definition shown beside
// their fields as the curator types. The form itself is plain: without this script it still
// saves, in the order on the page.
"use strict";

(function () {
  const form = document.getElementById("editor");
  if (!form) return;
  const sections = document.getElementById("sections");
  const words = document.getElementById("words").dataset;
  const target = document.getElementById("target-section");
  let made = 0; // ids of the fields made here

  function say(template, number) {
    return template.replace("%(number)s", String(number));
  }

  function name(fields, prefix) {
    fields.forEach((field) => {
      field.name = field.dataset.name ? `${prefix}_${field.dataset.name}` : prefix;
    });
  }

  // Each section's and item's place: its number, its fields' names (the server reads the order
  // from them), where its problems go.
  function renumber() {
    const all = Array.from(sections.querySelectorAll(":scope > li.section"));
    all.forEach((section, i) => {
      section.querySelector(".section-number").textContent = say(words.section, i + 1);
      section.querySelector(":scope > ul.problems").dataset.for = `s${i}`;
      name(section.querySelectorAll(":scope > input[data-name], :scope > .field [data-name]"), `s${i}`);
      section.querySelectorAll(":scope > ol.entries > li.entry").forEach((entry, j) => {
        entry.querySelector(":scope > ul.problems").dataset.for = `s${i}-i${j}`;
        name(entry.querySelectorAll("[data-name]"), `s${i}_e${j}`);
      });
    });
    const chosen = target.value;
    target.replaceChildren(
      ...all.map((_section, i) => new Option(say(words.section, i + 1), String(i)))
    );
    if (chosen && Number(chosen) < all.length) target.value = chosen;
    else if (all.length) target.value = String(all.length - 1);
  }

  function fresh(node) {
    // Fields cloned from a template get ids of their own, and their labels name them.
    node.querySelectorAll("[data-part]").forEach((part) => {
      if (part.tagName === "LABEL") return;
      made += 1;
      part.id = `new-${made}`;
      const label = part.closest(".field").querySelector("label");
      label.htmlFor = part.id;
    });
    return node;
  }

  // Moving by the buttons: the focus stays on the button pressed, so a keyboard user goes on.
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-move]");
    if (button) {
      const moved = button.closest("li.entry") || button.closest("li.section");
      const how = button.dataset.move;
      if (how === "up" && moved.previousElementSibling) {
        moved.parentNode.insertBefore(moved, moved.previousElementSibling);
      } else if (how === "down" && moved.nextElementSibling) {
        moved.parentNode.insertBefore(moved.nextElementSibling, moved);
      } else if (how === "remove") {
        const next = moved.nextElementSibling || moved.previousElementSibling;
        moved.remove();
        if (next) next.querySelector("button, input").focus();
      }
      if (how !== "remove") button.focus();
      changed();
      return;
    }
    const page = event.target.closest("button.page-choice");
    if (page) {
      page.setAttribute("aria-pressed", page.getAttribute("aria-pressed") === "true" ? "false" : "true");
      const entry = page.closest("li.entry");
      const chosen = Array.from(entry.querySelectorAll("button.page-choice[aria-pressed='true']"));
      entry.querySelector("input[data-name='pages']").value = chosen.map((b) => b.dataset.page).join(" ");
      changed();
    }
  });

  // Dragging a section or an item among its own kind. The place it would go is marked as the
  // pointer moves, and it moves there on the drop: moved at every step instead, a section
  // taller than the one below it jumped back and forth under a still pointer.
  let dragged = null;
  let mark = null; // {over, after}: where the drop would put it
  function unmark() {
    if (mark) mark.over.classList.remove("drop-before", "drop-after");
    mark = null;
  }
  form.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("li.entry") || event.target.closest("li.section");
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", ""); // some browsers start no drag without data
  });
  form.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const over = event.target.closest(`li.${dragged.classList[0]}`);
    if (!over || over.parentNode !== dragged.parentNode) return;
    event.preventDefault(); // a drop is welcome here
    const box = over.getBoundingClientRect();
    const after = event.clientY > box.top + box.height / 2;
    if (mark && mark.over === over && mark.after === after) return;
    unmark();
    if (over !== dragged) {
      over.classList.add(after ? "drop-after" : "drop-before");
      mark = { over, after };
    }
  });
  form.addEventListener("drop", (event) => {
    if (!dragged) return;
    event.preventDefault();
    if (mark) mark.over.parentNode.insertBefore(dragged, mark.after ? mark.over.nextSibling : mark.over);
    unmark();
  });
  form.addEventListener("dragend", () => {
    unmark();
    dragged = null;
    changed();
  });

  document.getElementById("add-section").addEventListener("click", () => {
    const section = fresh(document.getElementById("section-template").content.firstElementChild.cloneNode(true));
    sections.appendChild(section);
    renumber();
    target.value = String(sections.children.length - 1);
    section.querySelector("input[data-name='title_vi']").focus();
    changed();
  });

  function addEntry(item) {
    const section = sections.children[Number(target.value)];
    if (!section) return;
    const entry = fresh(document.getElementById("entry-template").content.firstElementChild.cloneNode(true));
    entry.querySelector("input[data-name='']").value = item.id;
    entry.querySelector(".entry-id").textContent = item.id;
    entry.querySelector(".entry-title").textContent = item.title;
    entry.querySelector(".restricted").hidden = item.access !== "restricted";
    if (item.pages.length && item.pages[0].url) {
      const image = document.createElement("img");
      image.src = item.pages[0].url;
      image.alt = "";
      image.width = 90;
      entry.querySelector(".entry-head").prepend(image);
    }
    if (item.type === "document" && item.pages.length) {
      const pages = entry.querySelector("fieldset.pages");
      pages.hidden = false;
      item.pages.forEach((page) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "page-choice";
        button.dataset.page = String(page.number);
        button.setAttribute("aria-pressed", "false");
        if (page.url) {
          const image = document.createElement("img");
          image.src = page.url;
          image.alt = "";
          image.width = 60;
          button.appendChild(image);
        }
        const label = document.createElement("span");
        label.textContent = say(words.page, page.number);
        button.appendChild(label);
        pages.appendChild(button);
      });
    }
    section.querySelector("ol.entries").appendChild(entry);
    renumber();
    changed();
  }

  async function find() {
    const query = document.getElementById("find").value;
    const found = document.getElementById("found");
    const response = await fetch(`${form.dataset.find}?q=${encodeURIComponent(query)}`, {
      credentials: "same-origin",
    });
    if (!response.ok) return;
    const answer = await response.json();
    found.replaceChildren();
    if (!answer.items.length) {
      const none = document.createElement("li");
      none.textContent = words.none;
      found.appendChild(none);
    }
    answer.items.forEach((item) => {
      const row = document.createElement("li");
      if (item.pages.length && item.pages[0].url) {
        const image = document.createElement("img");
        image.src = item.pages[0].url;
        image.alt = "";
        image.width = 60;
        row.appendChild(image);
      }
      const name = document.createElement("span");
      name.textContent = `${item.id} · ${item.title}`;
      name.lang = "vi";
      row.appendChild(name);
      if (item.access === "restricted") {
        const mark = document.createElement("span");
        mark.className = "restricted";
        mark.textContent = document.querySelector("#entry-template").content.querySelector(".restricted").textContent;
        row.appendChild(mark);
      }
      const add = document.createElement("button");
      add.type = "button";
      add.className = "secondary";
      add.textContent = `${words.add} ${item.id}`;
      add.addEventListener("click", () => addEntry(item));
      row.appendChild(add);
      found.appendChild(row);
    });
  }
  document.getElementById("find-button").addEventListener("click", find);
  document.getElementById("find").addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault(); // searching, not saving
      find();
    }
  });

  // The problems, again as the curator types: the form is checked as it would be saved.
  let timer = null;
  let asked = 0;
  function changed() {
    renumber();
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  }
  async function check() {
    const mine = ++asked;
    const response = await fetch(form.dataset.check, { method: "POST", body: new FormData(form), credentials: "same-origin" });
    if (!response.ok || mine !== asked) return; // a later check is on its way
    const answer = await response.json();
    form.querySelectorAll("ul.problems").forEach((list) => list.replaceChildren());
    answer.problems.forEach((problem) => {
      const list = form.querySelector(`ul.problems[data-for="${problem.field}"]`) || form.querySelector('ul.problems[data-for="id"]');
      const line = document.createElement("li");
      line.textContent = problem.message;
      list.appendChild(line);
    });
    document.getElementById("problem-count").textContent = answer.summary;
  }
  form.addEventListener("submit", renumber);
  form.addEventListener("input", (event) => {
    if (event.target.id !== "find") changed();
  });
  form.addEventListener("change", (event) => {
    if (event.target.id === "partner_vi") {
      // a partner of the list brings its English name
      const known = Array.from(document.querySelectorAll("#partners-vi option")).find((o) => o.value === event.target.value);
      const english = document.getElementById("partner_en");
      if (known && !english.value) english.value = known.dataset.en;
    }
  });
  renumber();
})();
