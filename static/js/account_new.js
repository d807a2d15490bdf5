// Issuing one account (templates/accounts/account_new.html): the class field shows for a student and the
// group field for a teacher (both stay in the page without JavaScript).
(function () {
  "use strict";
  var radios = document.querySelectorAll('input[name="account_type"]');
  function update() {
    var checked = document.querySelector('input[name="account_type"]:checked');
    var kind = checked ? checked.value : "";
    document.querySelectorAll("[data-for]").forEach(function (el) {
      el.hidden = Boolean(kind) && el.dataset.for !== kind;
    });
  }
  radios.forEach(function (radio) {
    radio.addEventListener("change", update);
  });
  update();
})();
