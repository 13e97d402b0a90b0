/* Light / dark theme: follows prefers-color-scheme until the user picks one with a
 * [data-theme-switch] button; the choice is remembered in localStorage. Loaded in <head>
 * (not deferred) so the page paints in the right theme at once. */
/* Translations: the JavaScript catalog (/i18n/js/<language>/, Django's JavaScriptCatalog of
 * the djangojs domain) is loaded just before this file and defines gettext, ngettext,
 * pgettext and interpolate for every script; without it, scripts speak English. */
if (typeof window.gettext !== "function") {
  window.gettext = function (text) { return text; };
  window.ngettext = function (one, many, count) { return count === 1 ? one : many; };
  window.pgettext = function (context, text) { return text; };
  window.interpolate = function (format, values, named) {
    if (named) {
      return format.replace(/%\((\w+)\)s/g, function (match, name) { return String(values[name]); });
    }
    let index = 0;
    return format.replace(/%s/g, function () { return String(values[index++]); });
  };
}

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
    button.textContent = dark ? button.dataset.lightLabel || gettext("Light theme") : button.dataset.darkLabel || gettext("Dark theme");
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
