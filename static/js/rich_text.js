// Turns every <textarea data-rich-text> (truonghoc.forms.RichTextWidget) into a Quill editor with a small
// toolbar. Quill is loaded only on pages that have such a field, on load and after htmx swaps. The
// textarea stays in the form (hidden) and always holds the editor's HTML, so the form posts as before;
// without JavaScript it is simply a textarea. The server sanitises what arrives (truonghoc.richtext).
(function () {
  "use strict";
  var loading = null;
  var FORMATS = ["bold", "italic", "underline", "header", "list", "blockquote", "link"];
  var TOOLBAR = [
    ["bold", "italic", "underline"],
    [{ header: 2 }, { header: 3 }, { header: 4 }],
    [{ list: "ordered" }, { list: "bullet" }],
    ["blockquote", "link"],
    ["clean"],
  ];

  // A link typed as "moet.gov.vn" would otherwise point inside the portal: give it https://.
  function linksNeedAScheme() {
    var Link = window.Quill.import("formats/link");
    if (Link.truonghocPatched) return;
    var sanitize = Link.sanitize;
    Link.sanitize = function (url) {
      url = (url || "").trim();
      if (url && !/^([a-z][a-z0-9+.-]*:|\/|#)/i.test(url)) {
        url = (/^[^\s@\/]+@[^\s@\/]+\.[^\s@\/]+$/.test(url) ? "mailto:" : "https://") + url;
      }
      return sanitize.call(this, url);
    };
    Link.truonghocPatched = true;
  }

  function load(textarea) {
    if (window.Quill) return Promise.resolve();
    if (loading) return loading;
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = textarea.dataset.editorCss;
    document.head.appendChild(css);
    loading = new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = textarea.dataset.editorJs;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
    return loading;
  }

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // Older content may be plain text: its paragraphs and line breaks are kept, as on display.
  function asHtml(value) {
    if (/<[a-zA-Z\/!]/.test(value)) return value;
    return value
      .split(/\n{2,}/)
      .filter(function (p) { return p.trim(); })
      .map(function (p) { return "<p>" + escapeHtml(p).replace(/\n/g, "<br>") + "</p>"; })
      .join("");
  }

  function label(toolbar, selector, text) {
    var button = toolbar.querySelector(selector);
    if (button && text) {
      button.title = text;
      button.setAttribute("aria-label", text);
    }
  }

  function enhance(textarea) {
    if (textarea.dataset.richTextReady) return;
    textarea.dataset.richTextReady = "1";
    var labels = {};
    try { labels = JSON.parse(textarea.dataset.editorLabels || "{}"); } catch (e) { labels = {}; }
    var wrapper = document.createElement("div");
    wrapper.className = "rich-text-editor";
    var box = document.createElement("div");
    wrapper.appendChild(box);
    textarea.insertAdjacentElement("afterend", wrapper);
    ["visit", "enter", "edit", "save", "remove"].forEach(function (key) {
      if (labels[key]) wrapper.style.setProperty("--rt-" + key, JSON.stringify(labels[key]));
    });
    var quill = new window.Quill(box, {
      theme: "snow",
      formats: FORMATS,
      modules: { toolbar: TOOLBAR },
      placeholder: textarea.getAttribute("placeholder") || "",
    });
    var rows = parseInt(textarea.getAttribute("rows") || "6", 10);
    quill.root.style.minHeight = Math.max(4, rows) * 1.6 + "em";
    var toolbar = wrapper.querySelector(".ql-toolbar");
    label(toolbar, "button.ql-bold", labels.bold);
    label(toolbar, "button.ql-italic", labels.italic);
    label(toolbar, "button.ql-underline", labels.underline);
    label(toolbar, 'button.ql-header[value="2"]', labels.header2);
    label(toolbar, 'button.ql-header[value="3"]', labels.header3);
    label(toolbar, 'button.ql-header[value="4"]', labels.header4);
    label(toolbar, 'button.ql-list[value="ordered"]', labels.ordered);
    label(toolbar, 'button.ql-list[value="bullet"]', labels.bullet);
    label(toolbar, "button.ql-blockquote", labels.blockquote);
    label(toolbar, "button.ql-link", labels.link);
    label(toolbar, "button.ql-clean", labels.clean);
    var fieldLabel = document.querySelector('label[for="' + textarea.id + '"]');
    if (fieldLabel) {
      quill.root.setAttribute("aria-label", fieldLabel.textContent.replace("*", "").trim());
      fieldLabel.addEventListener("click", function () { quill.focus(); });
    }
    quill.root.setAttribute("role", "textbox");
    quill.root.setAttribute("aria-multiline", "true");
    if (textarea.classList.contains("is-invalid")) wrapper.classList.add("is-invalid");

    function fill(value) {
      quill.setContents(quill.clipboard.convert({ html: asHtml(value || "") }), "silent");
    }
    function sync() {
      // Quill writes spaces as &nbsp;; the server would turn them back, but the textarea stays readable.
      textarea.value = quill.getText().trim() ? quill.getSemanticHTML().replace(/&nbsp;/g, " ") : "";
    }
    fill(textarea.value);
    quill.on("text-change", sync);
    textarea.hidden = true;
    textarea.removeAttribute("required");  // the server says what is missing, in the page's language
    var form = textarea.form;
    if (form) {
      form.addEventListener("submit", sync, true);
      form.addEventListener("reset", function () {
        setTimeout(function () { fill(textarea.value); }, 0);
      });
    }
  }

  function scan(root) {
    if (!root || !root.querySelectorAll) return;
    var fields = Array.prototype.slice.call(root.querySelectorAll("textarea[data-rich-text]"));
    if (root.matches && root.matches("textarea[data-rich-text]")) fields.push(root);
    fields = fields.filter(function (t) { return !t.dataset.richTextReady; });
    if (!fields.length) return;
    load(fields[0]).then(
      function () { linksNeedAScheme(); fields.forEach(enhance); },
      function () { /* the editor could not load: the textarea stays and works */ }
    );
  }

  document.addEventListener("DOMContentLoaded", function () { scan(document.body); });
  document.addEventListener("htmx:load", function (event) { scan(event.target); });
})();
