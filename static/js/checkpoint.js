/* Checkpoint scanner (卡口扫码): decode a health-code QR, verify its Ed25519 signature in the browser against
   cached public keys (no server round trip), record the pass with a temperature, and queue scans in IndexedDB
   until the network is back. The envelope format is documented in core/signing.py. */
(function () {
  "use strict";
  const root = document.getElementById("checkpoint");
  if (!root) return;
  const T = JSON.parse(document.getElementById("i18n").textContent);
  const zh = (document.documentElement.lang || "").startsWith("zh");
  const MESSAGES = {
    valid: ["验证通过", "Valid code"],
    expired: ["码已过期，请刷新", "The code has expired; ask for a fresh one"],
    not_yet_valid: ["码尚未生效，请核对设备时间", "The code is not valid yet; check the device clock"],
    bad_signature: ["签名无效，疑似伪造或篡改", "Bad signature: forged or altered code"],
    unknown_key: ["签发密钥未知，请更新公钥", "Unknown signing key; refresh the published keys"],
    key_retired: ["签发密钥已停用，码无效", "Signed with a key already retired: invalid"],
    malformed: ["无法识别的码", "Unreadable code"],
    wrong_kind: ["码的类型不符", "Wrong kind of code"],
    no_crypto: ["此浏览器不支持离线验证", "This browser cannot verify offline"],
  };
  const msg = (status) => (MESSAGES[status] || MESSAGES.malformed)[zh ? 0 : 1];
  const CLOCK_SKEW = 300;
  const COLOURS = ["green", "yellow", "red"];
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------------ base45 (RFC 9285), envelope, CBOR
  const B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
  function b45decode(text) {
    const v = [];
    for (const ch of text) {
      const i = B45.indexOf(ch);
      if (i < 0) throw new Error("not Base45");
      v.push(i);
    }
    if (v.length % 3 === 1) throw new Error("bad Base45 length");
    const out = [];
    for (let i = 0; i < v.length; i += 3) {
      if (i + 2 < v.length) {
        const n = v[i] + 45 * v[i + 1] + 2025 * v[i + 2];
        if (n > 0xffff) throw new Error("Base45 group out of range");
        out.push(n >> 8, n & 0xff);
      } else {
        const n = v[i] + 45 * v[i + 1];
        if (n > 0xff) throw new Error("Base45 group out of range");
        out.push(n);
      }
    }
    return new Uint8Array(out);
  }

  function cborMap(data) {
    let pos = 0;
    function head() {
      if (pos >= data.length) throw new Error("CBOR truncated");
      const b = data[pos++];
      const major = b >> 5, info = b & 0x1f;
      let value;
      if (info < 24) value = info;
      else if (info <= 27) {
        const size = 1 << (info - 24);
        if (pos + size > data.length) throw new Error("CBOR truncated");
        value = 0;
        for (let i = 0; i < size; i++) value = value * 256 + data[pos++];
      } else throw new Error("CBOR length");
      return [major, value];
    }
    const [major, count] = head();
    if (major !== 5 || count > 8) throw new Error("CBOR: not a map");
    const out = {};
    for (let i = 0; i < count; i++) {
      const [km, key] = head();
      if (km !== 0 || key in out) throw new Error("CBOR key");
      const [vm, value] = head();
      if (vm === 0) out[key] = value;
      else if (vm === 3) {
        if (pos + value > data.length) throw new Error("CBOR truncated");
        out[key] = new TextDecoder("utf-8", { fatal: true }).decode(data.slice(pos, pos + value));
        pos += value;
      } else throw new Error("CBOR value");
    }
    if (pos !== data.length) throw new Error("CBOR trailing bytes");
    return out;
  }

  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

  function parse(text) {
    text = text.trim();
    const prefix = text.slice(0, 4);
    if (prefix !== "TC1:" && prefix !== "TV1:") throw new Error("unknown prefix");
    const raw = b45decode(text.slice(4));
    if (raw.length < 68 || raw[0] !== 1) throw new Error("envelope version");
    const kidLen = raw[1];
    if (kidLen < 1 || kidLen > 32 || 4 + kidLen > raw.length) throw new Error("kid length");
    const bodyAt = 4 + kidLen;
    const bodyLen = (raw[2 + kidLen] << 8) | raw[3 + kidLen];
    if (bodyLen < 1 || bodyLen > 1024 || bodyAt + bodyLen + 64 !== raw.length) throw new Error("envelope length");
    const f = cborMap(raw.slice(bodyAt, bodyAt + bodyLen));
    const kind = f[1], issued = f[4], expires = f[5];
    if ((kind !== 1 && kind !== 2) || typeof issued !== "number" || typeof expires !== "number" || expires <= issued) {
      throw new Error("payload");
    }
    if (kind === 1 && !(f[3] in { 0: 1, 1: 1, 2: 1 })) throw new Error("colour");
    return {
      prefixKind: prefix === "TC1:" ? 1 : 2, kind, ref: f[2], colour: kind === 1 ? COLOURS[f[3]] : null,
      issued, expires, kid: hex(raw.slice(2, 2 + kidLen)),
      signed: raw.slice(0, bodyAt + bodyLen), signature: raw.slice(bodyAt + bodyLen),
    };
  }

  // ------------------------------------------------------------------ keys
  const KEYS_STORE = "tongchou-code-keys";
  let keys = {};
  const importedKeys = {};
  function b64url(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  }
  function loadKeys(doc) {
    keys = {};
    for (const k of doc.keys || []) keys[k.kid] = { raw: b64url(k.x), retiredAt: k.retired_at_epoch };
    $("keys-status").textContent = Object.keys(keys).length ? T.keys + " (" + Object.keys(keys).length + ")" : T.nokeys;
  }
  async function refreshKeys() {
    const cached = localStorage.getItem(KEYS_STORE);
    if (cached) loadKeys(JSON.parse(cached));
    try {
      const res = await fetch(root.dataset.keysUrl, { credentials: "same-origin", cache: "no-store" });
      if (!res.ok) return;
      const doc = await res.json();
      localStorage.setItem(KEYS_STORE, JSON.stringify(doc));
      loadKeys(doc);
    } catch (e) { /* offline: the cached keys stand */ }
  }

  async function verifyOffline(text, expectKind) {
    expectKind = expectKind || 1;
    let c;
    try { c = parse(text); } catch (e) { return { status: "malformed" }; }
    const info = keys[c.kid];
    if (!info) return { status: "unknown_key", code: c };
    if (!window.crypto || !crypto.subtle) return { status: "no_crypto", code: c };
    let ok;
    try {
      if (!importedKeys[c.kid]) {
        importedKeys[c.kid] = await crypto.subtle.importKey("raw", info.raw, { name: "Ed25519" }, false, ["verify"]);
      }
      ok = await crypto.subtle.verify({ name: "Ed25519" }, importedKeys[c.kid], c.signature, c.signed);
    } catch (e) { return { status: "no_crypto", code: c }; }
    if (!ok) return { status: "bad_signature", code: c };
    if (info.retiredAt != null && info.retiredAt <= c.issued) return { status: "key_retired", code: c };
    if (c.kind !== c.prefixKind || c.kind !== expectKind) return { status: "wrong_kind", code: c };
    const now = Math.floor(Date.now() / 1000);
    if (now + CLOCK_SKEW < c.issued) return { status: "not_yet_valid", code: c };
    if (now >= c.expires) return { status: "expired", code: c };
    return { status: "valid", code: c };
  }

  // ------------------------------------------------------------------ IndexedDB queue
  let dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise((resolve, reject) => {
        const req = indexedDB.open("tongchou-checkpoint", 1);
        req.onupgradeneeded = () => req.result.createObjectStore("scans", { keyPath: "client_id" });
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    return dbPromise;
  }
  async function tx(mode, fn) {
    const d = await db();
    return new Promise((resolve, reject) => {
      const t = d.transaction("scans", mode);
      const result = fn(t.objectStore("scans"));
      t.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      t.onerror = () => reject(t.error);
    });
  }
  const queueAdd = (scan) => tx("readwrite", (s) => s.put(scan));
  const queueAll = () => tx("readonly", (s) => s.getAll());
  const queueDelete = (ids) => tx("readwrite", (s) => ids.forEach((id) => s.delete(id)));
  async function showQueue() { $("queue-count").textContent = String((await queueAll()).length); }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  const DEVICE = (() => {
    let id = localStorage.getItem("tongchou-device-id");
    if (!id) { id = "web-" + crypto.randomUUID().slice(0, 8); localStorage.setItem("tongchou-device-id", id); }
    return id;
  })();

  let flushing = false;
  async function flush() {
    if (flushing || !navigator.onLine) return;
    flushing = true;
    try {
      const pending = await queueAll();
      if (!pending.length) return;
      const res = await fetch(root.dataset.uploadUrl, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ device_id: DEVICE, scans: pending }),
      });
      if (!res.ok) { $("upload-status").textContent = "HTTP " + res.status; return; }
      const out = await res.json();
      // Every scan in the batch was handled (stored, duplicate or rejected with a reason): none is resent.
      await queueDelete(pending.map((s) => s.client_id));
      let note = T.uploaded + ": " + out.accepted;
      if (out.rejected.length) note += " · " + out.rejected.map((r) => r.code).join(", ");
      $("upload-status").textContent = note;
    } catch (e) {
      /* still offline: keep the queue */
    } finally {
      flushing = false;
      showQueue();
    }
  }

  // ------------------------------------------------------------------ UI
  // What the guard does, by the code's colour (一码通行): green lets in, yellow is referred to the health desk,
  // red and anything that is not a valid code stop at the gate. Colour, words and rule all say the same thing.
  const ACTIONS = { green: "let_in", yellow: "refer", red: "stop" };
  let current = null;
  function paintVerdict(action, colourText, rule, status) {
    const el = $("verdict");
    el.className = "verdict" + (action ? " action-" + action.replace("_", "-") : "");
    el.querySelector(".verdict-action").textContent = action ? T[action] : T.waiting;
    el.querySelector(".verdict-colour").textContent = colourText || "";
    el.querySelector(".verdict-rule").textContent = rule || "";
    if (action) el.dataset.action = action; else delete el.dataset.action;
    if (status) el.dataset.status = status; else delete el.dataset.status;
  }
  function showVerdict(v) {
    current = null;
    $("record").disabled = true;
    if (v.status === "valid") {
      const colour = v.code.colour;
      paintVerdict(ACTIONS[colour] || "stop", T[colour] + " · " + T.valid, T["rule_" + colour], v.status);
      $("verdict").classList.add(colour);
      current = v.code;
      $("record").disabled = !$("venue").value;
    } else {
      paintVerdict("stop", msg(v.status), T.rule_invalid, v.status);
      $("verdict").classList.add("bad");
    }
  }
  function clearVerdict() {
    current = null;
    $("record").disabled = true;
    paintVerdict(null, "", "", null);
  }

  // ------------------------------------------------------------------ venue: search the list or scan its QR
  function venueNote(text, ok) {
    const note = $("venue-note");
    note.textContent = text;
    note.className = "small " + (ok ? "ok" : "error");
  }
  function filterVenues(query) {
    const q = query.trim().toLowerCase();
    const select = $("venue");
    let first = null;
    for (const option of select.options) {
      const match = !q || (option.dataset.search || "").includes(q);
      option.hidden = !match;
      if (match && !first) first = option;
    }
    if (first && q) select.value = first.value;
  }
  async function pickVenueByCode(text) {
    const v = await verifyOffline(text, 2);
    if (v.status !== "valid") { venueNote(msg(v.status), false); return; }
    const select = $("venue");
    const option = Array.from(select.options).find((o) => o.value === String(v.code.ref));
    if (!option) { venueNote(T.venue_unknown, false); return; }
    for (const o of select.options) o.hidden = false;
    select.value = option.value;
    $("venue-search").value = "";
    venueNote(T.venue_set + ": " + option.textContent, true);
    if (current) $("record").disabled = false;
  }

  async function verifyOnline(text) {
    // The fallback when this device cannot decide alone (a key it has not cached, no WebCrypto Ed25519).
    const res = await fetch(root.dataset.verifyUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ code: text }),
    });
    if (!res.ok) throw new Error("HTTP " + res.status);
    const out = await res.json();
    if (!out.ok) return { status: out.status };
    const c = parse(text);
    // The server also knows a colour that changed after the code was issued: show the current one.
    return { status: "valid", code: { ...c, colour: out.current_colour || out.colour }, online: true };
  }

  async function check(text) {
    if (text.trim().startsWith("TV1:")) { await pickVenueByCode(text); $("code-text").value = ""; return; }
    let v = await verifyOffline(text);
    if ((v.status === "unknown_key" || v.status === "no_crypto") && navigator.onLine) {
      await refreshKeys();
      if (v.status === "unknown_key") v = await verifyOffline(text);
      if (v.status === "unknown_key" || v.status === "no_crypto") {
        try { v = await verifyOnline(text); } catch (e) { /* keep the offline verdict */ }
      }
    }
    showVerdict(v);
  }

  async function record() {
    if (!current) return;
    const t = $("temperature").value.trim();
    const scan = {
      // What this page verified: the code's opaque person reference and colour (the server turns the
      // reference into the person; it checks signatures itself only for scans that carry the code).
      client_id: crypto.randomUUID(), venue: $("venue").value, person_ref: current.ref, colour: current.colour,
      scanned_at: new Date().toISOString(), temperature: t === "" ? null : t,
    };
    await queueAdd(scan);
    $("upload-status").textContent = navigator.onLine ? T.recorded : T.queued;
    // The next person starts from a blank verdict, never from the previous one's colour.
    clearVerdict();
    $("code-text").value = "";
    $("temperature").value = "";
    await showQueue();
    flush();
  }

  let scanning = false;
  async function startCamera() {
    if (scanning || !navigator.mediaDevices) return;
    const video = $("camera");
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
    } catch (e) { return; }
    scanning = true;
    const canvas = document.createElement("canvas");
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    let lastSeen = "";
    const tick = () => {
      if (!scanning) return;
      if (video.readyState === video.HAVE_ENOUGH_DATA) {
        canvas.width = video.videoWidth; canvas.height = video.videoHeight;
        ctx.drawImage(video, 0, 0);
        const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const found = window.jsQR && window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
        if (found && found.data && found.data !== lastSeen) {
          lastSeen = found.data;
          $("code-text").value = found.data;
          check(found.data);
        }
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }

  function netStatus() {
    $("net-status").textContent = navigator.onLine ? T.online : T.offline;
    if (navigator.onLine) { refreshKeys(); flush(); }
  }

  $("verify").addEventListener("click", () => check($("code-text").value));
  $("record").addEventListener("click", record);
  $("start-camera").addEventListener("click", startCamera);
  $("venue-search").addEventListener("input", (e) => {
    const text = e.target.value;
    if (text.trim().startsWith("TV1:")) pickVenueByCode(text); else filterVenues(text);
  });
  $("venue").addEventListener("change", () => { if (current) $("record").disabled = !$("venue").value; });
  // The queue goes up the moment the network is back (and after each pass, and when the page is shown again).
  window.addEventListener("online", netStatus);
  window.addEventListener("offline", netStatus);
  document.addEventListener("visibilitychange", () => { if (!document.hidden) flush(); });
  if ("serviceWorker" in navigator) navigator.serviceWorker.register(root.dataset.swUrl).catch(() => {});
  netStatus();
  refreshKeys();
  showQueue();
  root.dataset.ready = "1";
  window.tongchouCheckpoint = { verifyOffline, flush, queueAll };
})();
