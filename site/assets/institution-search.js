// The header search, for institutions: Material's search finds the site's pages (Chinese segmented
// by jieba at build time); this adds the filed institutions matching the query, from the directory
// index, above the page results. Text is set as text, never as HTML.
(function () {
  "use strict";
  const input = document.querySelector("[data-md-component=search-query]");
  const result = document.querySelector("[data-md-component=search-result]");
  const dir = window.scDirectory;
  if (!input || !result || !dir) return;
  const box = document.createElement("div");
  box.className = "sc-search-institutions";
  box.hidden = true;
  result.insertBefore(box, result.firstChild);
  const SHOWN = 8;

  function show(data, query) {
    box.textContent = "";
    box.dataset.query = query;
    const q = query.trim().toLowerCase();
    if (!q) { box.hidden = true; return; }
    const hits = data.rows.filter((row) => dir.haystack(data, row).includes(q));
    hits.sort((a, b) => (a[6] === "active" ? 0 : 1) - (b[6] === "active" ? 0 : 1));
    box.hidden = false;
    const head = document.createElement("p");
    head.className = "sc-search-institutions__head";
    head.textContent = hits.length
      ? "评价机构 Institutions：" + hits.length + " 家"
      : "没有名称、地区或职业与之相符的评价机构 No institution matches";
    box.appendChild(head);
    const list = document.createElement("ol");
    for (const row of hits.slice(0, SHOWN)) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = new URL("i/" + row[0] + "/", dir.ROOT).href;
      a.textContent = row[1];
      const meta = document.createElement("span");
      meta.textContent = row[0] + " · " + dir.place(data, row) + " · " + (dir.STATUS[row[6]] || row[6]) +
        " · " + dir.occupations(data, row).slice(0, 4).join("、");
      li.append(a, meta);
      list.appendChild(li);
    }
    box.appendChild(list);
    if (hits.length > SHOWN) {
      const more = document.createElement("a");
      more.href = new URL("directory/?q=" + encodeURIComponent(query.trim()), dir.ROOT).href;
      more.textContent = "在目录中查看全部 " + hits.length + " 家 See all in the directory";
      box.appendChild(more);
    }
  }

  let pending = 0;
  function update() {
    const query = input.value;
    const ticket = ++pending;
    if (!query.trim()) { box.hidden = true; return; }
    dir.load().then((data) => { if (ticket === pending) show(data, query); })
      .catch(() => { box.hidden = true; }); // offline before the first visit: pages only
  }
  input.addEventListener("input", update);
  input.addEventListener("focus", () => { dir.load().catch(() => {}); }, { once: true });
})();
