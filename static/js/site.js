// The small behaviours every page may use, declared in the templates with data-* attributes, because the
// Content-Security-Policy runs no inline script and no on…= / hx-on attribute. Listeners sit on the
// document, so content htmx swaps in later works the same.
//
//   <form data-confirm="Question?">        asks before sending; "Cancel" sends nothing
//   <button data-confirm="Question?">      the same, only when the form is sent with that button
//   <form data-submit-once>                 its submit button is disabled once it is sent (no double post)
//   <select data-autosubmit>                changing it sends its form
//   <button data-print>                     prints the page
//   <input data-select-on-click>            a click selects its whole text (a link to copy)
//   <form data-reset-after-swap="posts">    after an htmx request that succeeded and filled #posts, empty the form
//   <div data-progress="42">                a progress bar's width, in percent
//   <details id="x">                        opened when the address ends with #x
//   <div data-forget-attempt="12">          answers kept on this device for attempt 12 are dropped
(function () {
  "use strict";

  // Capture phase: the question comes before any other submit listener (data-submit-once, rich text).
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var button = event.submitter;
      var ask = (button && button.dataset && button.dataset.confirm) || (form.dataset && form.dataset.confirm);
      if (ask && !window.confirm(ask)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form.hasAttribute || !form.hasAttribute("data-submit-once")) return;
    var button = form.querySelector("[type=submit]");
    if (button) button.disabled = true;
  });

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.hasAttribute && field.hasAttribute("data-autosubmit") && field.form) field.form.submit();
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest) return;
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    var field = target.closest("[data-select-on-click]");
    if (field && field.select) field.select();
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.target;
    var detail = event.detail || {};
    if (!form.dataset || !form.dataset.resetAfterSwap || form.tagName !== "FORM") return;
    if (detail.successful && detail.target && detail.target.id === form.dataset.resetAfterSwap) form.reset();
  });

  function progress(root) {
    var bars = Array.prototype.slice.call(root.querySelectorAll("[data-progress]"));
    if (root.matches && root.matches("[data-progress]")) bars.push(root);
    bars.forEach(function (bar) {
      var value = parseFloat(bar.dataset.progress);
      bar.style.width = Math.min(100, Math.max(0, isNaN(value) ? 0 : value)) + "%";
    });
  }

  function forgetAttempts(root) {
    root.querySelectorAll("[data-forget-attempt]").forEach(function (node) {
      try {
        window.localStorage.removeItem("truonghoc:attempt:" + node.dataset.forgetAttempt);
      } catch (e) {
        /* private browsing: nothing was kept */
      }
    });
  }

  function openFromHash() {
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target && target.tagName === "DETAILS") target.open = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    progress(document.body);
    forgetAttempts(document.body);
    openFromHash();
  });
  document.addEventListener("htmx:load", function (event) {
    if (event.target && event.target.querySelectorAll) progress(event.target);
  });
  window.addEventListener("hashchange", openFromHash);
})();
