// The grade book's entry grid (templates/gradebook/grid_page.html): arrow keys, Enter and Tab move between
// cells; a column pasted from Excel or Sheets fills down (and across) from the focused cell; each cell is
// checked as typed (0–10, one decimal, comma or dot) and saved on its own to the JSON endpoint, showing
// saving… / saved ✓ / the refusal. The server's answer gives the row's average. A save that failed on the
// network is retried and counted in the banner; leaving the page with unsaved cells asks first. The server
// checks everything again (services.mark_set); this script only saves people a round trip.
(function () {
  "use strict";
  var table = document.getElementById("gb-grid");
  if (!table || table.dataset.editable !== "1") return;
  var text = JSON.parse(document.getElementById("gb-grid-text").textContent);
  var csrf = table.querySelector("[name=csrfmiddlewaretoken]").value;
  var url = table.dataset.saveUrl;
  // Per cell, not per grid: a SELECT holds a level (Đạt / Chưa đạt, or a primary subject's Mức), an INPUT
  // a mark checked as typed. A primary grid has both.
  function isLevel(field) { return field.tagName === "SELECT"; }
  var unsaved = new Set();

  function rows() { return Array.prototype.slice.call(table.querySelectorAll("tbody tr[data-student]")); }
  function inputsOf(tr) { return Array.prototype.slice.call(tr.querySelectorAll("td.gb-cell")); }
  function fieldOf(td) { return td ? td.querySelector("[data-gb-cell]") : null; }
  function position(field) {
    var td = field.closest("td"), tr = td.closest("tr");
    return { r: rows().indexOf(tr), c: inputsOf(tr).indexOf(td) };
  }
  function cellAt(r, c) {
    var all = rows();
    if (r < 0 || r >= all.length) return null;
    var tds = inputsOf(all[r]);
    return c >= 0 && c < tds.length ? tds[c] : null;
  }
  function focusAt(r, c) {
    var field = fieldOf(cellAt(r, c));
    if (field) { field.focus(); if (field.select) field.select(); }
    return field;
  }

  // The same reading as services.read_gradebook_mark: "" is an empty cell; else digits with one comma or dot.
  function check(raw) {
    var value = (raw || "").replace(/[\s\u00a0]/g, "");
    if (!value) return { ok: true, value: "" };
    if (!/^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(value)) return { ok: false, message: text.not_a_number };
    var number = parseFloat(value.replace(",", "."));
    if (number < 0 || number > 10) return { ok: false, message: text.out_of_range };
    var decimals = (value.split(/[.,]/)[1] || "").replace(/0+$/, "");
    if (decimals.length > 1) return { ok: false, message: text.too_precise };
    return { ok: true, value: value };
  }

  function banner() {
    var box = document.getElementById("gb-unsaved");
    var n = unsaved.size;
    box.classList.toggle("d-none", n === 0);
    box.textContent = n === 1 ? text.unsaved_one : text.unsaved_many.replace("%(n)s", n);
  }
  function setUnsaved(field, yes) {
    if (yes) unsaved.add(field); else unsaved.delete(field);
    banner();
  }
  function state(field, kind, message, action) {
    var box = field.closest("td").querySelector(".gb-state");
    field.classList.toggle("gb-error", kind === "error");
    field.classList.toggle("is-invalid", kind === "error");
    field.classList.toggle("gb-saved", kind === "saved");
    field.closest("td").dataset.state = kind;
    box.className = "gb-state small d-block " + (kind === "error" ? "text-danger" : kind === "saved" ? "text-success" : "text-body-secondary");
    box.textContent = "";
    if (kind === "saved") box.textContent = "✓";
    else if (message) box.textContent = message;
    if (action) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-link btn-sm p-0 d-block mx-auto";
      button.textContent = action.label;
      button.dataset.testid = "cell-retry";
      button.addEventListener("click", action.run);
      box.appendChild(button);
    }
  }

  function save(field, attempt) {
    attempt = attempt || 0;
    var typed = field.value;
    if (field.dataset.busy === "1") { field.dataset.again = "1"; return; }
    if (!isLevel(field)) {
      var checked = check(typed);
      if (!checked.ok) { state(field, "error", checked.message); setUnsaved(field, true); return; }
      if (typed.trim() === field.dataset.saved) { state(field, "", ""); setUnsaved(field, false); return; }
    } else if (typed === field.dataset.saved) { return; }
    var td = field.closest("td"), tr = td.closest("tr");
    var body = new FormData();
    body.append("student", tr.dataset.student);
    body.append("kind", field.dataset.kind);
    body.append("index", field.dataset.index);
    body.append("version", field.dataset.version);
    body.append(isLevel(field) ? "level" : "value", typed.trim());
    field.dataset.busy = "1";
    setUnsaved(field, true);
    state(field, "saving", text.saving);
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf } })
      .then(function (response) {
        if (response.status >= 500) throw new Error("server " + response.status);
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (answer) {
        field.dataset.busy = "";
        var data = answer.data;
        if (data.ok) {
          field.dataset.saved = data.value_text;
          field.dataset.version = data.version;
          if (field.value === typed) field.value = data.value_text;
          tr.querySelector("[data-average]").textContent = data.average_text;
          if (field.dataset.again === "1" && field.value !== typed) { field.dataset.again = ""; save(field); return; }
          state(field, "saved", "");
          setUnsaved(field, false);
        } else if (data.stale) {
          // Someone else saved this cell: show theirs, keep ours visibly so it can still win.
          field.dataset.saved = data.value_text;
          field.dataset.version = data.version;
          field.value = data.value_text;
          state(field, "error", data.message + " " + text.yours + " " + typed, {
            label: text.use_mine,
            run: function () { field.value = typed; save(field); },
          });
          setUnsaved(field, true);
        } else {
          state(field, "error", data.message);
          setUnsaved(field, true);
        }
        field.dataset.again = "";
      })
      .catch(function () {
        field.dataset.busy = "";
        var delay = Math.min(30000, 1000 * Math.pow(2, attempt));
        state(field, "error", text.offline, { label: text.retry, run: function () { save(field); } });
        setUnsaved(field, true);
        window.setTimeout(function () { if (unsaved.has(field) && field.value === typed) save(field, attempt + 1); }, delay);
      });
  }

  table.addEventListener("change", function (event) {
    var field = event.target.closest("[data-gb-cell]");
    if (field) save(field);
  });
  table.addEventListener("input", function (event) {
    var field = event.target.closest("[data-gb-cell]");
    if (!field || isLevel(field)) return;
    var checked = check(field.value);
    if (!checked.ok) { state(field, "error", checked.message); setUnsaved(field, true); }
    else if (field.closest("td").dataset.state === "error") { state(field, "", ""); }
  });

  table.addEventListener("keydown", function (event) {
    var field = event.target.closest("[data-gb-cell]");
    if (!field) return;
    var at = position(field), move = null;
    var caretStart = field.tagName !== "INPUT" || (field.selectionStart === 0 && field.selectionEnd === 0);
    var caretEnd = field.tagName !== "INPUT" || field.selectionEnd === field.value.length;
    if (event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey)) move = [1, 0];
    else if (event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey)) move = [-1, 0];
    else if (event.key === "ArrowLeft" && caretStart) move = [0, -1];
    else if (event.key === "ArrowRight" && caretEnd) move = [0, 1];
    if (!move) return;
    event.preventDefault();
    if (field.tagName === "INPUT" && field.value.trim() !== field.dataset.saved) save(field);
    focusAt(at.r + move[0], at.c + move[1]);
  });
  // Tab and Shift+Tab follow the page order (row by row); leaving a cell saves it through "change".

  table.addEventListener("paste", function (event) {
    var field = event.target.closest("[data-gb-cell]");
    if (!field || isLevel(field)) return;
    var data = (event.clipboardData || window.clipboardData).getData("text/plain") || "";
    event.preventDefault();
    var lines = data.replace(/\r\n?/g, "\n").replace(/\n+$/, "").split("\n");
    if (!data.trim()) return; // an empty paste changes nothing
    var at = position(field);
    lines.forEach(function (line, dr) {
      line.split("\t").forEach(function (value, dc) {
        var target = fieldOf(cellAt(at.r + dr, at.c + dc));
        if (!target || target.tagName !== "INPUT") return;
        target.value = value.trim();
        save(target);
      });
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (unsaved.size === 0) return;
    event.preventDefault();
    event.returnValue = text.leave;
    return text.leave;
  });
})();
