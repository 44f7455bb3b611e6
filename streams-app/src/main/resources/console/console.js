/* The QIS web console: hash-routed views over the public REST API of the instance that serves it, refreshed by
 * polling. No framework: DOM built with h(), text always set as text (never parsed as HTML). */
(function () {
  "use strict";

  var params = new URLSearchParams(location.search);
  var POLL_MS = Math.max(250, Number(params.get("poll")) || 2000);
  var HISTORY = 40; // polls kept for sparklines
  var COLUMN_HELP = {
    "Expected gain": "the claim and the backed reports on it pooled, shrunk toward 0; hover a value for its 95 % interval",
    "S/F": "backed reports that reproduced / refuted the claim (a report is backed when its reporter also published "
      + "a run citing the packet)",
    "Trust": "the author's earned trust: ½ until someone reproduces its packets",
    "Decay": "2^(−age / half-life)",
    "Score": "the rank: max(expected gain, 0) × decay"
  };

  var view = document.getElementById("view");
  var notice = document.getElementById("notice");
  var live = document.getElementById("live");

  // ---- DOM and formatting -------------------------------------------------------------------------------------

  function h(tag, attrs) {
    var el = document.createElementNS(tag.indexOf("svg:") === 0 ? "http://www.w3.org/2000/svg"
        : "http://www.w3.org/1999/xhtml", tag.replace("svg:", ""));
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k.indexOf("on") === 0) el.addEventListener(k.substring(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    });
    for (var i = 2; i < arguments.length; i++) append(el, arguments[i]);
    return el;
  }

  function append(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) child.forEach(function (c) { append(el, c); });
    else el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
  }

  function replace(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
    for (var i = 1; i < arguments.length; i++) append(el, arguments[i]);
  }

  function num(x, digits) {
    if (x === null || x === undefined || !isFinite(x)) return "—";
    var n = Number(x), d = digits || 3;
    if (Math.abs(n) >= Math.pow(10, d)) return String(Math.round(n));
    var t = n.toPrecision(d); // trailing zeros of the fraction go, never those of an integer (180 stays 180)
    return t.indexOf("e") >= 0 ? t.replace(/\.?0+e/, "e") : t.indexOf(".") >= 0 ? t.replace(/\.?0+$/, "") : t;
  }

  function pct(x) {
    return x === null || x === undefined || !isFinite(x) ? "—" : (x * 100).toFixed(1) + " %";
  }

  function ago(iso) {
    var s = Math.round((Date.now() - Date.parse(iso)) / 1000);
    if (!isFinite(s)) return "—";
    if (s < 0) return "just now";
    if (s < 90) return s + " s ago";
    if (s < 5400) return Math.round(s / 60) + " min ago";
    if (s < 129600) return Math.round(s / 3600) + " h ago";
    return Math.round(s / 86400) + " d ago";
  }

  function time(ms) {
    return new Date(ms).toLocaleTimeString();
  }

  function link(href, text, attrs) {
    attrs = attrs || {};
    attrs.href = href;
    return h("a", attrs, text);
  }

  function short(id) {
    return id && id.length > 20 ? id.substring(0, 8) + "…" + id.substring(id.length - 8) : id;
  }

  // ---- the API --------------------------------------------------------------------------------------------------

  var unavailable = { open: {}, windows: [] }; // 503 windows per endpoint, as this page saw them

  // An instance with a token file (qis.rest.auth.token.file) answers 401 without one. The page then asks for the
  // token once and keeps it in this tab's sessionStorage: it is sent with every API call and gone when the tab is.
  var TOKEN_KEY = "qis.rest.token";
  var tokenForm = null;

  function storedToken() {
    try { return sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  function askForToken(reason) {
    var why = reason === "invalid" ? "The token this tab held was refused; paste a valid one."
      : "This instance wants a bearer token for its API.";
    if (tokenForm) {
      tokenForm.querySelector("p").textContent = why;
      tokenForm.hidden = false;
      return;
    }
    var input = h("input", { type: "password", id: "token-input", autocomplete: "off", spellcheck: "false",
      "aria-describedby": "token-why" });
    tokenForm = h("form", { "class": "notice token", id: "token-form", onsubmit: function (e) {
      e.preventDefault();
      var value = input.value.trim();
      if (!value) return;
      try { sessionStorage.setItem(TOKEN_KEY, value); } catch (err) { /* private mode: kept for no call */ }
      input.value = "";
      tokenForm.hidden = true;
      tick();
    } },
      h("p", { id: "token-why" }, why),
      h("label", { "for": "token-input" }, "Bearer token "), input, " ",
      h("button", { type: "submit" }, "Use for this tab"));
    notice.parentNode.insertBefore(tokenForm, notice.nextSibling);
    input.focus();
  }

  /** Resolves to {status, body, retryAfter}; a 503 opens a window that the next answer from the endpoint closes. */
  function api(path, kind) {
    var key = path.split("?")[0].replace(/\/v1\/(domains|packets|nodes|fingerprints)\/[^/]+/, "/v1/$1/{…}");
    var headers = { "Accept": kind === "text" ? "text/plain" : "application/json" };
    var token = storedToken();
    if (token) headers["Authorization"] = "Bearer " + token;
    return fetch(path, { headers: headers })
      .then(function (r) {
        var body = kind === "text" ? r.text() : r.json().catch(function () { return null; });
        return body.then(function (b) {
          var current = storedToken();
          if (r.status === 401 && (!current || current === token)) {
            // (a 401 to a call sent before the tab was given its current token says nothing of that token)
            var reason = b && typeof b === "object" && b.reason || (token ? "invalid" : "missing");
            if (reason === "invalid") {
              try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing stored */ }
            }
            askForToken(reason);
          } else if (r.status !== 401 && token && tokenForm && !tokenForm.hidden) {
            tokenForm.hidden = true; // the token was taken
          }
          var answer = { status: r.status, body: b, retryAfter: r.headers.get("Retry-After") };
          trackUnavailable(key, answer);
          return answer;
        });
      }, function (e) {
        return { status: 0, body: { title: "No answer", detail: "the instance did not answer: " + e.message } };
      });
  }

  function trackUnavailable(key, answer) {
    var now = Date.now();
    var open = unavailable.open[key];
    if (answer.status === 503) {
      var detail = answer.body && answer.body.detail || "unavailable";
      if (!open) {
        open = { endpoint: key, from: now, to: null, detail: detail, count: 0 };
        unavailable.open[key] = open;
        unavailable.windows.unshift(open);
        unavailable.windows.length = Math.min(unavailable.windows.length, 50);
      }
      open.count++;
      open.last = now;
      open.detail = detail;
      showNotice(); // at once, so no view can draw a 503 the banner does not name yet; a close waits for the redraw
    } else if (open) {
      open.to = now;
      delete unavailable.open[key];
    }
  }

  /** A problem answer drawn as such: status, title, detail and, for a 503, when the page retries. */
  function problem(answer, what) {
    var b = answer.body || {};
    var cls = answer.status === 503 ? "problem unavailable" : "problem";
    return h("div", { "class": cls, role: "alert", "data-status": answer.status },
      h("p", {}, h("strong", {}, answer.status ? answer.status + " " + (b.title || "") : b.title || "No answer"),
        what ? " — " + what : ""),
      h("p", {}, b.detail || ""),
      answer.status === 503 ? h("p", { "class": "muted" }, "This is not an empty answer: the state is moving "
        + "(rebalancing or restoring). Retrying every " + Math.round(POLL_MS / 1000 * 10) / 10 + " s"
        + (answer.retryAfter ? " (the server asks for " + answer.retryAfter + " s)" : "") + ".") : null);
  }

  /** True when this element already shows exactly this answer: it is left alone (focus, selection and screen
   * readers are not disturbed by a refresh that changed nothing). */
  function unchanged(el, answer) {
    var text = answer.status + " " + JSON.stringify(answer.body);
    if (el.lastAnswer === text) return true;
    el.lastAnswer = text;
    return false;
  }

  // ---- small charts -------------------------------------------------------------------------------------------

  function sparkline(values, label) {
    var w = 120, hgt = 24, max = Math.max.apply(null, values.concat([1]));
    var bw = w / Math.max(values.length, HISTORY);
    var svg = h("svg:svg", { width: w, height: hgt, viewBox: "0 0 " + w + " " + hgt, role: "img",
      "aria-label": label, "class": "spark" });
    values.forEach(function (v, i) {
      var bh = v > 0 ? Math.max(2, v / max * (hgt - 2)) : 0;
      svg.appendChild(h("svg:rect", { x: w - (values.length - i) * bw, y: hgt - bh, width: Math.max(1, bw - 1),
        height: bh }));
    });
    svg.appendChild(h("svg:title", {}, label));
    return svg;
  }

  /**
   * A packet's gains on a linear scale shared by the rows of one table: the claimed gain as a diamond, the expected
   * gain (claim and backed reports pooled, shrunk toward 0) as a bar from 0, and its 95 % interval as a whisker.
   */
  function gainChart(e, scale) {
    var hgt = 18, mid = hgt / 2, x0 = scale.x(0), xe = scale.x(e.expected_gain);
    var xl = scale.x(e.expected_gain_low), xh = scale.x(e.expected_gain_high), xc = scale.x(e.gain);
    var svg = h("svg:svg", { width: scale.width, height: hgt, viewBox: "0 0 " + scale.width + " " + hgt,
      role: "img", "class": "gains", "aria-label": gainText(e) });
    svg.appendChild(h("svg:rect", { x: Math.min(x0, xe), y: 4, width: Math.max(1, Math.abs(xe - x0)), height: 10,
      "class": "expected" + (e.expected_gain < 0 ? " neg" : ""), "data-part": "expected" },
      h("svg:title", {}, "expected gain " + pct(e.expected_gain))));
    svg.appendChild(h("svg:path", { d: "M" + xl + " " + mid + "H" + xh + "M" + xl + " 5V13M" + xh + " 5V13",
      "class": "interval", "data-part": "interval" },
      h("svg:title", {}, "95 % interval " + pct(e.expected_gain_low) + " to " + pct(e.expected_gain_high))));
    svg.appendChild(h("svg:path", { d: "M" + xc + " 2L" + (xc + 5) + " " + mid + "L" + xc + " 16L" + (xc - 5) + " "
      + mid + "Z", "class": "claim", "data-part": "claim" }, h("svg:title", {}, "claimed gain " + pct(e.gain))));
    svg.appendChild(h("svg:line", { x1: x0, x2: x0, y1: 0, y2: hgt, "class": "axis" }));
    return svg;
  }

  function gainText(e) {
    return "claimed " + pct(e.gain) + ", expected " + pct(e.expected_gain) + " (95 %: " + pct(e.expected_gain_low)
      + " to " + pct(e.expected_gain_high) + ")";
  }

  /** One linear scale over every claim, expected gain and interval of the entries, always including 0. */
  function gainScale(entries, width) {
    var lo = 0, hi = 0;
    entries.forEach(function (e) {
      [e.gain, e.expected_gain, e.expected_gain_low, e.expected_gain_high].forEach(function (v) {
        if (isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      });
    });
    if (hi - lo < 1e-9) hi = lo + 0.01;
    return { width: width, x: function (v) { return 6 + (v - lo) / (hi - lo) * (width - 12); } };
  }

  function legend() {
    return h("p", { "class": "legend" }, "Each row on one linear scale from 0 (the line): ",
      h("span", { "class": "key claim" }, "◆ the claimed gain"), ", ",
      h("span", { "class": "key expected" }, "the expected gain"),
      " that the claim and the backed reproductions support, shrunk toward 0, and ",
      h("span", { "class": "key interval" }, "its 95 % interval"),
      "; rows rank by expected gain × decay and are listed only with more backed reproductions than refutations.");
  }

  /** Rounds on x (every planned round, so the chart fills in as the simulation runs), gains on y. */
  function lineChart(rounds, series, planned) {
    var w = 640, hgt = 280, m = { l: 56, r: 16, t: 16, b: 40 };
    var ys = [];
    rounds.forEach(function (r) { series.forEach(function (s) { ys.push(r[s.key]); }); });
    var lo = Math.min.apply(null, ys.concat([0])), hi = Math.max.apply(null, ys.concat([0.01]));
    var xMin = 0, xMax = Math.max(1, planned - 1, rounds.length ? rounds[rounds.length - 1].round : 1);
    function x(v) { return m.l + (xMax === xMin ? 0.5 : (v - xMin) / (xMax - xMin)) * (w - m.l - m.r); }
    function y(v) { return hgt - m.b - (v - lo) / (hi - lo) * (hgt - m.t - m.b); }
    var svg = h("svg:svg", { viewBox: "0 0 " + w + " " + hgt, "class": "chart", role: "img",
      "aria-label": "Mean true gain per honest run, by round, for " + series.map(function (s) { return s.label; })
        .join(", ") + "; the table below has the numbers" });
    for (var i = 0; i <= 4; i++) {
      var v = lo + (hi - lo) * i / 4;
      svg.appendChild(h("svg:line", { x1: m.l, x2: w - m.r, y1: y(v), y2: y(v), "class": "grid" }));
      svg.appendChild(h("svg:text", { x: m.l - 6, y: y(v) + 4, "text-anchor": "end" }, pct(v)));
    }
    for (var t = xMin; t <= xMax; t++) {
      svg.appendChild(h("svg:text", { x: x(t), y: hgt - m.b + 16, "text-anchor": "middle" }, t));
    }
    svg.appendChild(h("svg:text", { x: (m.l + w - m.r) / 2, y: hgt - 6, "text-anchor": "middle" }, "round"));
    series.forEach(function (s) {
      var pts = rounds.map(function (r) { return x(r.round) + "," + y(r[s.key]); }).join(" ");
      svg.appendChild(h("svg:polyline", { points: pts, "class": "line " + s.key }));
      rounds.forEach(function (r) {
        svg.appendChild(h("svg:circle", { cx: x(r.round), cy: y(r[s.key]), r: 3, "class": "dot " + s.key },
          h("svg:title", {}, s.label + ", round " + r.round + ": " + pct(r[s.key]))));
      });
    });
    return svg;
  }

  // ---- views ----------------------------------------------------------------------------------------------------

  var domainHistory = {}; // domain -> [{t, packets}]
  var nodeHistory = {};   // node -> [{t, trust}]

  function pushHistory(store, key, point) {
    var list = store[key] || (store[key] = []);
    list.push(point);
    if (list.length > HISTORY + 1) list.shift();
    return list;
  }

  var views = {};

  views.domains = {
    title: "Domains",
    init: function (root) {
      this.sort = this.sort || { key: "packets", desc: true };
      var self = this;
      this.filter = h("input", { id: "domain-filter", type: "search", placeholder: "name contains…",
        autocomplete: "off", oninput: function () { self.draw(); } });
      this.table = h("div", { id: "domains-table" });
      replace(root, h("h2", {}, "Domains"),
        h("div", { "class": "tools" }, h("label", { "for": "domain-filter" }, "Filter domains"), this.filter),
        this.table);
    },
    refresh: function () {
      var self = this;
      return api("/v1/domains").then(function (a) {
        self.answer = a;
        if (a.status === 200) {
          var t = Date.now();
          a.body.domains.forEach(function (d) { pushHistory(domainHistory, d.domain, { t: t, packets: d.packets }); });
        }
        self.draw();
        return a;
      });
    },
    draw: function () {
      var a = this.answer, self = this;
      if (!a) return;
      if (a.status !== 200) { replace(this.table, problem(a, "the domain list")); return; }
      var q = this.filter.value.trim().toLowerCase();
      var rows = a.body.domains.filter(function (d) { return d.domain.indexOf(q) >= 0; });
      var s = this.sort;
      rows.sort(function (x, y) {
        var u = x[s.key], v = y[s.key];
        var c = typeof u === "string" ? u.localeCompare(v) : u - v;
        return (s.desc ? -c : c) || x.domain.localeCompare(y.domain);
      });
      var cols = [["domain", "Domain"], ["packets", "Packets"], ["fingerprints", "Fingerprints"], ["nodes", "Nodes"],
        ["last_seen", "Last seen"]];
      var head = h("tr", {}, cols.map(function (c) {
        var sorted = s.key === c[0];
        return h("th", { scope: "col", "class": c[0] === "domain" || c[0] === "last_seen" ? null : "n",
          "aria-sort": sorted ? (s.desc ? "descending" : "ascending") : "none" },
          h("button", { type: "button", "class": "sort", "data-sort": c[0], onclick: function () {
            self.sort = { key: c[0], desc: sorted ? !s.desc : c[0] !== "domain" };
            self.draw();
          } }, c[1], h("span", { "aria-hidden": "true" }, sorted ? (s.desc ? " ▾" : " ▴") : "")));
      }), h("th", { scope: "col" }, "Arrivals"));
      var body = h("tbody", {}, rows.map(function (d) {
        var hist = domainHistory[d.domain] || [];
        var deltas = hist.slice(1).map(function (p, i) { return Math.max(0, p.packets - hist[i].packets); });
        return h("tr", { "data-domain": d.domain },
          h("th", { scope: "row" }, link("#/domain/" + encodeURIComponent(d.domain), d.domain)),
          h("td", { "class": "n", "data-field": "packets" }, d.packets),
          h("td", { "class": "n" }, d.fingerprints),
          h("td", { "class": "n" }, d.nodes),
          h("td", {}, h("time", { datetime: d.last_seen, title: d.last_seen }, ago(d.last_seen))),
          h("td", {}, sparkline(deltas, "packets arriving per " + POLL_MS / 1000 + " s since this page opened: "
            + (deltas.length ? deltas.join(", ") : "none yet"))));
      }));
      replace(this.table,
        h("p", { "class": "muted" }, rows.length + " of " + a.body.domains.length + " domains. Arrivals: new packets "
          + "per refresh since this page opened."),
        h("table", { "class": "grid-table", id: "domains" }, h("thead", {}, head), body));
    }
  };

  views.domain = {
    title: "Domain",
    init: function (root, args, query) {
      this.domain = args[0];
      this.family = query.get("family") || "";
      this.tags = query.get("tags") || "";
      this.k = query.get("k") || "10";
      var self = this;
      var family = h("input", { id: "f-family", name: "family", value: this.family, placeholder: "any" });
      var tags = h("input", { id: "f-tags", name: "tags", value: this.tags, placeholder: "a,b" });
      var k = h("input", { id: "f-k", name: "k", type: "number", min: 1, max: 100, value: this.k });
      var form = h("form", { "class": "tools", id: "domain-form", onsubmit: function (ev) {
        ev.preventDefault();
        var q = new URLSearchParams();
        if (family.value.trim()) q.set("family", family.value.trim());
        if (tags.value.trim()) q.set("tags", tags.value.replace(/\s+/g, ""));
        if (k.value && k.value !== "10") q.set("k", k.value);
        location.hash = "#/domain/" + encodeURIComponent(self.domain) + (q.toString() ? "?" + q : "");
      } }, h("label", { "for": "f-family" }, "Family"), family,
        h("label", { "for": "f-tags" }, "Tags (comma-separated)"), tags,
        h("label", { "for": "f-k" }, "Top k"), k, h("button", { type: "submit" }, "Ask"));
      this.top = h("section", { id: "top", "aria-labelledby": "top-h" });
      this.synth = h("section", { id: "synthesis", "aria-labelledby": "syn-h" });
      replace(root, h("p", { "class": "crumbs" }, link("#/domains", "Domains"), " / "),
        h("h2", {}, this.domain), form, this.top, this.synth);
    },
    refresh: function () {
      var self = this, d = encodeURIComponent(this.domain);
      var top = "/v1/domains/" + d + "/top?k=" + encodeURIComponent(this.k)
        + (this.family ? "&family=" + encodeURIComponent(this.family) : "");
      var tagList = this.tags ? this.tags.split(",").filter(Boolean) : [];
      if (tagList.length === 1) top += "&tag=" + encodeURIComponent(tagList[0]);
      var syn = "/v1/domains/" + d + "/synthesis?"
        + (this.family ? "family=" + encodeURIComponent(this.family) + "&" : "")
        + (this.tags ? "tags=" + encodeURIComponent(this.tags) : "");
      return Promise.all([api(top), api(syn.replace(/[?&]$/, ""))]).then(function (answers) {
        self.drawTop(answers[0], tagList);
        self.drawSynthesis(answers[1]);
        return answers[0];
      });
    },
    drawTop: function (a, tagList) {
      if (unchanged(this.top, a)) return;
      if (a.status !== 200) { replace(this.top, h("h3", { id: "top-h" }, "Top packets"), problem(a, "the top-k")); return; }
      var entries = a.body.entries;
      var scale = gainScale(entries, 200);
      var filter = [this.family && "family " + this.family, tagList.length === 1 && "tag " + tagList[0]]
        .filter(Boolean).join(", ");
      var cols = ["#", "Packet", "Node", "Family", "Method", "Claimed gain", "Expected gain", "S/F", "Trust",
        "Decay", "Score", "Gains"];
      replace(this.top, h("h3", { id: "top-h" }, "Top " + a.body.k + (filter ? " (" + filter + ")" : "")),
        legend(),
        entries.length === 0 ? h("p", {}, "No listed packet matches (a packet is listed once backed reports "
          + "reproduce it more often than they refute it).") :
        h("div", { "class": "scroll" }, h("table", { "class": "grid-table", id: "top-table" },
          h("thead", {}, h("tr", {}, cols.map(function (c) {
            return h("th", { scope: "col", "class": /^(#|Claimed gain|Expected gain|S\/F|Trust|Decay|Score)$/.test(c)
              ? "n" : null, title: COLUMN_HELP[c] || null }, c);
          }))),
          h("tbody", {}, entries.map(function (e, i) {
            var attrs = { "data-packet": e.packet_id };
            ["gain", "expected_gain", "expected_gain_low", "expected_gain_high", "successes", "failures", "curate",
              "vote", "trust", "decay", "fidelity"].forEach(function (n) { attrs["data-" + n] = String(e[n]); });
            return h("tr", attrs,
              h("td", { "class": "n" }, i + 1),
              h("th", { scope: "row" }, link("#/packet/" + e.packet_id, short(e.packet_id), { title: e.packet_id })),
              h("td", {}, link("#/node/" + e.node_id, e.node_id)),
              h("td", {}, e.family),
              h("td", {}, e.method_type),
              h("td", { "class": "n" }, pct(e.gain)),
              h("td", { "class": "n", title: "95 %: " + pct(e.expected_gain_low) + " to " + pct(e.expected_gain_high) },
                pct(e.expected_gain)),
              h("td", { "class": "n" }, e.successes + "/" + e.failures),
              h("td", { "class": "n" }, num(e.trust)),
              h("td", { "class": "n" }, num(e.decay)),
              h("td", { "class": "n" }, pct(e.fidelity)),
              h("td", {}, gainChart(e, scale)));
          })))));
    },
    drawSynthesis: function (a) {
      if (unchanged(this.synth, a)) return;
      if (a.status !== 200) {
        replace(this.synth, h("h3", { id: "syn-h" }, "Recommendation"), problem(a, "the synthesis"));
        return;
      }
      var s = a.body, evidence = s.evidence || [], x = s.exploration;
      var heaviest = evidence.length ? evidence[0].weight : 1;
      function evidenceList(list) {
        return h("ol", { "class": "evidence" }, list.map(function (c) {
          return h("li", { "data-packet": c.packet_id, "data-weight": String(c.weight) },
            link("#/packet/" + c.packet_id, short(c.packet_id), { title: c.packet_id }),
            " by ", link("#/node/" + c.node_id, c.node_id), ": weight ", h("strong", {}, num(c.weight)),
            h("span", { "class": "weight", "aria-hidden": "true",
              style: "width:" + Math.max(1, Math.round(c.weight / heaviest * 60)) + "px" }),
            "gain " + pct(c.gain));
        }));
      }
      replace(this.synth, h("h3", { id: "syn-h" }, "Recommendation"), h("div", { "class": "cols three" },
        h("dl", { "class": "facts", id: "synthesis-facts" },
          h("dt", {}, "Method"), h("dd", { "data-field": "method_type" }, s.method_type),
          h("dt", {}, "Hyperparameters"), h("dd", {}, hyperparams(s.hyperparams)),
          h("dt", {}, "Expected gain"), h("dd", { "data-field": "expected_gain" }, pct(s.expected_gain)),
          h("dt", {}, "95 % interval"), h("dd", { "data-field": "interval" }, pct(s.expected_gain_low) + " to "
            + pct(s.expected_gain_high)),
          h("dt", {}, "Evidence"), h("dd", {}, plural(s.evidence_count, "packet") + " from "
            + plural(s.distinct_nodes, "node"))),
        h("div", {},
          h("h4", {}, "Evidence, heaviest first (cite these in informed_by)"),
          evidenceList(evidence.slice(0, 8)),
          evidence.length > 8 ? h("details", {}, h("summary", {}, (evidence.length - 8) + " more"),
            evidenceList(evidence.slice(8))) : null,
          h("p", { "class": "legend" }, "Weight, in eval samples: the run's size and confidence × its author's trust "
            + "× decay × how close its context and hyperparameters are to the recommendation.")),
        x ? h("section", { id: "exploration", "aria-labelledby": "exp-h" },
          h("h4", { id: "exp-h" }, "To explore instead"),
          h("dl", { "class": "facts" },
            h("dt", {}, "Method"), h("dd", { "data-field": "method_type" }, x.method_type),
            h("dt", {}, "Hyperparameters"), h("dd", {}, hyperparams(x.hyperparams)),
            h("dt", {}, "Expected gain"), h("dd", { "data-field": "expected_gain" }, pct(x.expected_gain)),
            h("dt", {}, "Upper bound"), h("dd", { "data-field": "upper_bound" }, pct(x.upper_bound)),
            h("dt", {}, "Packets"), h("dd", {}, x.packet_ids.map(function (id) {
              return h("span", {}, link("#/packet/" + id, short(id), { title: id }), " ");
            }))),
          h("p", { "class": "legend" }, "The configuration with the highest upper bound besides the "
            + "recommendation: less certain, possibly better.")) : h("div", {})));
    }
  };

  function plural(n, word) {
    return n + " " + word + (n === 1 ? "" : "s");
  }

  function hyperparams(map) {
    return Object.keys(map).sort().map(function (k) {
      return h("code", { "class": "kv" }, k + "=" + JSON.stringify(map[k]));
    });
  }

  function field(dl, name, value) {
    dl.appendChild(h("dt", {}, name));
    dl.appendChild(h("dd", { "data-field": name }, value));
  }

  views.packet = {
    title: "Packet",
    init: function (root, args) {
      this.id = args[0];
      this.body = h("div", {});
      replace(root, h("p", { "class": "crumbs" }, link("#/domains", "Domains"), " / packet"),
        h("h2", {}, h("span", { "class": "mono" }, this.id)), this.body);
    },
    refresh: function () {
      var self = this;
      return api("/v1/packets/" + encodeURIComponent(this.id)).then(function (a) {
        if (unchanged(self.body, a)) return a;
        if (a.status !== 200) { replace(self.body, problem(a, "packet " + self.id)); return a; }
        var p = a.body, e = p.elections;
        var dl = h("dl", { "class": "facts", id: "packet-facts" });
        field(dl, "domain", link("#/domain/" + encodeURIComponent(p.task), p.task));
        field(dl, "node", link("#/node/" + p.node_id, p.node_id));
        field(dl, "signature", h("span", { "class": "ok" }, "verified (Ed25519 against the node's registered key; "
          + "packets that fail are dead-lettered, never stored)"));
        ["fingerprint", "issued_at", "family", "tags", "data_scale", "benchmark", "metric", "baseline_score",
          "outcome_score", "higher_is_better", "method_type", "hyperparams", "held_out_eval", "n_eval_samples",
          "confidence"].forEach(function (k) {
          var v = p[k];
          field(dl, k, Array.isArray(v) ? v.join(", ") : typeof v === "object" ? JSON.stringify(v) : String(v));
        });
        field(dl, "gain", pct(p.gain));
        field(dl, "informed_by", p.informed_by.length ? p.informed_by.map(function (id) {
          return h("span", {}, link("#/packet/" + id, short(id), { title: id }), " ");
        }) : "—");
        var gains = { gain: p.gain, expected_gain: e.expected_gain, expected_gain_low: e.expected_gain_low,
          expected_gain_high: e.expected_gain_high };
        var elections = h("table", { "class": "grid-table", id: "elections" }, h("tbody", {}, [
          ["claimed gain", pct(p.gain), "what the author measured"],
          ["claim weight (curate)", num(e.curate), "the claim as a measurement, in eval samples: confidence × eval "
            + "size, halved as a self-report"],
          ["expected gain", pct(e.expected_gain), "the claim and the backed reports pooled by weight ("
            + num(e.evidence_weight) + " eval samples), shrunk toward 0"],
          ["95 % interval", pct(e.expected_gain_low) + " to " + pct(e.expected_gain_high), ""],
          ["reproduced (S)", e.successes, "backed reports observing at least half the claimed gain"],
          ["refuted (F)", e.failures, "backed reports observing less"],
          ["vote", num(e.vote), "2(1+S)/(2+S+F), for reference"],
          ["author's trust", num(e.trust), "½ until someone reproduces its packets"],
          ["citations", e.citations, "packets citing this one in informed_by"],
          ["decay", num(e.decay), "2^(−age / half-life)"],
          ["score", pct(e.fidelity), "max(expected gain, 0) × decay: the rank in a top-k"],
          ["listed in top-k", e.routed ? "yes" : "no", "expected gain > 0 and S > F"]
        ].map(function (r) {
          return h("tr", { "data-field": r[0] }, h("th", { scope: "row" }, r[0]), h("td", { "class": "n" }, r[1]),
            h("td", { "class": "muted wrap" }, r[2]));
        })));
        var votes = e.reports.length === 0 ? h("p", {}, "No reports yet.") :
          h("table", { "class": "grid-table", id: "votes" },
            h("thead", {}, h("tr", {}, ["Reporter", "Reported at", "Observed", "Observed gain", "Reproduced",
              "Backed", "Reporter trust"].map(function (c) { return h("th", { scope: "col" }, c); }))),
            h("tbody", {}, e.reports.map(function (r) {
              return h("tr", { "data-backed": String(r.backed) }, h("td", {}, link("#/node/" + r.reporter, r.reporter)),
                h("td", {}, h("time", { datetime: r.issued_at, title: r.issued_at }, ago(r.issued_at))),
                h("td", { "class": "n" }, num(r.observed_score, 4)),
                h("td", { "class": "n" }, pct(r.observed_gain)),
                h("td", {}, r.reproduced === null ? "—" : r.reproduced ? "yes" : "no"),
                h("td", {}, r.backed ? "yes" : "no (no run of the reporter cites it)"),
                h("td", { "class": "n" }, num(r.reporter_trust)));
            })));
        replace(self.body, h("div", { "class": "cols even" },
          h("section", {}, h("h3", {}, "Fields"), dl),
          h("section", {}, h("h3", {}, "Elections"), legend(), gainChart(gains, gainScale([gains], 320)),
            h("div", { "class": "scroll" }, elections),
            h("h3", {}, "Reports received"),
            h("p", { "class": "muted" }, "Only backed reports count: the reporter also published a run citing this "
              + "packet."),
            h("div", { "class": "scroll" }, votes))));
        return a;
      });
    }
  };

  views.node = {
    title: "Node",
    init: function (root, args) {
      this.id = args[0];
      this.body = h("div", {});
      replace(root, h("p", { "class": "crumbs" }, link("#/domains", "Domains"), " / node"),
        h("h2", {}, "Node ", h("span", { "class": "mono" }, this.id)), this.body);
    },
    refresh: function () {
      var self = this;
      return api("/v1/nodes/" + encodeURIComponent(this.id)).then(function (a) {
        if (a.status !== 200) { replace(self.body, problem(a, "node " + self.id)); return a; }
        var n = a.body;
        var hist = pushHistory(nodeHistory, n.node_id, { t: Date.now(), trust: n.trust });
        var dl = h("dl", { "class": "facts", id: "node-facts" });
        field(dl, "trust", num(n.trust) + " (½ until someone reproduces its packets; toward 1 as backed reports "
          + "reproduce them, toward 0 as they refute them)");
        field(dl, "packets accepted", n.packets);
        field(dl, "backed reports: reproduced", n.successes);
        field(dl, "backed reports: refuted", n.failures);
        replace(self.body, dl, h("h3", {}, "Trust since this page opened"),
          h("table", { "class": "grid-table", id: "trust-history" },
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "At"), h("th", { scope: "col" }, "Trust"))),
            h("tbody", {}, hist.slice(-8).reverse().map(function (p) {
              return h("tr", {}, h("td", {}, time(p.t)), h("td", { "class": "n" }, num(p.trust, 4)));
            }))));
        return a;
      });
    }
  };

  var rates = { last: null, history: [] };

  function parseMetrics(text) {
    var out = { accepted: 0, rejected: {}, lag: null };
    text.split("\n").forEach(function (line) {
      if (!line || line[0] === "#") return;
      var m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
      if (!m) return;
      var name = m[1], labels = m[2] || "", value = Number(m[3]);
      if (name === "qis_packets_accepted_total") out.accepted += value;
      else if (name === "qis_packets_rejected_total") {
        var r = /reason="([^"]*)"/.exec(labels);
        var reason = r ? r[1] : "?";
        out.rejected[reason] = (out.rejected[reason] || 0) + value;
      } else if (/records_lag_max$/.test(name) && isFinite(value) && value >= 0) {
        out.lag = Math.max(out.lag === null ? 0 : out.lag, value);
      }
    });
    return out;
  }

  views.health = {
    title: "Health",
    init: function (root) {
      this.state = h("section", { id: "instances", "aria-labelledby": "inst-h" });
      this.flow = h("section", { id: "flow", "aria-labelledby": "flow-h" });
      this.windows = h("section", { id: "windows", "aria-labelledby": "win-h" });
      replace(root, h("h2", {}, "Health of the stream"), h("div", { "class": "cols" }, this.state, this.flow),
        this.windows);
    },
    refresh: function () {
      var self = this;
      return Promise.all([api("/v1/instances"), api("/metrics", "text")]).then(function (answers) {
        self.drawInstances(answers[0]);
        self.drawFlow(answers[1]);
        self.drawWindows();
        return answers[0];
      });
    },
    drawInstances: function (a) {
      if (a.status !== 200) {
        var m = /is (\w+), not RUNNING/.exec(a.body && a.body.detail || "");
        replace(this.state, h("h3", { id: "inst-h" }, "Instances"),
          h("p", {}, "State: ", h("strong", { id: "state", "class": "state bad" }, m ? m[1] : "unknown")),
          problem(a, "the instance list"));
        return;
      }
      var b = a.body;
      replace(this.state, h("h3", { id: "inst-h" }, "Instances"),
        h("p", {}, "State: ", h("strong", { id: "state", "class": "state " + (b.state === "RUNNING" ? "good" : "bad") },
          b.state), " — this page is served by ", h("span", { "class": "mono" }, b.self)),
        h("table", { "class": "grid-table", id: "instance-table" },
          h("thead", {}, h("tr", {}, ["Instance", "Active partitions", "Standby"].map(function (c) {
            return h("th", { scope: "col" }, c);
          }))),
          h("tbody", {}, b.instances.map(function (i) {
            return h("tr", {}, h("th", { scope: "row" }, i.host + ":" + i.port, i.self ? " (this one)" : ""),
              h("td", { "class": "wrap" }, partitions(i.active_partitions)),
              h("td", { "class": "wrap" }, partitions(i.standby_partitions)));
          }))));
    },
    drawFlow: function (a) {
      if (a.status !== 200) { replace(this.flow, h("h3", { id: "flow-h" }, "Records"), problem(a, "/metrics")); return; }
      var now = Date.now(), cur = parseMetrics(a.body), last = rates.last;
      var perSec = null;
      if (last && now > last.t) {
        var dt = (now - last.t) / 1000;
        perSec = { accepted: Math.max(0, cur.accepted - last.m.accepted) / dt, rejected: {} };
        Object.keys(cur.rejected).forEach(function (r) {
          perSec.rejected[r] = Math.max(0, cur.rejected[r] - (last.m.rejected[r] || 0)) / dt;
        });
        rates.history.push(perSec.accepted);
        if (rates.history.length > HISTORY) rates.history.shift();
      }
      rates.last = { t: now, m: cur };
      var reasons = Object.keys(cur.rejected).sort();
      replace(this.flow, h("h3", { id: "flow-h" }, "Records on this instance"),
        h("table", { "class": "grid-table", id: "rates" },
          h("thead", {}, h("tr", {}, ["", "per second", "total"].map(function (c) {
            return h("th", { scope: "col" }, c);
          }))),
          h("tbody", {},
            h("tr", {}, h("th", { scope: "row" }, "accepted"), h("td", { "class": "n" },
              perSec ? num(perSec.accepted) : "…"), h("td", { "class": "n" }, cur.accepted)),
            reasons.length === 0 ? h("tr", {}, h("th", { scope: "row" }, "rejected"), h("td", { "class": "n" },
              perSec ? "0" : "…"), h("td", { "class": "n" }, 0)) : reasons.map(function (r) {
              return h("tr", {}, h("th", { scope: "row" }, "rejected: " + r), h("td", { "class": "n" },
                perSec ? num(perSec.rejected[r]) : "…"), h("td", { "class": "n" }, cur.rejected[r]));
            }))),
        h("p", {}, "Accepted per second: ", sparkline(rates.history, "accepted per second over the last "
          + rates.history.length + " refreshes")),
        h("p", {}, "Consumer lag (largest, records): ", h("strong", { id: "lag" },
          cur.lag === null ? "not reported yet" : num(cur.lag, 6))));
    },
    drawWindows: function () {
      var list = unavailable.windows;
      replace(this.windows, h("h3", { id: "win-h" }, "503 windows seen by this page"),
        list.length === 0 ? h("p", {}, "None: every answer since this page opened was complete.") :
        h("table", { "class": "grid-table", id: "window-table" },
          h("thead", {}, h("tr", {}, ["Endpoint", "From", "To", "503 answers", "Reason"].map(function (c) {
            return h("th", { scope: "col" }, c);
          }))),
          h("tbody", {}, list.map(function (w) {
            return h("tr", { "class": w.to ? "" : "open" }, h("td", { "class": "mono" }, w.endpoint),
              h("td", {}, time(w.from)), h("td", {}, w.to ? time(w.to) : "still unavailable"),
              h("td", { "class": "n" }, w.count), h("td", { "class": "wrap" }, w.detail));
          }))));
    }
  };

  /** Partitions by topic; topics with the same partitions and a name differing only in its last character
   * (the 16 outcome topics) are drawn as one line. */
  function partitions(list) {
    if (!list.length) return "—";
    var byTopic = {};
    list.forEach(function (tp) {
      var i = tp.lastIndexOf("-");
      (byTopic[tp.substring(0, i)] = byTopic[tp.substring(0, i)] || []).push(Number(tp.substring(i + 1)));
    });
    var lines = {};
    Object.keys(byTopic).sort().forEach(function (t) {
      var ps = byTopic[t].sort(function (x, y) { return x - y; }).join(", ");
      // internal topics are named <application.id>-<name>-repartition: the application id is the same on every line
      var family = /\.[0-9a-f]$/.test(t) ? t.substring(0, t.length - 1) + "*"
        : t.replace(/^.*-(qis-[a-z-]+-(repartition|changelog))$/, "…-$1");
      var key = family + " [" + ps + "]";
      lines[key] = lines[key] || { name: family, ps: ps, n: 0 };
      lines[key].n++;
    });
    return h("ul", { "class": "plain" }, Object.keys(lines).map(function (k) {
      var l = lines[k];
      return h("li", {}, h("span", { "class": "mono" }, l.name), l.n > 1 ? " (" + l.n + " topics)" : "",
        " [" + l.ps + "]");
    }));
  }

  var SERIES = [
    { key: "loop_gain", label: "the loop (synthesized recommendation)" },
    { key: "naive_gain", label: "naive averaging" },
    { key: "random_gain", label: "random configuration" },
    { key: "oracle_gain", label: "oracle (true best)" }];

  views.loop = {
    title: "Loop",
    init: function (root) {
      this.body = h("div", {});
      replace(root, h("h2", {}, "The loop"), h("p", { "class": "muted" }, "Mean true gain per honest run in each "
        + "round of the simulator running beside this instance: what nodes gained by applying the synthesized "
        + "recommendation, by averaging the evidence naively, by picking a configuration at random, and what the "
        + "true best would have given."), this.body);
    },
    refresh: function () {
      var self = this;
      return api("/v1/simulation").then(function (a) {
        if (unchanged(self.body, a)) return a;
        if (a.status === 404) {
          replace(self.body, h("p", { id: "no-simulation" }, "No simulation runs beside this instance. ",
            h("code", {}, "./qis demo"), " runs one and feeds this chart."));
          return a;
        }
        if (a.status !== 200) { replace(self.body, problem(a, "the simulation")); return a; }
        var s = a.body, rounds = s.results;
        var progress = s.status === "RUNNING" && s.progress
          ? "Round " + s.progress.round + " of " + s.rounds + ": " + s.progress.phase + " (" + s.progress.done + "/"
            + s.progress.total + ")" : s.status === "FINISHED" ? "Finished: " + s.rounds + " rounds."
          : s.status === "FAILED" ? "Stopped: " + (s.failure || "failed") : "Starting…";
        replace(self.body,
          h("p", { id: "sim-status" }, h("strong", {}, s.status), " — " + s.nodes + " nodes, " + s.domains
            + " domains, seed " + s.seed + ". " + progress),
          rounds.length === 0 ? h("p", {}, "No round has finished yet.") : [
            h("ul", { "class": "series" }, SERIES.map(function (x) {
              return h("li", {}, h("span", { "class": "swatch " + x.key, "aria-hidden": "true" }), x.label);
            })),
            lineChart(rounds, SERIES, s.rounds),
            h("table", { "class": "grid-table", id: "loop-table" },
              h("caption", {}, "Mean true gain per honest run"),
              h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Round"), SERIES.map(function (x) {
                return h("th", { scope: "col" }, x.label);
              }), h("th", { scope: "col" }, "Honest runs"), h("th", { scope: "col" }, "Packets stored"))),
              h("tbody", {}, rounds.map(function (r) {
                return h("tr", {}, h("th", { scope: "row" }, r.round), SERIES.map(function (x) {
                  return h("td", { "class": "n", "data-key": x.key, "data-value": String(r[x.key]) }, pct(r[x.key]));
                }), h("td", { "class": "n" }, r.honest_runs), h("td", { "class": "n" }, r.packets_stored));
              })))]);
        return a;
      });
    }
  };

  // ---- routing and the refresh loop ---------------------------------------------------------------------------

  var current = null, timer = null, generation = 0;

  function route() {
    var hash = location.hash.replace(/^#\/?/, "") || "domains";
    var q = hash.indexOf("?");
    var query = new URLSearchParams(q >= 0 ? hash.substring(q + 1) : "");
    var parts = (q >= 0 ? hash.substring(0, q) : hash).split("/").map(decodeURIComponent);
    var v = views[parts[0]] || views.domains;
    current = v;
    generation++;
    document.querySelectorAll("nav a").forEach(function (a) {
      var on = a.getAttribute("data-view") === parts[0] || (parts[0] === "domain" && a.getAttribute("data-view")
        === "domains");
      if (on) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
    v.init(view, parts.slice(1), query);
    document.title = v.title + " · QIS console";
    tick();
  }

  function tick() {
    clearTimeout(timer);
    var mine = generation;
    current.refresh().then(function (a) {
      if (mine !== generation) return;
      var status = a && a.status;
      live.textContent = (status === 503 ? "unavailable (503) at " : status === 0 ? "no answer at " : "updated ")
        + new Date().toLocaleTimeString();
      live.className = "live" + (status === 503 || status === 0 ? " bad" : "");
      showNotice();
    }).catch(function (e) {
      live.textContent = "error: " + e.message;
      live.className = "live bad";
    }).then(function () {
      if (mine === generation) timer = setTimeout(tick, POLL_MS);
    });
  }

  function showNotice() {
    var open = Object.keys(unavailable.open).map(function (k) { return unavailable.open[k]; });
    if (open.length === 0) { notice.hidden = true; notice.textContent = ""; return; }
    notice.hidden = false;
    notice.textContent = "503 from " + open.map(function (w) { return w.endpoint; }).join(", ") + " since "
      + time(Math.min.apply(null, open.map(function (w) { return w.from; }))) + ": " + open[0].detail
      + ". Answers resume when the state settles; nothing shown is partial.";
  }

  window.addEventListener("hashchange", function () { route(); view.focus(); });
  window.qisConsole = { refresh: tick, windows: unavailable.windows };
  route();
})();
