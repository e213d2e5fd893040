// The ranking table: sort by any column (no inline handlers: the Content-Security-Policy forbids
// them). Headers marked data-sort become buttons; aria-sort on the th says the current order.
// A cell's data-value, when present, is its sort key ("" = none); otherwise its text, read as a
// Vietnamese number ("1.234,56"). Cells without a value ("—") always go last.
(function () {
  const table = document.querySelector("table[data-sortable]");
  if (!table) return;
  const body = table.tBodies[0];
  const headers = [...table.tHead.rows[0].cells];
  const rows = [...body.rows].filter((row) => row.cells.length > 1);
  rows.forEach((row, i) => { row.dataset.order = i; });  // the server's order: ties keep it
  const collator = new Intl.Collator("vi");

  function key(cell, kind) {
    const raw = cell.dataset.value !== undefined ? cell.dataset.value : cell.textContent.trim();
    if (raw === "" || raw === "—") return null;
    if (kind === "text") return raw;
    const text = cell.dataset.value !== undefined ? raw : raw.replace(/\./g, "").replace(",", ".");
    const number = parseFloat(text);
    return Number.isNaN(number) ? null : number;
  }

  function sortBy(th, direction) {
    const column = headers.indexOf(th);
    const kind = th.dataset.sort;
    const sign = direction === "ascending" ? 1 : -1;
    const sorted = rows.slice().sort((a, b) => {
      const x = key(a.cells[column], kind);
      const y = key(b.cells[column], kind);
      if (x === null || y === null) {
        if (x !== y) return x === null ? 1 : -1;
      } else {
        const c = kind === "text" ? collator.compare(x, y) : x - y;
        if (c !== 0) return sign * c;
      }
      return a.dataset.order - b.dataset.order;
    });
    sorted.forEach((row) => body.appendChild(row));
    headers.forEach((h) => {
      if (h === th) h.setAttribute("aria-sort", direction);
      else h.removeAttribute("aria-sort");
    });
  }

  headers.forEach((th) => {
    if (!th.dataset.sort) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort-button";
    while (th.firstChild) button.appendChild(th.firstChild);
    th.appendChild(button);
    button.addEventListener("click", () => {
      const current = th.getAttribute("aria-sort");
      const first = th.dataset.sortFirst || "ascending";
      const next = current ? (current === "ascending" ? "descending" : "ascending") : first;
      sortBy(th, next);
    });
  });
})();
