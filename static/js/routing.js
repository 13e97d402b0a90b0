/* Routing in the desk: ask before assigning a ticket to an agent at capacity. */
(function () {
  "use strict";
  document.addEventListener("change", function (evt) {
    var select = evt.target;
    if (!select.matches || !select.matches("select[data-over-capacity]")) { return; }
    var option = select.options[select.selectedIndex];
    if (!option || !option.dataset.full) { select.dataset.previous = select.value; return; }
    if (!window.confirm(option.dataset.full + " " + select.dataset.overCapacity)) {
      // Captured before htmx sees the change: nothing is sent.
      evt.stopImmediatePropagation();
      evt.preventDefault();
      var previous = select.querySelector("option[selected]");
      select.value = previous ? previous.value : "";
    }
  }, true);
  document.addEventListener("submit", function (evt) {
    var select = evt.target.querySelector && evt.target.querySelector("select[data-over-capacity]");
    if (!select) { return; }
    var option = select.options[select.selectedIndex];
    if (option && option.dataset.full && !window.confirm(option.dataset.full + " " + select.dataset.overCapacity)) {
      evt.preventDefault();
    }
  }, true);
})();
