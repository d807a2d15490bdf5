// The material form's finder (templates/materials/material_form.html): a found item's button adds its number
// to the "items this lesson uses" field, once; Enter in the finder searches, it must not save the whole form.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-add-use]") : null;
    var field = document.getElementById("id_uses");
    if (!button || !field) return;
    var numbers = field.value.split(/[^0-9]+/).filter(Boolean);
    if (numbers.indexOf(button.dataset.addUse) === -1) numbers.push(button.dataset.addUse);
    field.value = numbers.join(", ");
    button.disabled = true;
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.id === "uses-q") event.preventDefault();
  });
})();
