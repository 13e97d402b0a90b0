/* Light / dark theme: follows prefers-color-scheme until the user picks one with a
 * [data-theme-switch] button; the choice is remembered in localStorage. Loaded in <head>
 * (not deferred) so the page paints in the right theme at once. */
(function () {
  "use strict";
  const KEY = "panel1-theme";
  const root = document.documentElement;

  function stored() {
    try { return localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function effective() {
    const chosen = root.dataset.theme;
    if (chosen === "dark" || chosen === "light") return chosen;
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }
  const saved = stored();
  if (saved === "dark" || saved === "light") root.dataset.theme = saved;

  function label(button) {
    const dark = effective() === "dark";
    button.setAttribute("aria-pressed", dark ? "true" : "false");
    button.textContent = dark ? button.dataset.lightLabel || "Light theme" : button.dataset.darkLabel || "Dark theme";
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-theme-switch]").forEach(function (button) {
      button.hidden = false;
      label(button);
      button.addEventListener("click", function () {
        const next = effective() === "dark" ? "light" : "dark";
        root.dataset.theme = next;
        try { localStorage.setItem(KEY, next); } catch (e) { /* private mode: this page only */ }
        document.querySelectorAll("[data-theme-switch]").forEach(label);
      });
    });
    if (window.matchMedia) {
      window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function () {
        document.querySelectorAll("[data-theme-switch]").forEach(label);
      });
    }
  });
})();
