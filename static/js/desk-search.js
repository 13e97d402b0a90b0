/* Panel1 desk search box: suggestions as you type (htmx fetches them, debounced by
   hx-trigger="input changed delay:250ms"); this file makes them usable from the keyboard:
   ArrowDown from the box into the list, arrows within it, Escape back, closed when focus
   leaves. Static file, no inline script (CSP). */
(function () {
  "use strict";

  function box() { return document.getElementById("search-suggestions"); }
  function input() { return document.getElementById("desk-q"); }
  function options() {
    var list = box();
    return list ? Array.prototype.slice.call(list.querySelectorAll("a[role=option]")) : [];
  }
  function close() {
    var list = box(), field = input();
    if (list) { list.textContent = ""; }
    if (field) { field.setAttribute("aria-expanded", "false"); }
  }

  document.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.target !== box()) { return; }
    var field = input();
    if (field) { field.setAttribute("aria-expanded", options().length ? "true" : "false"); }
  });

  document.addEventListener("keydown", function (evt) {
    var field = input(), items = options();
    if (!field) { return; }
    var index = items.indexOf(document.activeElement);
    if (document.activeElement === field && evt.key === "ArrowDown" && items.length) {
      evt.preventDefault();
      items[0].focus();
    } else if (index !== -1 && evt.key === "ArrowDown") {
      evt.preventDefault();
      items[Math.min(index + 1, items.length - 1)].focus();
    } else if (index !== -1 && evt.key === "ArrowUp") {
      evt.preventDefault();
      if (index === 0) { field.focus(); } else { items[index - 1].focus(); }
    } else if ((index !== -1 || document.activeElement === field) && evt.key === "Escape") {
      close();
      field.focus();
    }
  });

  document.addEventListener("focusout", function (evt) {
    var form = input() && input().form;
    if (!form || !form.contains(evt.target)) { return; }
    setTimeout(function () {
      if (!form.contains(document.activeElement)) { close(); }
    }, 150);
  });
})();
