/* Customer portal: KB suggestions while typing a subject, the deflection beacon, a draft kept
   in sessionStorage (so leaving to read an article loses nothing), and small conveniences.
   Everything works without this file; it only adds. */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function articleUrl(article) {
    return article.url || article.html_url || ("/kb/" + encodeURIComponent(article.slug) + "/");
  }

  function setupSuggestions(form) {
    var subject = form.querySelector("[name=subject]");
    var box = document.getElementById("kb-suggestions");
    if (!subject || !box || !window.fetch) return;
    var list = box.querySelector("ul");
    var timer = null;
    var lastQuery = "";
    var searchId = "";
    var shown = 0;

    function render(articles) {
      list.textContent = "";
      shown = articles.length;
      articles.forEach(function (article) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = articleUrl(article);
        link.textContent = article.title;
        link.dataset.slug = article.slug || "";
        item.appendChild(link);
        if (article.excerpt) {
          var excerpt = document.createElement("small");
          excerpt.textContent = article.excerpt;
          item.appendChild(excerpt);
        }
        list.appendChild(item);
      });
      box.hidden = articles.length === 0;
    }

    function lookup() {
      var query = subject.value.trim();
      if (query === lastQuery) return;
      lastQuery = query;
      if (query.length < 3) { render([]); return; }
      fetch(form.dataset.suggestUrl + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (!data || query !== lastQuery) return;
        var articles = Array.isArray(data) ? data : (data.results || []);
        searchId = (data && !Array.isArray(data) && (data.search_id || data.search)) || "";
        render(articles.slice(0, 5));
      }).catch(function () { render([]); });
    }

    subject.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookup, 300);
    });
    // After a validation error, focus sits on the invalid field: a box opening above it now
    // would push it out of view, so suggestions wait for the next keystroke.
    if (subject.value.trim() && !form.querySelector("[aria-invalid=true]")) lookup();

    // Opening a suggestion and leaving is a deflection: tell the server before navigating.
    list.addEventListener("click", function (event) {
      var link = event.target.closest("a");
      if (!link) return;
      var body = new FormData();
      body.append("csrfmiddlewaretoken", csrfToken(form));
      body.append("slug", link.dataset.slug);
      body.append("q", lastQuery);
      body.append("search_id", searchId);
      body.append("count", String(shown));
      if (navigator.sendBeacon) {
        navigator.sendBeacon(form.dataset.openedUrl, body);
      } else {
        fetch(form.dataset.openedUrl, { method: "POST", body: body, credentials: "same-origin", keepalive: true });
      }
    });
  }

  // Keep what was typed (not files) in this tab's sessionStorage until the form is sent.
  function setupDraft(form) {
    var key = form.dataset.draftKey;
    if (!key || !window.sessionStorage) return;
    var fields = Array.prototype.filter.call(form.elements, function (el) {
      return el.name && (el.type === "text" || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
    });
    var saved = {};
    try { saved = JSON.parse(sessionStorage.getItem(key) || "{}"); } catch (e) { saved = {}; }
    var serverFilled = fields.some(function (el) { return el.value && el.tagName !== "SELECT"; });
    if (!serverFilled) {
      fields.forEach(function (el) { if (saved[el.name]) el.value = saved[el.name]; });
    }
    form.addEventListener("input", function () {
      var draft = {};
      fields.forEach(function (el) { draft[el.name] = el.value; });
      sessionStorage.setItem(key, JSON.stringify(draft));
    });
    form.addEventListener("submit", function () { sessionStorage.removeItem(key); });
  }

  // A form sent back with errors: focus the first invalid field (a radio group's first option)
  // and bring it into the middle of the view; the summary's links do the same for each field.
  function invalidControl(id) {
    var el = id ? document.getElementById(id) : document.querySelector("main [aria-invalid=true], main fieldset.has-error");
    if (el && el.tagName === "FIELDSET") el = el.querySelector("input:checked") || el.querySelector("input");
    return el;
  }

  function focusControl(el) {
    if (!el) return false;
    el.focus({ preventScroll: true });
    el.scrollIntoView({ block: "center" });
    return true;
  }

  function setupErrorFocus() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    if (!focusControl(invalidControl())) focusControl(summary);
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      if (focusControl(invalidControl(link.getAttribute("href").slice(1)))) event.preventDefault();
    });
  }

  function setupAutosubmit() {
    document.querySelectorAll("form[data-autosubmit] select").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("new-ticket-form");
    if (form) {
      setupDraft(form);
      setupSuggestions(form);
    }
    setupAutosubmit();
    setupErrorFocus();
  });
})();
