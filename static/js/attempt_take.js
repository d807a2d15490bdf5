// The attempt page's behaviour (templates/materials/attempts/attempt_take.html): answers not yet confirmed by
// the server wait in localStorage and are sent again when the connection is back (and after a reload); the
// countdown hands in at zero. The server enforces the deadline whatever this script does. Its words come from
// the page's json_script "attempt-text".
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) return;
  var key = "truonghoc:attempt:" + form.dataset.attempt;
  var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var text = JSON.parse(document.getElementById("attempt-text").textContent);

  function load() {
    try { return JSON.parse(window.localStorage.getItem(key) || "{}") || {}; } catch (e) { return {}; }
  }
  function store(pending) {
    try {
      if (Object.keys(pending).length) window.localStorage.setItem(key, JSON.stringify(pending));
      else window.localStorage.removeItem(key);
    } catch (e) { /* private browsing: the server copy is all there is */ }
  }
  function card(pos) { return document.getElementById("q-" + pos); }
  function positionOf(elt) {
    var found = elt && elt.closest ? elt.closest("[data-position]") : null;
    return found ? found.dataset.position : null;
  }
  function ownName(name, pos) { return name === "q" + pos || name.indexOf("q" + pos + "_") === 0; }
  // The answer of a question as [name, value] pairs, as the form would post it.
  function pairs(pos) {
    var out = [];
    var box = card(pos);
    if (!box) return out;
    box.querySelectorAll("input, textarea").forEach(function (el) {
      if (!el.name || !ownName(el.name, pos)) return;
      if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
      out.push([el.name, el.value]);
    });
    return out;
  }
  function restore(pos, list) {
    var box = card(pos);
    if (!box) return;
    box.querySelectorAll("input, textarea").forEach(function (el) {
      if (!el.name || !ownName(el.name, pos) || el.disabled) return;
      var values = list.filter(function (p) { return p[0] === el.name; }).map(function (p) { return p[1]; });
      if (el.type === "radio" || el.type === "checkbox") el.checked = values.indexOf(el.value) !== -1;
      else el.value = values.length ? values[0] : "";
    });
  }
  function setStatus(pos, css, message) {
    var status = document.getElementById("status-" + pos);
    if (status) { status.className = "small " + css; status.textContent = message; }
  }
  function markNav(pos) {
    var nav = document.querySelector("[data-nav='" + pos + "']");
    if (!nav) return;
    var answered = pairs(pos).some(function (p) { return p[1].trim() !== ""; });
    nav.classList.toggle("btn-primary", answered);
    nav.classList.toggle("btn-outline-secondary", !answered);
    var count = document.getElementById("answered-now");
    if (count) count.textContent = document.querySelectorAll("[data-nav].btn-primary").length;
  }
  function forget(pos, sent) {
    var pending = load();
    if (JSON.stringify(pending[pos]) === sent) { delete pending[pos]; store(pending); }
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var pos = positionOf(event.detail.elt);
    if (!pos) return;
    var answer = pairs(pos);
    event.detail.elt.dataset.sent = JSON.stringify(answer);
    var pending = load();
    pending[pos] = answer;
    store(pending);
    setStatus(pos, "text-body-secondary", text.saving);
    markNav(pos);
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    var pos = positionOf(event.detail.elt);
    var xhr = event.detail.xhr;
    if (!pos || !xhr || !event.detail.successful) return;
    var state = xhr.getResponseHeader("X-Answer-Status");
    // "refused" is a definite answer (shown on the page); only "retry" keeps the answer waiting.
    if (state === "saved" || state === "refused") forget(pos, event.detail.elt.dataset.sent);
  });
  // Only the save endpoint's own answer goes into the page. Any other 200 (the login page after the session
  // ended, a captive portal) would land inside the question: the answer waits on the device instead.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var pos = positionOf(event.detail.elt);
    var xhr = event.detail.xhr;
    if (!pos || !xhr || xhr.status >= 400) return;
    var state = xhr.getResponseHeader("X-Answer-Status");
    if (state) {
      // A refused "Check" answers with the status line only: it replaces the status, not the whole question.
      var status = document.getElementById("status-" + pos);
      if (state !== "saved" && event.detail.target === card(pos) && status) event.detail.target = status;
      return;
    }
    event.detail.shouldSwap = false;
    var asked = new URL(event.detail.requestConfig.path, window.location.href).pathname;
    var moved = Boolean(xhr.responseURL) && new URL(xhr.responseURL).pathname !== asked;
    setStatus(pos, "text-warning", moved ? form.dataset.signedOut : text.failed);
  });
  document.body.addEventListener("htmx:sendError", function (event) {
    var pos = positionOf(event.detail.elt);
    if (pos) setStatus(pos, "text-warning", text.offline);
  });
  document.body.addEventListener("htmx:responseError", function (event) {
    var pos = positionOf(event.detail.elt);
    if (pos) setStatus(pos, "text-warning", text.failed);
  });
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var pos = positionOf(event.detail.elt) || positionOf(event.target);
    if (pos && window.truonghocRenderMath) window.truonghocRenderMath(card(pos));
  });

  var sending = false;
  function resend() {
    var pending = load();
    var positions = Object.keys(pending);
    if (!positions.length || sending || navigator.onLine === false) return;
    sending = true;
    var chain = Promise.resolve();
    positions.forEach(function (pos) {
      chain = chain.then(function () {
        var box = card(pos);
        if (!box) { forget(pos, JSON.stringify(pending[pos])); return null; }
        var sent = JSON.stringify(pending[pos]);
        var body = new URLSearchParams();
        pending[pos].forEach(function (p) { body.append(p[0], p[1]); });
        return fetch(box.dataset.saveUrl, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "X-CSRFToken": csrf, "HX-Request": "true" },
        }).then(function (response) {
          if (!response.ok) { setStatus(pos, "text-warning", text.failed); return null; }
          var state = response.headers.get("X-Answer-Status");
          var redirect = response.headers.get("HX-Redirect");
          if (!state) {
            setStatus(pos, "text-warning", response.redirected ? form.dataset.signedOut : text.failed);
            return null;
          }
          return response.text().then(function (html) {
            if (state === "saved" || state === "refused") forget(pos, sent);
            var status = document.getElementById("status-" + pos);
            if (status) status.outerHTML = html;
            if (redirect) window.location.href = redirect;
          });
        });
      });
    });
    chain.catch(function () {
      positions.forEach(function (pos) { setStatus(pos, "text-warning", text.offline); });
    }).then(function () { sending = false; });
  }
  window.addEventListener("online", resend);
  window.setInterval(resend, 15000);

  // After a reload, or coming back to the page: answers never confirmed are put back and sent again.
  var waiting = load();
  Object.keys(waiting).forEach(function (pos) {
    restore(pos, waiting[pos]);
    markNav(pos);
    setStatus(pos, "text-warning", text.pending);
  });
  resend();

  form.addEventListener("change", function (event) {
    var pos = positionOf(event.target);
    if (pos) markNav(pos);
  });

  var timer = document.getElementById("attempt-timer");
  if (timer && timer.dataset.remaining !== "") {
    var end = Date.now() + parseInt(timer.dataset.remaining, 10) * 1000;
    var handedIn = false;
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      var hours = Math.floor(left / 3600);
      timer.textContent = (hours ? hours + ":" : "") + two(Math.floor((left % 3600) / 60)) + ":" + two(left % 60);
      var badge = timer.parentElement;
      badge.classList.toggle("text-bg-warning", left <= 300 && left > 60);
      badge.classList.toggle("text-bg-danger", left <= 60);
      badge.classList.toggle("text-bg-light", left > 300);
      if (left === 0 && !handedIn) {
        handedIn = true;
        // Hand in with every answer on the page; the server accepts it within its grace period.
        var then = document.createElement("input");
        then.type = "hidden";
        then.name = "then";
        then.value = "submit_now";
        form.appendChild(then);
        form.submit();
      }
    };
    tick();
    window.setInterval(tick, 1000);
  }
})();
