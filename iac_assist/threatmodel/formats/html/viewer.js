// iac-assist threat model view: pan, zoom, search, filters, details, attack paths.
// Every text from the model is the scanned repository's and untrusted: it only ever reaches the
// page through textContent / createTextNode and setAttribute, never as markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("model-data").textContent);
  var svg = document.getElementById("diagram");
  var canvas = document.getElementById("canvas");
  var SEVERITIES = ["critical", "high", "medium", "low", "unrated"];
  var STATUSES = ["open", "undetermined", "mitigated"];
  var STRIDE = { S: "Spoofing", T: "Tampering", R: "Repudiation", I: "Information disclosure",
                 D: "Denial of service", E: "Elevation of privilege" };
  var ZONE_NAMES = { internet: "Internet", edge: "Edge", aws: "AWS", vpc: "VPC", public: "Public subnets",
                     private: "Private subnets" };

  // --- indexes -------------------------------------------------------------------------------
  var comps = {}, members = {}, threatsOf = {}, flowsOfEdge = {}, flowByKey = {};
  data.components.forEach(function (c) {
    comps[c.id] = c;
    if (c.drawn) { (members[c.drawn] = members[c.drawn] || []).push(c.id); }
  });
  data.threats.forEach(function (t) { (threatsOf[t.target] = threatsOf[t.target] || []).push(t); });
  data.flows.forEach(function (f) {
    if (f.edge !== null && f.edge !== undefined) { (flowsOfEdge[f.edge] = flowsOfEdge[f.edge] || []).push(f); }
    flowByKey[f.threat_target] = f;
  });
  var nodeEls = {};
  svg.querySelectorAll("g.node").forEach(function (g) { nodeEls[g.getAttribute("data-id")] = g; });
  var drawnOf = function (cid) { var c = comps[cid]; return c && c.drawn ? c.drawn : cid; };
  var membersOf = function (drawn) { return members[drawn] || (comps[drawn] ? [drawn] : []); };

  // --- small DOM helpers (text only) -----------------------------------------------------------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined) { continue; }
      parent.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return parent;
  }
  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } return node; }
  function where(file, line) { return file ? file + (line ? ":" + line : "") : "(no file)"; }
  function pill(cls, text) { return el("span", "pill " + cls, text); }
  function facts(pairs) {
    var dl = el("dl", "facts");
    pairs.forEach(function (p) { if (p[1] !== null && p[1] !== undefined && p[1] !== "") { add(dl, el("dt", "", p[0]), el("dd", "", p[1])); } });
    return dl;
  }

  // --- tabs -----------------------------------------------------------------------------------
  var tabs = document.querySelectorAll(".tabs button");
  function showTab(name) {
    tabs.forEach(function (b) { b.classList.toggle("active", b.getAttribute("data-tab") === name); });
    document.querySelectorAll(".tab").forEach(function (s) { s.classList.toggle("active", s.id === "tab-" + name); });
  }
  tabs.forEach(function (b) { b.addEventListener("click", function () { showTab(b.getAttribute("data-tab")); }); });

  // --- pan and zoom (the SVG's viewBox) ----------------------------------------------------------
  var full = svg.getAttribute("viewBox").split(" ").map(Number);
  var view = full.slice();
  function setView(v) { view = v; svg.setAttribute("viewBox", v.map(function (n) { return n.toFixed(1); }).join(" ")); }
  function fit() {
    var rect = svg.getBoundingClientRect();
    var aspect = rect.width && rect.height ? rect.width / rect.height : full[2] / full[3];
    var w = Math.max(full[2], full[3] * aspect), h = w / aspect;
    setView([full[0] - (w - full[2]) / 2, full[1] - (h - full[3]) / 2, w, h]);
  }
  function zoom(factor, cx, cy) {
    var w = view[2] * factor, h = view[3] * factor;
    if (w < 200 || w > full[2] * 8 + 2000) { return; }
    if (cx === undefined) { cx = view[0] + view[2] / 2; cy = view[1] + view[3] / 2; }
    setView([cx - (cx - view[0]) * factor, cy - (cy - view[1]) * factor, w, h]);
  }
  function toDiagram(evt) {
    var rect = svg.getBoundingClientRect();
    return [view[0] + (evt.clientX - rect.left) / rect.width * view[2], view[1] + (evt.clientY - rect.top) / rect.height * view[3]];
  }
  function centreOn(drawn) {
    var g = nodeEls[drawn];
    if (!g) { return; }
    var b = g.getBBox();
    var w = Math.min(view[2], Math.max(900, b.width * 6)), h = w * view[3] / view[2];
    setView([b.x + b.width / 2 - w / 2, b.y + b.height / 2 - h / 2, w, h]);
  }
  svg.addEventListener("wheel", function (evt) {
    evt.preventDefault();
    var p = toDiagram(evt);
    zoom(evt.deltaY > 0 ? 1.15 : 1 / 1.15, p[0], p[1]);
  }, { passive: false });
  var drag = null;
  svg.addEventListener("pointerdown", function (evt) {
    if (evt.target.closest && (evt.target.closest("g.node") || evt.target.closest("g.edge"))) { return; }
    drag = { x: evt.clientX, y: evt.clientY, view: view.slice(), moved: false };
    canvas.classList.add("panning");
  });
  window.addEventListener("pointermove", function (evt) {
    if (!drag) { return; }
    var rect = svg.getBoundingClientRect();
    var dx = (evt.clientX - drag.x) / rect.width * drag.view[2], dy = (evt.clientY - drag.y) / rect.height * drag.view[3];
    if (Math.abs(evt.clientX - drag.x) + Math.abs(evt.clientY - drag.y) > 3) { drag.moved = true; }
    setView([drag.view[0] - dx, drag.view[1] - dy, drag.view[2], drag.view[3]]);
  });
  window.addEventListener("pointerup", function () { drag = null; canvas.classList.remove("panning"); });
  document.getElementById("zoom-in").addEventListener("click", function () { zoom(1 / 1.3); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoom(1.3); });
  document.getElementById("zoom-fit").addEventListener("click", fit);
  document.addEventListener("keydown", function (evt) {
    if (evt.target && (evt.target.tagName === "INPUT")) { return; }
    if (evt.key === "+" || evt.key === "=") { zoom(1 / 1.3); }
    else if (evt.key === "-") { zoom(1.3); }
    else if (evt.key === "0") { fit(); }
    else if (evt.key === "Escape") { select(null); }
  });

  // --- selection ------------------------------------------------------------------------------
  var details = document.getElementById("tab-details");
  function select(kind, id) {
    svg.querySelectorAll(".selected").forEach(function (e) { e.classList.remove("selected"); });
    if (kind === "node" && nodeEls[id]) { nodeEls[id].classList.add("selected"); }
    if (kind === "edge") {
      var e = svg.querySelector('g.edge[data-edge="' + Number(id) + '"]');
      if (e) { e.classList.add("selected"); }
    }
  }

  function sourceBlock(f) {
    if (!f.source || !f.source.length) { return null; }
    var pre = el("pre", "source");
    f.source.forEach(function (pair) {
      var hit = pair[0] >= f.line && pair[0] <= f.end_line;
      var line = el("span", hit ? "hit" : "");
      add(line, el("span", "ln", String(pair[0]).padStart(4, " ")), pair[1]);
      add(pre, line);
    });
    return pre;
  }

  function findingBlock(fp) {
    var f = data.findings[fp];
    if (!f) { return null; }
    var box = el("div", "finding");
    add(box, add(el("div"), pill(f.severity, f.severity), el("strong", "", f.rule + " " + f.control)),
        el("div", "where", where(f.file, f.line)), el("div", "", f.message));
    f.origins.forEach(function (o) { add(box, el("div", "note", "value from " + o)); });
    add(box, sourceBlock(f));
    if (f.remediation) { add(box, el("div", "remediation", f.remediation)); }
    return box;
  }

  function threatBlock(t, open) {
    var box = el("details", "threat " + t.status);
    if (open) { box.open = true; }
    var sum = el("summary");
    add(sum, pill(t.status, t.status), pill("", t.stride), t.severity ? pill(t.severity, t.severity) : null, t.title);
    add(box, sum);
    if (t.description) { add(box, el("p", "", t.description)); }
    add(box, facts([["threat", t.id], ["controls", t.controls.join(", ")], ["CAPEC", t.capec.join(", ")],
                    ["ATT&CK", t.attack.join(", ")]]));
    if (t.evidence.length) {
      add(box, el("h3", "", "Evidence"));
      var ul = el("ul", "plain");
      t.evidence.forEach(function (e) { add(ul, add(el("li"), el("span", "where", where(e.file, e.line)), " " + e.what)); });
      add(box, ul);
    }
    if (t.findings.length) {
      add(box, el("h3", "", "Findings"));
      t.findings.forEach(function (fp) { add(box, findingBlock(fp)); });
    }
    return box;
  }

  function threatList(parent, list, focus) {
    var order = function (t) { return STATUSES.indexOf(t.status) * 10 + SEVERITIES.indexOf(t.severity || "unrated"); };
    list.slice().sort(function (a, b) { return order(a) - order(b); }).forEach(function (t) {
      var block = threatBlock(t, t.id === focus || (!focus && t.status === "open" && list.length <= 6));
      block.setAttribute("data-threat", t.id);
      add(parent, block);
      if (t.id === focus) { block.classList.add("focus"); }
    });
  }
  function scrollToFocus() {
    var f = details.querySelector(".threat.focus");
    if (f && f.scrollIntoView) { f.scrollIntoView({ block: "nearest" }); }
  }

  function showNode(drawn, focus) {
    select("node", drawn);
    clear(details);
    if (drawn === "internet") {
      add(details, el("h2", "", "Internet"), el("p", "note", "Where every attack path starts."));
      var out = data.flows.filter(function (f) { return f.source === "internet"; });
      add(details, el("h3", "", "Flows from the internet (" + out.length + ")"));
      add(details, flowList(out));
      showTab("details");
      return;
    }
    var ids = membersOf(drawn);
    var first = comps[ids[0]] || { id: drawn, kind: "", zone: "" };
    add(details, el("h2", "", ids.length > 1 ? first.label + " and " + (ids.length - 1) + " more" : first.label));
    add(details, facts([["kind", first.kind], ["zone", ZONE_NAMES[first.zone] || first.zone], ["VPC", first.vpc],
                        ["address", ids.length === 1 ? first.address : null], ["type", first.type],
                        ["defined at", ids.length === 1 ? where(first.file, first.line) : null]]));
    if (ids.length > 1) {
      add(details, el("h3", "", "Stands for " + ids.length + " components"));
      var ul = el("ul", "plain");
      ids.slice(0, 50).forEach(function (cid) { add(ul, add(el("li"), cid + " ", el("span", "where", where(comps[cid].file, comps[cid].line)))); });
      if (ids.length > 50) { add(ul, el("li", "note", "… and " + (ids.length - 50) + " more")); }
      add(details, ul);
    }
    var list = [];
    ids.forEach(function (cid) { list = list.concat(threatsOf[cid] || []); });
    list = list.filter(passes);
    var counts = STATUSES.map(function (s) { return list.filter(function (t) { return t.status === s; }).length + " " + s; });
    add(details, el("h3", "", "Threats: " + counts.join(", ")));
    threatList(details, list, focus);
    var flows = data.flows.filter(function (f) { return ids.indexOf(f.source) >= 0 || ids.indexOf(f.target) >= 0; });
    if (flows.length) { add(details, el("h3", "", "Flows (" + flows.length + ")"), flowList(flows)); }
    showTab("details");
    scrollToFocus();
  }

  function flowText(f) {
    return f.source + " → " + f.target + "  " + (f.protocol || "any protocol") + " " + (f.port === null ? "all ports" : f.port) +
      (f.encrypted === false ? " (plaintext)" : f.encrypted === true ? " (encrypted)" : "");
  }
  function flowList(flows) {
    var ul = el("ul", "plain");
    flows.forEach(function (f) {
      var li = add(el("li"), flowText(f));
      li.addEventListener("click", function () { if (f.edge !== null) { showEdge(f.edge); } });
      add(ul, li);
    });
    return ul;
  }

  function showEdge(index, focus) {
    select("edge", index);
    clear(details);
    var flows = flowsOfEdge[index] || [];
    add(details, el("h2", "", flows.length === 1 ? "Flow" : flows.length + " flows"));
    flows.forEach(function (f) {
      add(details, el("h3", "", flowText(f)));
      add(details, facts([["crosses", f.crosses.join(", ")], ["why", f.why], ["allowed at", where(f.file, f.line)],
                          ["redirect only", f.redirect ? "yes: plain HTTP that only redirects to HTTPS" : null]]));
      threatList(details, (threatsOf[f.threat_target] || []).filter(passes), focus);
    });
    showTab("details");
    scrollToFocus();
  }

  svg.querySelectorAll("g.node").forEach(function (g) {
    var go = function () { showNode(g.getAttribute("data-id")); };
    g.addEventListener("click", go);
    g.addEventListener("keydown", function (evt) { if (evt.key === "Enter" || evt.key === " ") { evt.preventDefault(); go(); } });
  });
  svg.querySelectorAll("g.edge").forEach(function (g) {
    var go = function () { showEdge(Number(g.getAttribute("data-edge"))); };
    g.addEventListener("click", go);
    g.addEventListener("keydown", function (evt) { if (evt.key === "Enter") { go(); } });
  });
  svg.querySelectorAll("g.zone[data-id]").forEach(function (g) {
    g.addEventListener("dblclick", function () { showNode(g.getAttribute("data-id")); });
  });

  // --- filters --------------------------------------------------------------------------------
  var filters = { status: {}, stride: {}, severity: {}, zone: {} };
  var zones = [];
  data.components.forEach(function (c) { if (c.zone && zones.indexOf(c.zone) < 0) { zones.push(c.zone); } });
  zones.sort(function (a, b) { return Object.keys(ZONE_NAMES).indexOf(a) - Object.keys(ZONE_NAMES).indexOf(b); });
  function checkboxes(group, values, label) {
    var fs = document.getElementById("f-" + group);
    values.forEach(function (v) {
      filters[group][v] = true;
      var box = document.createElement("input");
      box.type = "checkbox"; box.checked = true; box.setAttribute("data-filter", group); box.value = v;
      box.addEventListener("change", function () { filters[group][v] = box.checked; applyFilters(); });
      add(fs, add(el("label"), box, " " + (label ? label(v) : v)));
    });
  }
  checkboxes("status", STATUSES);
  checkboxes("stride", Object.keys(STRIDE), function (k) { return k; });
  checkboxes("severity", SEVERITIES);
  checkboxes("zone", zones, function (z) { return ZONE_NAMES[z] || z; });
  document.querySelectorAll("#f-stride label").forEach(function (l, i) { l.title = STRIDE[Object.keys(STRIDE)[i]]; });

  function passes(t) {
    if (!filters.status[t.status] || !filters.severity[t.severity || "unrated"]) { return false; }
    var letters = t.stride.split("");
    if (!letters.some(function (k) { return filters.stride[k]; })) { return false; }
    var target = comps[t.target] || comps[(flowByKey[t.target] || {}).target];
    return !target || filters.zone[target.zone] !== false;
  }
  var allOn = function (group) { return Object.keys(filters[group]).every(function (k) { return filters[group][k]; }); };

  function applyFilters() {
    var threatFilter = !(allOn("status") && allOn("stride") && allOn("severity"));
    Object.keys(nodeEls).forEach(function (drawn) {
      if (drawn === "internet") { return; }
      var ids = membersOf(drawn);
      var zoneOk = ids.some(function (cid) { return filters.zone[comps[cid].zone] !== false; });
      var threatOk = !threatFilter || ids.some(function (cid) { return (threatsOf[cid] || []).some(passes); });
      nodeEls[drawn].classList.toggle("dim", !(zoneOk && threatOk));
    });
    renderThreats();
  }

  // --- the threats table ------------------------------------------------------------------------
  var threatsTab = document.getElementById("tab-threats");
  function renderThreats() {
    clear(threatsTab);
    var list = data.threats.filter(passes);
    add(threatsTab, el("h2", "print-only", "Threats"),
        el("p", "note", list.length + " of " + data.threats.length + " threats match the filters."));
    var table = el("table", "threats");
    add(table, add(el("tr"), el("th", "", "Status"), el("th", "", "STRIDE"), el("th", "", "Severity"),
                   el("th", "", "Threat"), el("th", "", "On")));
    var order = function (t) { return STATUSES.indexOf(t.status) * 10 + SEVERITIES.indexOf(t.severity || "unrated"); };
    list.sort(function (a, b) { return order(a) - order(b) || (a.id < b.id ? -1 : 1); });
    list.slice(0, 2000).forEach(function (t) {
      var tr = add(el("tr"), add(el("td"), pill(t.status, t.status)), el("td", "", t.stride),
                   add(el("td"), t.severity ? pill(t.severity, t.severity) : ""), el("td", "", t.title), el("td", "where", t.target));
      tr.setAttribute("data-threat", t.id);
      tr.addEventListener("click", function () {
        var flow = flowByKey[t.target];
        if (flow && flow.edge !== null) { showEdge(flow.edge, t.id); }
        else if (nodeEls[drawnOf(t.target)]) { showNode(drawnOf(t.target), t.id); centreOn(drawnOf(t.target)); }
        else if (comps[t.target]) { showComponent(t.target, t.id); }
      });
      add(table, tr);
    });
    add(threatsTab, table);
    if (list.length > 2000) { add(threatsTab, el("p", "note", "… " + (list.length - 2000) + " more (the JSON output lists all).")); }
  }

  // --- attack paths ---------------------------------------------------------------------------
  var pathsTab = document.getElementById("tab-paths");
  var current = { path: null, hop: 0 };
  function clearPath() {
    svg.querySelectorAll(".on-path, .current, .active").forEach(function (e) { e.classList.remove("on-path", "current", "active"); });
  }
  function stepEl(a, b) {
    var found = null;
    svg.querySelectorAll("path.step").forEach(function (p) {
      if (p.getAttribute("data-from") === a && p.getAttribute("data-to") === b) { found = p; }
    });
    return found;
  }
  function showPath(path, hop) {
    clearPath();
    current = { path: path, hop: hop };
    // Hops not drawn (a subnet, a security group) are skipped: a step joins the drawn ones.
    var last = null;
    path.hops.forEach(function (h, i) {
      var d = drawnOf(h);
      if (!nodeEls[d]) { return; }
      nodeEls[d].classList.add("on-path");
      if (last !== null && last !== d) {
        var s = stepEl(last, d);
        if (s) { s.classList.add("active"); if (i === hop) { s.classList.add("current"); } }
      }
      if (i === hop) { nodeEls[d].classList.add("current"); }
      last = d;
    });
    clear(details);
    add(details, el("h2", "", "Attack path #" + path.rank + " to " + path.target));
    add(details, facts([["score", path.score], ["likelihood", path.likelihood], ["impact", path.impact],
                        ["exposure", path.exposure], ["classification", path.classification]]));
    var nav = el("div");
    var prev = el("button", "", "◀ Previous hop"), next = el("button", "", "Next hop ▶");
    prev.type = next.type = "button"; prev.id = "hop-prev"; next.id = "hop-next";
    prev.disabled = hop <= 0; next.disabled = hop >= path.hops.length - 1;
    prev.addEventListener("click", function () { showPath(path, hop - 1); });
    next.addEventListener("click", function () { showPath(path, hop + 1); });
    add(details, add(nav, prev, " ", next, el("span", "note", "  hop " + (hop + 1) + " of " + path.hops.length)));
    var ol = el("ol", "hops");
    path.hops.forEach(function (h, i) {
      var li = add(el("li", i === hop ? "current" : ""), h);
      var step = path.steps.filter(function (s) { return s.to === h && (i === 0 || s.from === path.hops[i - 1]); })[0] ||
                 (i > 0 ? path.steps[i - 1] : null);
      if (i > 0 && step) {
        add(li, el("div", "note", step.kind + ", " + step.exposure + ", likelihood " + step.likelihood));
        var ul = el("ul", "plain");
        step.evidence.forEach(function (e) { add(ul, add(el("li"), el("span", "where", where(e.file, e.line)), " " + e.what)); });
        add(li, ul);
      }
      li.addEventListener("click", function () { showPath(path, i); });
      add(ol, li);
    });
    add(details, ol);
    showTab("details");
  }
  function renderPaths() {
    clear(pathsTab);
    add(pathsTab, el("h2", "print-only", "Attack paths"));
    if (!data.paths.length) { add(pathsTab, el("p", "note", "No attack path from the internet to a data store or compute.")); return; }
    var ul = el("ul", "plain");
    data.paths.slice().sort(function (a, b) { return (a.rank || 1e9) - (b.rank || 1e9); }).forEach(function (p) {
      var key = JSON.stringify(p.hops);
      var mark = null;
      ((data.marks || {}).paths || []).forEach(function (m) { if (JSON.stringify(m.hops) === key) { mark = m.mark; } });
      var li = add(el("li", mark ? "mark-" + mark : ""), (p.rank ? "#" + p.rank + " " : (mark ? mark + ": " : "")) + p.hops.join(" → "),
                   el("div", "note", "score " + p.score + ", " + p.exposure + (mark ? ", " + mark + " by the change" : "")));
      li.setAttribute("data-path", String(p.rank));
      li.addEventListener("click", function () { showPath(p, p.hops.length - 1); });
      add(ul, li);
    });
    add(pathsTab, ul);
  }

  // --- search ---------------------------------------------------------------------------------
  var search = document.getElementById("search");
  function matches(q) {
    q = q.trim().toLowerCase();
    if (!q) { return []; }
    return Object.keys(nodeEls).filter(function (drawn) {
      return [drawn].concat(membersOf(drawn)).some(function (cid) {
        var c = comps[cid] || {};
        return [cid, c.label, c.address, c.kind].some(function (s) { return s && String(s).toLowerCase().indexOf(q) >= 0; });
      });
    });
  }
  search.addEventListener("input", function () {
    var found = matches(search.value);
    Object.keys(nodeEls).forEach(function (d) { nodeEls[d].classList.toggle("match", found.indexOf(d) >= 0); });
  });
  search.addEventListener("keydown", function (evt) {
    if (evt.key === "Enter") {
      var found = matches(search.value);
      if (found.length) { showNode(found[0]); centreOn(found[0]); }
    }
  });

  // --- the change, and what is not drawn --------------------------------------------------------
  function renderChange() {
    var change = data.change;
    if (!change) { return; }
    var tab = document.getElementById("tab-change");
    document.querySelector('.tabs button[data-tab="change"]').hidden = false;
    add(tab, el("h2", "", "What the change does"), el("p", "", change.summary.verdict));
    [["components", "Components"], ["flows", "Flows"], ["attack_paths", "Attack paths"]].forEach(function (part) {
      ["added", "removed"].forEach(function (how) {
        var list = change[part[0]][how] || [];
        if (!list.length) { return; }
        add(tab, el("h3", "", part[1] + " " + how + " (" + list.length + ")"));
        var ul = el("ul", "plain");
        list.forEach(function (e) {
          var text = e.id || (e.hops ? e.hops.join(" → ") : e.source + " → " + e.target + " " + (e.protocol || "") + " " + (e.port === null ? "" : e.port));
          var li = add(el("li", "mark-" + how), text);
          if (e.id) { li.addEventListener("click", function () { showNode(drawnOf(e.id)); centreOn(drawnOf(e.id)); }); }
          add(ul, li);
        });
        add(tab, ul);
      });
    });
    ["opened", "closed", "undetermined"].forEach(function (how) {
      var list = change.threats[how] || [];
      if (!list.length) { return; }
      add(tab, el("h3", "", "Threats " + how + " (" + list.length + ")"));
      var ul = el("ul", "plain");
      list.forEach(function (t) { add(ul, add(el("li"), t.title + " on " + t.target)); });
      add(tab, ul);
    });
  }
  function renderNotDrawn() {
    var tab = document.getElementById("tab-notdrawn");
    var left = data.meta.left_out;
    add(tab, el("h2", "print-only", "Not drawn"),
        el("p", "note", left.length + " components are configuration or network plumbing with no flow and no open threat: " +
           "not drawn, listed here (every component is in the JSON output)."));
    var ul = el("ul", "plain");
    left.forEach(function (cid) {
      var c = comps[cid] || {};
      var li = add(el("li"), cid + "  ", el("span", "note", c.kind || ""));
      li.addEventListener("click", function () { showComponent(cid); });
      add(ul, li);
    });
    add(tab, ul);
  }
  function showComponent(cid, focus) {
    var c = comps[cid];
    clear(details);
    add(details, el("h2", "", c.label), facts([["kind", c.kind], ["zone", c.zone], ["address", c.address],
                                              ["defined at", where(c.file, c.line)]]));
    threatList(details, (threatsOf[cid] || []).filter(passes), focus);
    showTab("details");
    scrollToFocus();
  }

  // --- start ------------------------------------------------------------------------------------
  var open = data.threats.filter(function (t) { return t.status === "open"; }).length;
  document.getElementById("summary").textContent = data.meta.components + " components (" + data.meta.drawn + " drawn), " +
    data.flows.length + " flows, " + data.paths.length + " attack paths, " + data.threats.length + " threats (" + open + " open)";
  // What the scan could not analyse: the model leaves out what it holds, and says so.
  var gaps = data.meta.not_analysed;
  if (gaps && gaps.count) {
    var box = document.getElementById("gaps");
    box.hidden = false;
    document.getElementById("gaps-summary").textContent = (gaps.summary || (gaps.count + " problems")) +
      ": what those inputs hold is not in this model (" + gaps.count + " message" + (gaps.count === 1 ? "" : "s") + ")";
    var list = document.getElementById("gaps-list");
    gaps.lines.forEach(function (line) { add(list, el("li", "", line)); });
    if (gaps.count > gaps.lines.length) { add(list, el("li", "note", "… " + (gaps.count - gaps.lines.length) + " more")); }
  }
  renderThreats();
  renderPaths();
  renderChange();
  renderNotDrawn();
  fit();
  window.addEventListener("resize", fit);
  document.getElementById("print").addEventListener("click", function () { window.print(); });
  // Printed, every threat's details are open and the diagram shows all of it.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = true; });
    setView(full.slice());
  });
  window.addEventListener("afterprint", fit);
  document.body.setAttribute("data-ready", "true");
})();
