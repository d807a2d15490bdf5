// The question form (templates/materials/questions/question_form.html): shows only the answer fields of the
// chosen type (without script every section shows, and the server reads only the chosen type's), and
// previews the question's formulas with the KaTeX the page loads.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var typeSelect = document.querySelector("[data-question-type]");
  function showType() {
    var chosen = typeSelect ? typeSelect.value : "";
    document.querySelectorAll("[data-types]").forEach(function (section) {
      section.hidden = section.dataset.types.split(" ").indexOf(chosen) < 0;
    });
  }
  if (typeSelect) {
    typeSelect.addEventListener("change", showType);
    showType();
  }
  var source = document.querySelector("[data-math-source]");
  var preview = document.getElementById("stem-preview");
  var timer = null;
  if (source && preview) {
    source.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        preview.textContent = source.value;
        delete preview.dataset.mathDone;
        if (window.truonghocRenderMath) window.truonghocRenderMath(preview);
      }, 300);
    });
  }
});
