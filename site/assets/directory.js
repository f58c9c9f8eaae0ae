// The directory search: loads the compact index once (directory-data.js) and filters it in the
// browser. No request leaves the site. Chinese substrings match anywhere ("烹调" finds 中式烹调师,
// "洛阳" the institutions in 洛阳市). ?q=… (the header search's "see all") fills the search box.
(function () {
  "use strict";
  const dir = window.scDirectory;
  const $ = (id) => document.getElementById(id);
  let data = null;

  function option(select, value, label) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    select.appendChild(o);
  }

  function render() {
    const q = $("q").value.trim().toLowerCase();
    const province = $("province").value, city = $("city").value;
    const category = $("category").value, level = $("level").value, status = $("status").value;
    const occupation = $("occupation").value === "" ? -1 : Number($("occupation").value);
    const out = [];
    let total = 0;
    for (const row of data.rows) {
      const [, , prov, cty, cat, , st, scope] = row;
      if (province && prov !== province) continue;
      if (city && cty !== city) continue;
      if (category && cat !== category) continue;
      if (status && st !== status) continue;
      // occupation and level together mean: this level of this occupation
      if ((level || occupation >= 0) && !scope.some((s) => (!level || s[2].includes(level)) && (occupation < 0 || s[0] === occupation))) continue;
      if (q && !dir.haystack(data, row).includes(q)) continue;
      total += 1;
      if (out.length < 200) out.push(row);
    }
    const list = $("results");
    list.textContent = "";
    for (const row of out) {
      const [number, name, , , , type, st] = row;
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = "../i/" + number + "/";
      a.textContent = name;
      const meta = document.createElement("span");
      const occs = dir.occupations(data, row).slice(0, 6).join("、");
      meta.textContent = " " + number + " · " + dir.place(data, row) + " · " + (data.types[type] || type) + " · " +
        (dir.STATUS[st] || st).split(" ")[0] + (occs ? " · " + occs : "");
      li.append(a, meta);
      list.appendChild(li);
    }
    $("count").textContent = "共 " + total + " 家" + (total > out.length ? "（显示前 " + out.length + " 家）" : "") + " · " + total + " institutions";
  }

  function cities() {
    const sel = $("city");
    sel.length = 1;
    const p = data.provinces[$("province").value];
    if (p) for (const [code, name] of Object.entries(p.cities)) option(sel, code, name);
  }

  $("sc-filters").addEventListener("submit", (event) => event.preventDefault());
  const asked = new URLSearchParams(location.search).get("q");
  if (asked) { $("q").value = asked; $("status").value = ""; }
  dir.load()
    .then((d) => {
      data = d;
      for (const [code, p] of Object.entries(d.provinces)) option($("province"), code, p.name);
      d.occ.forEach(([code, name], i) => option($("occupation"), String(i), `${name} ${code}`));
      for (const id of ["q", "category", "occupation", "level", "status", "city"]) $(id).addEventListener("input", render);
      $("province").addEventListener("input", () => { cities(); render(); });
      render();
    })
    .catch(() => { $("count").textContent = "目录数据载入失败 The directory could not be loaded."; });
})();
