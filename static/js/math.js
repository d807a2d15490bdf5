// Renders the LaTeX of question texts (class "math-text") with the KaTeX the portal serves. A formula
// KaTeX cannot read is shown in red with its message rather than breaking the page.
(function () {
  "use strict";
  var options = {
    delimiters: [
      { left: "$$", right: "$$", display: true },
      { left: "\\[", right: "\\]", display: true },
      { left: "\\(", right: "\\)", display: false },
      { left: "$", right: "$", display: false },
    ],
    throwOnError: false,
    trust: false,
  };
  function render(root) {
    if (typeof window.renderMathInElement !== "function" || !root || !root.querySelectorAll) return;
    var nodes = root.classList && root.classList.contains("math-text") ? [root] : [];
    nodes = nodes.concat(Array.prototype.slice.call(root.querySelectorAll(".math-text")));
    nodes.forEach(function (node) {
      if (node.dataset.mathDone) return;
      window.renderMathInElement(node, options);
      node.dataset.mathDone = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", function () { render(document.body); });
  document.addEventListener("htmx:afterSwap", function (event) { render(event.target); });
  window.truonghocRenderMath = render;
})();
