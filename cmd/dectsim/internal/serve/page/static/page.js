// The live page of dectsim serve. The server sends it with the first
// screen of one system already drawn (the handset list, the handsets and
// the base stations); this script draws them again from the JSON API,
// reads and drives the systems through that API only, builds every
// element with createElement and textContent (never from markup), and
// keeps itself current through the event stream (/api/events) and the
// clock (/api/clock).
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const MAX_EVENTS = 500;
  const SVG = "http://www.w3.org/2000/svg";
  const S = {
    mac: "", q: "", offset: 0, limit: 100, hq: "", hoffset: 0, hlimit: 50,
    now: "", events: [], seen: new Set(), lastSeq: 0, firstRows: false, fresh: true,
  };

  // el builds an element: props set text, class, data-* attributes and
  // properties; kids are elements or strings (text nodes).
  function el(tag, props, kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "text") e.textContent = v;
      else if (k === "class") e.className = v;
      else if (k.startsWith("data-")) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const kid of kids || []) e.append(kid);
    return e;
  }

  async function api(method, path, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const r = await fetch(path, init);
    let data = null;
    try { data = await r.json(); } catch (_) { data = null; }
    if (!r.ok) throw new Error((data && data.error) || r.status + " " + r.statusText);
    return data;
  }
  const sys = (rest) => "/api/systems/" + encodeURIComponent(S.mac) + rest;

  function say(msg, bad) {
    $("status").textContent = msg;
    $("status").className = bad ? "status bad" : "status";
  }

  // throttle runs fn at most once per ms, never twice at once; a call
  // while it runs runs it again after.
  function throttle(fn, ms) {
    let timer = null, running = false, again = false, last = 0;
    const run = async () => {
      timer = null; running = true; last = Date.now();
      try { await fn(); } catch (e) { say(e.message, true); }
      running = false;
      if (again) { again = false; kick(); }
    };
    const kick = () => {
      if (running) { again = true; return; }
      if (!timer) timer = setTimeout(run, Math.max(0, last + ms - Date.now()));
    };
    return kick;
  }

  const fmtTime = (iso) => iso ? iso.replace("T", " ").replace(/(\.\d+)?Z$/, " UTC") : "";
  function since(from, to) {
    let s = Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
    const parts = [];
    for (const [n, u] of [[86400, "d"], [3600, "h"], [60, "m"], [1, "s"]]) {
      if (s >= n) { parts.push(Math.floor(s / n) + u); s %= n; }
    }
    return "+" + (parts.join("") || "0s");
  }

  // The handset list, as the web UI's Mobile devices page shows it.
  async function loadList() {
    if (!S.mac) return;
    const p = new URLSearchParams({ q: S.q, offset: S.offset, limit: S.limit });
    const l = await api("GET", sys("/handset-list?" + p));
    if (l.mac !== S.mac) return;
    if (l.rows.length === 0 && l.offset > 0 && l.matched > 0) {
      S.offset = Math.floor((l.matched - 1) / S.limit) * S.limit;
      refreshList();
      return;
    }
    drawHeader(l);
    drawList(l);
    if (l.last_seq > S.lastSeq) loadEvents(Math.max(S.lastSeq, l.last_seq - MAX_EVENTS));
  }

  function drawHeader(l) {
    $("model").textContent = "Gigaset " + l.model;
    const parts = [l.product, "firmware " + l.firmware, "MAC " + l.mac, l.scenario,
      "expectations: " + l.passed + " passed, " + l.failed + " failed"];
    if (S.now && Date.parse(l.now) < Date.parse(S.now)) parts.push("its time: " + fmtTime(l.now));
    if (l.stopped) parts.push("stopped: " + l.stopped);
    $("sysline").textContent = parts.join(" · ");
    $("sysline").className = l.stopped || l.failed ? "sysline bad" : "sysline";
    if (S.fresh) {
      S.fresh = false;
      $("timeline-box").open = l.slots + l.ghosts <= 200;
      refreshTimeline();
    }
  }

  function drawList(l) {
    const frag = document.createDocumentFragment();
    for (const r of l.rows) frag.append(listRow(r));
    if (l.rows.length === 0) {
      frag.append(el("tr", { class: "empty" }, [el("td", { colSpan: 8, text: S.q ? "No entry matches." : "The list is empty." })]));
    }
    $("rows").replaceChildren(frag);
    $("rows").dataset.drawn = "script";
    const to = l.offset + l.rows.length;
    let c = l.matched ? (l.offset + 1) + "–" + to + " of " + l.matched : "0 of 0";
    c += S.q ? " matching" : "";
    c += " · " + l.slots + (l.slots === 1 ? " entry" : " entries") + " · " + l.ghosts + (l.ghosts === 1 ? " ghost" : " ghosts");
    $("count").textContent = c;
    $("prev").disabled = l.offset === 0;
    $("next").disabled = to >= l.matched;
    if (!S.firstRows && l.rows.length > 0) {
      S.firstRows = true;
      performance.mark("dectsim-first-rows");
    }
  }

  function listRow(r) {
    const tr = el("tr", { class: r.ghost ? "ghost" : "st-" + r.state, "data-ipui": r.ipui, "data-slot": r.slot, "data-state": r.state });
    const ipui = el("td", { class: "ipui" }, [r.ipui || "(any handset)"]);
    if (r.slot && r.slot !== r.ipui) ipui.append(el("small", { text: " slot " + r.slot }));
    if (r.ghost) ipui.append(" ", el("span", { class: "ghost-tag", text: "ghost" }));
    const acts = el("td", { class: "actions" });
    for (const a of r.actions) {
      acts.append(el("button", {
        type: "button", class: "act", "data-to": a.state, text: a.label, title: "Set the slot to " + a.state,
        onclick: () => steps([{ step: "admin", slot: r.slot, state: a.state }], "Slot " + r.slot + " → " + a.label),
      }));
    }
    tr.append(ipui, el("td", { class: "user", text: r.user_name }), el("td", { class: "display", text: r.display_name }),
      el("td", { class: "loc", text: r.location }), el("td", { class: "state", title: r.ghost ? "Not in the real list: the slot is gone, the handset still holds its subscription" : r.state, text: r.label }), el("td", { class: "sip sip-" + r.sip, text: r.sip_label }), acts, pending(r));
    return tr;
  }

  function pending(r) {
    const td = el("td", { class: "pending" });
    if (r.deadline) {
      td.append(el("span", { class: "deadline", text: fmtTime(r.deadline) }), " ",
        el("span", { class: "left", text: r.left + " left" }));
      if (r.ghost_at_deadline) td.append(" ", el("span", { class: "risk", text: "then a ghost, unless the handset comes back" }));
    } else if (r.ghost) {
      td.textContent = "slot gone, handset still subscribed";
    }
    return td;
  }

  // The handsets of the world, with their switches and buttons.
  async function loadWorld() {
    if (!S.mac) return;
    const p = new URLSearchParams({ q: S.hq, offset: S.hoffset, limit: S.hlimit });
    const h = await api("GET", sys("/handsets?" + p));
    if (h.mac !== S.mac) return;
    const frag = document.createDocumentFragment();
    for (const x of h.handsets) frag.append(worldRow(x));
    if (h.handsets.length === 0) frag.append(el("tr", { class: "empty" }, [el("td", { colSpan: 10, text: "No handset." })]));
    $("hs-rows").replaceChildren(frag);
    $("hs-rows").dataset.drawn = "script";
    const to = h.offset + h.handsets.length;
    $("hcount").textContent = (h.matched ? (h.offset + 1) + "–" + to : "0") + " of " + h.matched + (S.hq ? " matching" : "");
    $("hprev").disabled = h.offset === 0;
    $("hnext").disabled = to >= h.matched;
  }

  function worldRow(h) {
    const tr = el("tr", { class: h.ghost ? "ghost" : "", "data-ipui": h.ipui });
    const who = h.ipui;
    const buttons = el("td", { class: "buttons" }, [
      el("button", { type: "button", class: "register", text: "Register", title: "Its user registers it (with its PIN)",
        onclick: () => steps([{ step: "register", ipui: who }], "Register " + who) }),
      el("button", { type: "button", class: "reset", text: "Reset", title: "Its user resets it: it forgets its subscription",
        onclick: () => steps([{ step: "reset", ipui: who }], "Reset " + who) }),
    ]);
    tr.append(el("td", { class: "ipui", text: h.ipui }), el("td", { class: "user", text: h.user_name }),
      el("td", { text: h.slot || "—" }), el("td", { class: "state", title: h.state, text: h.label || "—" }),
      toggle("power", h.power === "on", "on", "off", (on) => [{ step: "power", ipui: who, state: on ? "on" : "off" }], who),
      toggle("range", h.range === "in", "in range", "out of range", (on) => [{ step: "move", ipui: who, range: on ? "in" : "out" }], who),
      el("td", { class: "base", text: h.base }),
      el("td", { text: h.subscribed ? "yes" : "no" }),
      el("td", { class: h.ghost ? "bad" : "", text: h.ghost ? "ghost" : "no" }), buttons);
    return tr;
  }

  // The base stations, per DECT manager, each DM and base with its switch.
  async function loadBases() {
    if (!S.mac) return;
    const d = await api("GET", sys("/dms"));
    if (d.mac !== S.mac) return;
    const frag = document.createDocumentFragment();
    let bases = 0, serving = 0;
    for (const dm of d.dms) {
      frag.append(dmRow(dm));
      for (const b of dm.bases) frag.append(baseRow(dm, b));
      bases += dm.bases.length;
      serving += servingCount(dm);
    }
    $("base-rows").replaceChildren(frag);
    $("base-rows").dataset.drawn = "script";
    $("cells-count").textContent = plural(d.dms.length, "DECT manager", "DECT managers") + " · " +
      plural(bases, "base station", "base stations") + ", " + serving + " serving";
  }

  const plural = (n, one, many) => n === 1 ? "1 " + one : n + " " + many;
  const servingCount = (dm) => dm.bases.filter((b) => b.serving).length;

  function dmRow(dm) {
    const name = el("td", { class: "dm-name", colSpan: 2 }, [dm.name]);
    if (dm.name !== dm.id) name.append(el("small", { text: " (" + dm.id + ")" }));
    return el("tr", { class: "dm " + dm.state, "data-dm": dm.id }, [name,
      toggle("state", dm.state === "up", "up", "down", (on) => [{ step: "dm", id: dm.id, state: on ? "up" : "down" }], "DM " + dm.id),
      el("td", { class: "dm-serving", colSpan: 2, text: servingCount(dm) + " of " + dm.bases.length + " serving" })]);
  }

  // notServing says why a base does not serve.
  function notServing(dm, b) {
    if (b.serving) return "";
    if (b.state === "down") return "switched off";
    if (dm.state === "down") return "its DM is down";
    return "not synchronised";
  }

  function baseRow(dm, b) {
    const serving = el("td", { class: "serving" }, [b.serving ? "yes" : "no "]);
    if (!b.serving) serving.append(el("small", { text: notServing(dm, b) }));
    return el("tr", { class: "base " + (b.serving ? "serving" : "idle"), "data-base": b.id, "data-dm": dm.id }, [
      el("td", { class: "id", text: b.id }), el("td", { class: "sync", text: "level " + b.level + " · " + b.sync.toUpperCase() }),
      toggle("state", b.state === "up", "up", "down", (on) => [{ step: "base", id: b.id, state: on ? "up" : "down" }], "base " + b.id),
      serving, el("td", { class: "handsets", text: String(b.handsets) })]);
  }

  // toggle is a switch cell: changing it sends the step and shows the
  // answer; a refused step puts it back.
  function toggle(kind, on, onText, offText, step, who) {
    const input = el("input", { type: "checkbox", checked: on, class: "sw " + kind, title: kind + " of " + who });
    input.setAttribute("role", "switch");
    const text = el("span", { text: on ? onText : offText });
    input.onchange = async () => {
      input.disabled = true;
      try {
        await steps(step(input.checked), who + ": " + (input.checked ? onText : offText), true);
        text.textContent = input.checked ? onText : offText;
      } catch (e) {
        input.checked = !input.checked;
        say(e.message, true);
      }
      input.disabled = false;
    };
    return el("td", { class: "switch" }, [el("label", {}, [input, text])]);
  }

  // steps sends scenario steps to the system and says what they did.
  async function steps(list, what, rethrow) {
    try {
      const a = await api("POST", sys("/steps"), list);
      const types = a.events.map((e) => e.type);
      say(what + ": " + (types.length ? types.join(", ") : "no event"));
      refreshAll();
      return a;
    } catch (e) {
      if (rethrow) throw e;
      say(what + ": " + e.message, true);
      return null;
    }
  }

  // The event list: the selected system's last MAX_EVENTS events, newest
  // first, from the stream and from the API when the stream (re)connects.
  function addEvents(list) {
    let changed = false;
    for (const e of list) {
      if (e.mac !== S.mac || S.seen.has(e.seq)) continue;
      S.seen.add(e.seq);
      S.events.push(e);
      S.lastSeq = Math.max(S.lastSeq, e.seq);
      changed = true;
    }
    if (!changed) return;
    S.events.sort((a, b) => a.seq - b.seq);
    while (S.events.length > MAX_EVENTS) S.seen.delete(S.events.shift().seq);
    drawEventsSoon();
  }

  async function loadEvents(after) {
    const mac = S.mac;
    const evs = await api("GET", sys("/events?since=" + after + "&limit=" + MAX_EVENTS));
    if (mac === S.mac) addEvents(evs);
  }

  const drawEventsSoon = throttle(async () => {
    const frag = document.createDocumentFragment();
    for (let i = S.events.length - 1; i >= 0; i--) frag.append(eventRow(S.events[i]));
    $("ev-rows").replaceChildren(frag);
    $("ev-count").textContent = S.events.length ? "The last " + S.events.length + " events, newest first." : "No event yet: nothing happens until the clock moves.";
  }, 150);

  const bad = new Set(["ghost-created", "ghost-attempt", "provisioning-rejected", "forced-removal", "dereg-timeout"]);
  const warn = new Set(["warning", "registration-refused"]);
  const good = new Set(["dereg-completed", "registered"]);

  function eventRow(e) {
    const cls = bad.has(e.type) ? "m-bad" : warn.has(e.type) ? "m-warn" : good.has(e.type) ? "m-good" : "";
    const who = e.slot && e.ipui && e.slot !== e.ipui ? e.slot + "/" + e.ipui : e.ipui || e.slot;
    const detail = [e.outcome, e.trigger && "trigger " + e.trigger, e.reason, e.code,
      e.base && "base " + e.base, e.dm && "DM " + e.dm, e.from && e.from + " → " + e.to,
      e.file && e.file + (e.line ? ":" + e.line + ":" + e.col : ""), e.detail].filter(Boolean).join(" · ");
    return el("tr", { class: cls, "data-seq": String(e.seq) }, [el("td", { text: "+" + e.t }), el("td", { text: fmtTime(e.time) }),
      el("td", { class: "type", text: e.type }), el("td", { text: who }), el("td", { text: e.state || "" }), el("td", { text: detail })]);
  }

  function connect() {
    const es = new EventSource("/api/events");
    es.onopen = () => {
      $("live").textContent = "live";
      refreshList();
    };
    es.onerror = () => { $("live").textContent = "reconnecting…"; };
    es.onmessage = (m) => {
      let e;
      try { e = JSON.parse(m.data); } catch (_) { return; }
      if (e.mac !== S.mac) return;
      addEvents([e]);
      refreshList();
      refreshWorld();
      refreshBases();
    };
    // A stream that fell behind is cut: read on from the API.
    es.addEventListener("overflow", () => {
      es.close();
      $("live").textContent = "catching up…";
      setTimeout(connect, 500);
    });
  }

  // The clock: polled, so a move made by anyone (another client, the
  // real clock) refreshes the page.
  async function loadClock() {
    const c = await api("GET", "/api/clock");
    $("clock-now").textContent = fmtTime(c.now);
    $("clock-since").textContent = since(c.start, c.now);
    $("clock-mode").textContent = c.mode === "real" ? "real time ×" + c.speed : "manual clock";
    $("clock-next").textContent = c.next ? "next due " + fmtTime(c.next) : "nothing due";
    if (c.now !== S.now) {
      const first = S.now === "";
      S.now = c.now;
      if (!first) {
        refreshAll();
      }
    }
  }

  async function advance(body, label) {
    const buttons = document.querySelectorAll("button.adv");
    buttons.forEach((b) => { b.disabled = true; });
    try {
      const a = await api("POST", "/api/advance", body);
      const n = a.events.length + (a.omitted || 0);
      say("Clock " + label + ": now " + fmtTime(a.now) + ", " + n + (n === 1 ? " event" : " events"));
      await loadClock();
      refreshAll();
    } catch (e) {
      say(e.message, true);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  // The timeline picture: the server's SVG, copied element by element,
  // only the elements and attributes the picture is made of.
  const TAGS = new Set(["svg", "g", "rect", "line", "text", "title"]);
  const ATTRS = new Set(["class", "x", "y", "x1", "y1", "x2", "y2", "width", "height", "viewBox", "dy", "transform", "data-key"]);
  function copySVG(n) {
    if (n.nodeType === Node.TEXT_NODE) return document.createTextNode(n.data);
    if (n.nodeType !== Node.ELEMENT_NODE || n.namespaceURI !== SVG || !TAGS.has(n.localName)) return null;
    const c = document.createElementNS(SVG, n.localName);
    for (const a of n.attributes) if (ATTRS.has(a.name)) c.setAttribute(a.name, a.value);
    for (const k of n.childNodes) {
      const x = copySVG(k);
      if (x) c.append(x);
    }
    return c;
  }

  async function loadTimeline() {
    if (!S.mac || !$("timeline-box").open) return;
    const mac = S.mac;
    const r = await fetch("/timeline/" + encodeURIComponent(mac));
    if (!r.ok) throw new Error("timeline: " + r.status + " " + r.statusText);
    const doc = new DOMParser().parseFromString(await r.text(), "image/svg+xml");
    const root = doc.documentElement;
    if (mac !== S.mac) return;
    if (root.namespaceURI !== SVG || root.localName !== "svg") throw new Error("timeline: the answer is not a picture");
    const pic = $("timeline");
    const left = pic.scrollLeft, top = pic.scrollTop;
    pic.replaceChildren(copySVG(root));
    pic.scrollLeft = left;
    pic.scrollTop = top;
  }

  const refreshList = throttle(loadList, 250);
  const refreshWorld = throttle(loadWorld, 250);
  const refreshBases = throttle(loadBases, 250);
  const refreshTimeline = throttle(loadTimeline, 1000);
  function refreshAll() {
    refreshList();
    refreshWorld();
    refreshBases();
    refreshTimeline();
  }

  function choose(mac) {
    Object.assign(S, { mac, q: "", offset: 0, hq: "", hoffset: 0, events: [], seen: new Set(), lastSeq: 0, fresh: true });
    $("q").value = "";
    $("hq").value = "";
    $("timeline").replaceChildren();
    $("ev-rows").replaceChildren();
    if ($("system").value !== mac) $("system").value = mac;
    refreshList();
    refreshWorld();
    refreshBases();
  }

  function debounce(fn, ms) {
    let t = null;
    return () => { clearTimeout(t); t = setTimeout(fn, ms); };
  }

  function wire() {
    $("system").onchange = () => { location.hash = $("system").value; };
    window.onhashchange = () => choose(decodeURIComponent(location.hash.slice(1)) || $("system").value);
    if ($("by-mac")) {
      $("by-mac").onsubmit = (ev) => { ev.preventDefault(); location.hash = $("mac").value.trim().toLowerCase(); };
    }
    $("q").oninput = debounce(() => { S.q = $("q").value; S.offset = 0; refreshList(); }, 200);
    $("hq").oninput = debounce(() => { S.hq = $("hq").value; S.hoffset = 0; refreshWorld(); }, 200);
    $("prev").onclick = () => { S.offset = Math.max(0, S.offset - S.limit); refreshList(); };
    $("next").onclick = () => { S.offset += S.limit; refreshList(); };
    $("hprev").onclick = () => { S.hoffset = Math.max(0, S.hoffset - S.hlimit); refreshWorld(); };
    $("hnext").onclick = () => { S.hoffset += S.hlimit; refreshWorld(); };
    $("limit").onchange = () => { S.limit = Number($("limit").value); S.offset = 0; refreshList(); };
    $("timeline-box").ontoggle = () => refreshTimeline();
    for (const b of document.querySelectorAll("button.adv")) {
      const body = b.dataset.next ? { next: true } : { by: b.dataset.by };
      b.onclick = () => advance(body, b.textContent);
    }
  }

  function start() {
    wire();
    S.limit = Number($("limit").value);
    const fromHash = decodeURIComponent(location.hash.slice(1));
    choose(fromHash || $("devices").dataset.mac || $("system").value);
    connect();
    loadClock().catch((e) => say(e.message, true));
    setInterval(() => loadClock().catch((e) => say("clock: " + e.message, true)), 1000);
  }

  start();
})();
