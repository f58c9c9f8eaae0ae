// The compact directory index (directory/index.json), shared by the directory page and the header
// search: loaded once, on demand, from this site only; matched by Chinese substring, so that a
// fragment of a name ("远川"), a city ("洛阳") or an occupation ("烹调") finds an institution.
(function () {
  "use strict";
  const ROOT = new URL("../", document.currentScript.src);
  const STATUS = { active: "有效 active", suspended: "暂停 suspended", withdrawn: "撤销 withdrawn",
    expired: "过期 expired", "not-filed": "未备案 not filed" };
  let loading = null;

  function load() {
    loading = loading || fetch(new URL("directory/index.json", ROOT).href).then((r) => {
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    });
    loading.catch(() => { loading = null; }); // a failed load is tried again next time
    return loading;
  }

  function place(data, row) {
    const p = data.provinces[row[2]];
    return p ? p.name + " " + (p.cities[row[3]] || "") : row[2];
  }

  function haystack(data, row) {
    const [number, name, , , , , , scope] = row;
    const occs = scope.map((s) => data.occ[s[0]][1] + " " + data.occ[s[0]][0] + " " + (s[1] >= 0 ? data.jobs[s[1]] : ""));
    return (number + " " + name + " " + place(data, row) + " " + occs.join(" ")).toLowerCase();
  }

  function occupations(data, row) {
    return [...new Set(row[7].map((s) => data.occ[s[0]][1]))];
  }

  window.scDirectory = { ROOT, STATUS, load, place, haystack, occupations };
})();
