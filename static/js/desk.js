/* Panel1 desk: keyboard shortcuts, conditional polling, drafts, presence, canned responses.
   No framework; htmx (loaded by base.html) does the requests and swaps. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var etags = {};
  var csrf = (function () {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
    catch (e) { return ""; }
  })();

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function typing(el) {
    if (!el) { return false; }
    if (el.tagName === "INPUT") { return !/^(checkbox|radio|button|submit|reset)$/.test(el.type); }
    return el.isContentEditable || /^(TEXTAREA|SELECT)$/.test(el.tagName);
  }
  function post(url, data) {
    var body = new FormData();
    Object.keys(data).forEach(function (k) { body.append(k, data[k]); });
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "HX-Request": "true" } });
  }

  /* ---- Conditional polling: If-None-Match out, 304 in = nothing to swap. ---- */
  function setupHtmx() {
    if (!window.htmx) { return; }
    htmx.config.responseHandling.unshift({ code: "304", swap: false });
    $all("[data-etag]").forEach(function (el) { if (el.id) { etags[el.id] = el.dataset.etag; } });
    document.body.addEventListener("htmx:configRequest", function (evt) {
      var el = evt.detail.elt;
      if (evt.detail.verb === "get" && el.id && etags[el.id]) {
        evt.detail.headers["If-None-Match"] = etags[el.id];
      }
    });
    document.body.addEventListener("htmx:afterRequest", function (evt) {
      var el = evt.detail.elt, xhr = evt.detail.xhr;
      if (el && el.id && xhr && xhr.status === 200) {
        var tag = xhr.getResponseHeader("ETag");
        if (tag) { etags[el.id] = tag; }
      }
    });
    // Never pull a panel out from under the agent's cursor.
    document.body.addEventListener("htmx:oobBeforeSwap", function (evt) {
      var target = evt.detail.target;
      if (target && target.contains(document.activeElement) && document.activeElement !== document.body) {
        evt.detail.shouldSwap = false;
      }
    });
    document.body.addEventListener("htmx:beforeSwap", function (evt) {
      if (evt.detail.target && evt.detail.target.id === "queue-table") { rememberQueue(); }
    });
    document.body.addEventListener("htmx:afterSwap", function (evt) {
      var target = evt.detail.target;
      if (!target) { return; }
      if (target.id === "queue-table" || $("#queue-table") && !document.contains(target)) { restoreQueue(); rememberQueueList(); }
      if (target.id === "reply" || $("#reply") && $("#reply").contains(target)) { afterReplySwap(); }
      if (target.id === "ticket-live") { document.dispatchEvent(new CustomEvent("desk:live-updated")); }
    });
  }

  /* ---- Queues: cursor, selection, bulk bar. ---- */
  var queueMemory = { cursor: null, checked: [] };
  function rows() { return $all("#queue-table tbody tr[data-id]"); }
  function cursorRow() { return $("#queue-table tbody tr.cursor"); }
  function rememberQueue() {
    var c = cursorRow();
    queueMemory.cursor = c ? c.dataset.id : null;
    queueMemory.checked = $all("#queue-table input[name=tickets]:checked").map(function (i) { return i.value; });
  }
  function restoreQueue() {
    rows().forEach(function (row) {
      var box = $("input[name=tickets]", row);
      if (box && queueMemory.checked.indexOf(box.value) >= 0) { box.checked = true; }
      if (row.dataset.id === queueMemory.cursor) { row.classList.add("cursor"); }
    });
    updateBulk();
  }
  function moveCursor(step) {
    var list = rows();
    if (!list.length) { return; }
    var current = cursorRow(), index = list.indexOf(current);
    var next = list[Math.max(0, Math.min(list.length - 1, index < 0 ? 0 : index + step))];
    if (current) { current.classList.remove("cursor"); }
    next.classList.add("cursor");
    next.scrollIntoView({ block: "nearest" });
    var link = $(".col-subject a", next);
    if (link) { link.focus({ preventScroll: true }); }
  }
  function updateBulk() {
    var checked = $all("#queue-table input[name=tickets]:checked");
    rows().forEach(function (r) {
      var box = $("input[name=tickets]", r);
      r.classList.toggle("selected", !!(box && box.checked));
    });
    var label = $("#bulk-count");
    if (label) {
      label.textContent = checked.length ? interpolate(ngettext("%(count)s selected", "%(count)s selected", checked.length), { count: checked.length }, true) : gettext("Select tickets for a bulk action");
    }
  }
  function showBulkFields() {
    var select = $("[data-bulk-action]");
    if (!select) { return; }
    $all("[data-bulk-for]").forEach(function (span) {
      span.hidden = span.dataset.bulkFor.split(" ").indexOf(select.value) < 0;
    });
  }
  document.addEventListener("change", function (evt) {
    var t = evt.target;
    if (t.matches("[data-select-all]")) {
      $all("#queue-table input[name=tickets]").forEach(function (b) { b.checked = t.checked; });
    }
    if (t.matches("#queue-table input[name=tickets], [data-select-all]")) { updateBulk(); }
    if (t.matches("[data-bulk-action]")) { showBulkFields(); }
    if (t.matches("#reply-form [name=internal]")) { replyKind(); }
    if (t.matches("#reply-form [name=internal], #reply-form [name=status_after]")) { scheduleDraft(); }
  });
  document.addEventListener("click", function (evt) {
    var row = evt.target.closest("#queue-table tbody tr[data-href]");
    if (row && !evt.target.closest("a, input, button, label")) {
      window.location.href = row.dataset.href;
    }
    var canned = evt.target.closest("[data-canned-insert]");
    if (canned) { pickCanned(canned); }
    if (evt.target.closest("[data-macro-clear]")) { setMacro(null); }
    var kb = evt.target.closest("[data-insert-link]");
    if (kb) {
      var url = new URL(kb.dataset.url, window.location.href).href;
      insertText("[" + kb.dataset.title + "](" + url + ")");
    }
    if (evt.target.closest("[data-shortcuts-open]")) { openHelp(); }
  });
  /* ---- Canned responses and macros: type to filter, arrows, Enter, Escape; closes when
     focus leaves. A macro's actions go with the reply (hidden "macro" field). ---- */
  function closeCanned() {
    var results = $("#canned-results"), input = $("#canned-q");
    if (results) { results.innerHTML = ""; }
    if (input) { input.setAttribute("aria-expanded", "false"); }
  }
  function setMacro(button) {
    var field = $("#id_macro"), chip = $("#macro-chip");
    if (!field || !chip) { return; }
    field.value = button ? button.dataset.cannedId : "";
    chip.hidden = !button;
    $("#macro-chip-text").textContent = button ? interpolate(gettext("Macro “%(title)s” on send: %(macro)s"), { title: button.dataset.title, macro: button.dataset.macro }, true) : "";
  }
  function pickCanned(button) {
    closeCanned();
    insertText(button.dataset.text);
    if (button.dataset.macro) { setMacro(button); }
    else { post("/desk/canned/" + button.dataset.cannedId + "/used/", {}); }
  }
  document.addEventListener("keydown", function (evt) {
    if (!evt.target.matches("#canned-q, #canned-results .canned-item")) { return; }
    var items = $all("#canned-results .canned-item");
    var index = items.indexOf(document.activeElement);
    if (evt.key === "ArrowDown" && items.length) {
      evt.preventDefault(); items[Math.min(items.length - 1, index + 1)].focus();
    } else if (evt.key === "ArrowUp" && items.length) {
      evt.preventDefault();
      if (index <= 0) { $("#canned-q").focus(); } else { items[index - 1].focus(); }
    } else if (evt.key === "Enter") {
      evt.preventDefault();
      var chosen = index >= 0 ? items[index] : items[0];
      if (chosen) { pickCanned(chosen); }
    } else if (evt.key === "Escape") {
      evt.preventDefault(); closeCanned(); $("#canned-q").focus();
    }
  });
  document.addEventListener("focusout", function (evt) {
    var box = evt.target.closest && evt.target.closest(".canned");
    if (!box) { return; }
    setTimeout(function () { if (!box.contains(document.activeElement)) { closeCanned(); } }, 150);
  });
  document.addEventListener("htmx:afterSwap", function (evt) {
    if (evt.detail.target && evt.detail.target.id === "canned-results") {
      var input = $("#canned-q");
      if (input) { input.setAttribute("aria-expanded", $all("#canned-results .canned-item").length ? "true" : "false"); }
    }
  });

  /* ---- @mentions in internal notes: suggestions after "@", arrows/Enter or click. ---- */
  var mentionTimer = null;
  function mentionQuery() {
    var area = textarea();
    if (!area || !$("#kind-note") || !$("#kind-note").checked) { return null; }
    var before = area.value.slice(0, area.selectionStart || 0);
    var match = /(^|\s)@([^\s@]{0,40})$/.exec(before);
    return match ? match[2] : null;
  }
  function closeMentions() { var box = $("#mention-results"); if (box) { box.innerHTML = ""; } }
  function insertMention(email) {
    var area = textarea(), caret = area.selectionStart || 0;
    var before = area.value.slice(0, caret).replace(/@([^\s@]{0,40})$/, "@" + email + " ");
    area.value = before + area.value.slice(caret);
    area.focus();
    area.selectionStart = area.selectionEnd = before.length;
    closeMentions();
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }
  document.addEventListener("input", function (evt) {
    if (!evt.target.matches("#reply-form textarea[name=content]")) { return; }
    var query = mentionQuery();
    clearTimeout(mentionTimer);
    if (query === null) { closeMentions(); return; }
    mentionTimer = setTimeout(function () {
      var url = evt.target.dataset.mentionUrl + "?q=" + encodeURIComponent(query);
      fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { if (mentionQuery() !== null) { $("#mention-results").innerHTML = html; } });
    }, 150);
  });
  document.addEventListener("click", function (evt) {
    var pick = evt.target.closest("[data-mention]");
    if (pick) { insertMention(pick.dataset.mention); }
  });
  document.addEventListener("keydown", function (evt) {
    var items = $all("#mention-results [data-mention]");
    if (!items.length || !evt.target.matches("#reply-form textarea, #mention-results [data-mention]")) { return; }
    var index = items.indexOf(document.activeElement);
    if (evt.key === "ArrowDown") { evt.preventDefault(); items[Math.min(items.length - 1, index + 1)].focus(); }
    else if (evt.key === "ArrowUp" && index >= 0) { evt.preventDefault(); if (index === 0) { textarea().focus(); } else { items[index - 1].focus(); } }
    else if (evt.key === "Enter" && !(evt.ctrlKey || evt.metaKey)) {
      evt.preventDefault(); insertMention((index >= 0 ? items[index] : items[0]).dataset.mention);
    } else if (evt.key === "Escape") { evt.preventDefault(); closeMentions(); textarea().focus(); }
  });

  /* ---- New ticket: pick the requester from the suggestions (mouse or arrows + Enter). ---- */
  function pickRequester(button) {
    $("#id_requester").value = button.dataset.pickRequester;
    $("#requester-label").textContent = button.dataset.label;
    $("#requester-chosen").hidden = false;
    $("#requester-find").hidden = true;
    $("#requester-results").innerHTML = "";
    var subject = $("#id_subject");
    if (subject) { subject.focus(); }
  }
  document.addEventListener("click", function (evt) {
    var pick = evt.target.closest("[data-pick-requester]");
    if (pick) { pickRequester(pick); }
    if (evt.target.closest("[data-requester-clear]")) {
      $("#id_requester").value = "";
      $("#requester-chosen").hidden = true;
      $("#requester-find").hidden = false;
      $("#requester-q").focus();
    }
  });
  document.addEventListener("keydown", function (evt) {
    if (!evt.target.matches("#requester-q, #requester-results .pick-item")) { return; }
    var items = $all("#requester-results .pick-item");
    var index = items.indexOf(document.activeElement);
    if (evt.key === "ArrowDown" && items.length) {
      evt.preventDefault(); items[Math.min(items.length - 1, index + 1)].focus();
    } else if (evt.key === "ArrowUp" && items.length) {
      evt.preventDefault();
      if (index <= 0) { $("#requester-q").focus(); } else { items[index - 1].focus(); }
    } else if (evt.key === "Enter" && evt.target.matches("#requester-q")) {
      evt.preventDefault(); if (items.length) { pickRequester(items[0]); }
    } else if (evt.key === "Escape") {
      $("#requester-results").innerHTML = ""; $("#requester-q").focus();
    }
  });

  /* ---- Dialogs (merge preview): htmx loads the content, <dialog> shows it. ---- */
  function openDialog(url) {
    var dialog = $("#desk-dialog");
    if (!dialog || !window.htmx) { window.location.href = url; return; }
    htmx.ajax("GET", url, { target: "#merge-body", swap: "outerHTML" }).then(function () {
      if (!dialog.open) { dialog.showModal(); }
      var first = $("#merge-body input[name=target]");
      if (first) { first.focus(); }
    });
  }
  function mergeUrl(ids, extra) {
    var params = new URLSearchParams();
    ids.forEach(function (id) { params.append("tickets", id); });
    Object.keys(extra || {}).forEach(function (k) { if (extra[k]) { params.append(k, extra[k]); } });
    return "/desk/merge/?" + params.toString();
  }
  document.addEventListener("click", function (evt) {
    var opener = evt.target.closest("[data-merge-open]");
    if (opener) { evt.preventDefault(); openDialog(mergeUrl([opener.dataset.mergeOpen])); }
    if (evt.target.closest("[data-dialog-close]")) {
      var dialog = evt.target.closest("dialog");
      if (dialog) { dialog.close(); } else { window.history.back(); }
    }
  });
  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Enter" && evt.target.matches("#merge-add")) {
      evt.preventDefault();
      var add = evt.target.parentNode.querySelector("button");
      if (add) { add.click(); }
    }
  });
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (form.id === "bulk-form" && $("[data-bulk-action]", form).value === "merge") {
      var ids = $all("#queue-table input[name=tickets]:checked").map(function (i) { return i.value; });
      if (ids.length && $("#desk-dialog")) {
        evt.preventDefault();
        openDialog(mergeUrl(ids, { add: ($("#bulk-merge") || {}).value }));
        return;
      }
    }
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) { evt.preventDefault(); return; }
    if (form.id === "reply-form") { clearTimeout(draftTimer); dirty = false; }
  }, true);

  /* ---- Reply box: kind, drafts (server + local copy), canned responses, presence. ---- */
  var draftTimer = null, typingTimer = null, dirty = false;
  function textarea() { return $("#reply-form textarea[name=content]"); }
  function ticketRoot() { return $(".ticket-layout[data-ticket]"); }
  function localKey() { var r = ticketRoot(); return r ? "desk-draft:" + r.dataset.ticket : null; }
  function replyKind() {
    var form = $("#reply-form");
    if (!form) { return; }
    var note = $("#kind-note", form).checked;
    $("#reply").classList.toggle("is-note", note);
    var send = $("#reply-send", form);
    if (send && !form.querySelector("[name=confirm]")) { send.textContent = note ? gettext("Add note") : gettext("Send"); }
  }
  function insertText(text) {
    var area = textarea();
    if (!area) { return; }
    var start = area.selectionStart || 0, end = area.selectionEnd || 0;
    area.value = area.value.slice(0, start) + text + area.value.slice(end);
    area.focus();
    area.selectionStart = area.selectionEnd = start + text.length;
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }
  function draftData() {
    var form = $("#reply-form");
    var kind = form.querySelector("[name=internal]:checked");
    return { content: textarea().value, internal: kind ? kind.value : "",
      status_after: $("[name=status_after]", form).value, csrfmiddlewaretoken: csrf };
  }
  function saveLocal() {
    var key = localKey(), area = textarea();
    if (!key || !area) { return; }
    try {
      if (area.value.trim()) { localStorage.setItem(key, JSON.stringify({ text: area.value, at: Date.now() })); }
      else { localStorage.removeItem(key); }
    } catch (e) { /* private mode: the server draft still works */ }
  }
  function scheduleDraft() {
    dirty = true;
    saveLocal();
    clearTimeout(draftTimer);
    draftTimer = setTimeout(saveDraft, 800);
  }
  function saveDraft() {
    var root = ticketRoot();
    if (!root || !textarea()) { return; }
    dirty = false;
    post(root.dataset.draftUrl, draftData()).then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null && $("#draft-status")) { $("#draft-status").innerHTML = html; } })
      .catch(function () { if ($("#draft-status")) { $("#draft-status").textContent = gettext("Offline: draft kept in this browser"); } });
  }
  function setPresence(state) {
    var input = $("#presence-state");
    if (!input || input.value === state) { return; }
    input.value = state;
    if (window.htmx) { htmx.trigger(document.body, "presence-changed"); }
  }
  document.addEventListener("input", function (evt) {
    if (evt.target.matches("#reply-form textarea[name=content]")) {
      scheduleDraft();
      setPresence("TYPING");
      clearTimeout(typingTimer);
      typingTimer = setTimeout(function () { setPresence("VIEWING"); }, 8000);
    }
  });
  function restoreLocalDraft() {
    var key = localKey(), area = textarea();
    if (!key || !area || area.value.trim()) { return; }
    try {
      var saved = JSON.parse(localStorage.getItem(key) || "null");
      if (saved && saved.text) {
        area.value = saved.text;
        if ($("#draft-status")) { $("#draft-status").textContent = gettext("Draft restored from this browser"); }
        scheduleDraft();
      }
    } catch (e) { /* ignore */ }
  }
  function afterReplySwap() {
    replyKind();
    if ($("#reply [data-sent]")) {
      try { localStorage.removeItem(localKey()); } catch (e) { /* ignore */ }
      dirty = false;
      setPresence("VIEWING");
    }
  }
  window.addEventListener("pagehide", function () {
    var root = ticketRoot();
    if (!root || !navigator.sendBeacon) { return; }
    if (dirty && textarea()) {
      var data = new FormData(), d = draftData();
      Object.keys(d).forEach(function (k) { data.append(k, d[k]); });
      navigator.sendBeacon(root.dataset.draftUrl, data);
    }
    var leave = new FormData();
    leave.append("state", "LEAVE");
    leave.append("csrfmiddlewaretoken", csrf);
    navigator.sendBeacon(root.dataset.presenceUrl, leave);
  });

  /* Links to help-center articles (the desk's KB panel or the KB's own sidebar component)
     get an "Insert link" button that puts a Markdown link into the reply. */
  function enhanceKbLinks() {
    $all(".ticket-side .kb-ticket-suggestions a[href]").forEach(function (link) {
      if (link.dataset.enhanced) { return; }
      link.dataset.enhanced = "1";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link small";
      button.textContent = gettext("Insert link");
      button.dataset.insertLink = "";
      button.dataset.title = link.textContent.trim();
      button.dataset.url = link.getAttribute("href");
      link.insertAdjacentText("afterend", " ");
      link.parentNode.insertBefore(button, link.nextSibling.nextSibling);
    });
  }
  document.addEventListener("htmx:afterSettle", enhanceKbLinks);

  /* ---- Previous / next within the queue the agent came from (kept in this tab). ---- */
  function rememberQueueList() {
    if (!$("#queue-table")) { return; }
    try {
      sessionStorage.setItem("desk-queue", JSON.stringify({
        url: window.location.pathname + window.location.search,
        numbers: rows().map(function (r) { return r.dataset.number; })
      }));
    } catch (e) { /* storage off: no prev/next */ }
  }
  function ticketNav() {
    var root = ticketRoot();
    if (!root) { return; }
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem("desk-queue") || "null"); } catch (e) { saved = null; }
    if (!saved) { return; }
    var back = $("#back-to-queue");
    if (back) { back.href = saved.url; }
    var index = saved.numbers.indexOf(root.dataset.ticket);
    if (index < 0) { return; }
    [["#prev-ticket", index - 1], ["#next-ticket", index + 1]].forEach(function (pair) {
      var link = $(pair[0]), number = saved.numbers[pair[1]];
      if (link && number) { link.href = "/desk/tickets/" + encodeURIComponent(number) + "/"; link.hidden = false; }
    });
  }
  function go(selector) { var link = $(selector); if (link && !link.hidden && link.href) { window.location.href = link.href; } }
  document.addEventListener("click", function (evt) {
    if (evt.target.closest("[data-print]")) { evt.preventDefault(); window.print(); }
  });

  /* ---- Sidebar: collapsible on wide screens (remembered), opens on demand on a phone. ---- */
  function phone() { return window.matchMedia("(max-width: 700px)").matches; }
  document.addEventListener("click", function (evt) {
    if (!evt.target.closest("[data-sidebar-toggle]")) { return; }
    var body = document.body;
    if (phone()) { body.classList.toggle("sidebar-open"); return; }
    body.classList.toggle("sidebar-collapsed");
    try { localStorage.setItem("desk-sidebar-collapsed", body.classList.contains("sidebar-collapsed") ? "1" : ""); } catch (e) { /* ignore */ }
  });
  function restoreSidebar() {
    try { if (localStorage.getItem("desk-sidebar-collapsed") === "1") { document.body.classList.add("sidebar-collapsed"); } } catch (e) { /* ignore */ }
  }

  /* ---- Keyboard ---- */
  function openHelp() { var d = $("#shortcuts"); if (d && !d.open) { d.showModal(); } }
  function assignToMe() {
    var root = ticketRoot();
    if (root) { var button = $("#assign-me"); if (button) { button.click(); } return; }
    var row = cursorRow();
    if (!row) { return; }
    post("/desk/tickets/" + encodeURIComponent(row.dataset.number) + "/assign-me/", { csrfmiddlewaretoken: csrf })
      .then(function () {
        var table = $("#queue-table");
        if (table && window.htmx) {
          htmx.ajax("GET", table.getAttribute("hx-get"), { target: "#queue-table", swap: "outerHTML" });
        }
      });
  }
  function focusReply(note) {
    var radio = $(note ? "#kind-note" : "#kind-reply");
    if (!radio) { return; }
    radio.checked = true;
    replyKind();
    textarea().focus();
  }
  document.addEventListener("keydown", function (evt) {
    if (evt.key === "Enter" && (evt.ctrlKey || evt.metaKey) && evt.target.closest("#new-ticket-form")) {
      evt.preventDefault();
      $("#new-ticket-create").click();
      return;
    }
    if (evt.key === "Enter" && (evt.ctrlKey || evt.metaKey) && evt.target.matches("#reply-form textarea")) {
      evt.preventDefault();
      var send = $("#reply-send");
      if (send) { send.click(); }
      return;
    }
    if (evt.ctrlKey || evt.metaKey || evt.altKey || typing(evt.target)) { return; }
    switch (evt.key) {
      case "j": if (ticketRoot()) { go("#next-ticket"); } else { moveCursor(1); } break;
      case "k": if (ticketRoot()) { go("#prev-ticket"); } else { moveCursor(-1); } break;
      case "u": if (!ticketRoot()) { return; } go("#back-to-queue"); break;
      case "x": {
        var row = cursorRow(), box = row && $("input[name=tickets]", row);
        if (box) { box.checked = !box.checked; updateBulk(); }
        break;
      }
      case "Enter": {
        var current = cursorRow();
        if (!current) { return; }
        window.location.href = current.dataset.href;
        break;
      }
      case "r": if (!ticketRoot()) { return; } focusReply(false); break;
      case "i": if (!ticketRoot()) { return; } focusReply(true); break;
      case "n": window.location.href = "/desk/tickets/new/"; break;
      case "a": assignToMe(); break;
      case "m": { var merge = $("#action-merge"); if (!merge) { return; } merge.click(); break; }
      case "/": { var q = $("#desk-q"); if (q) { q.focus(); } break; }
      case "?": openHelp(); break;
      default: return;
    }
    evt.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    setupHtmx();
    showBulkFields();
    replyKind();
    restoreLocalDraft();
    enhanceKbLinks();
    rememberQueueList();
    ticketNav();
    restoreSidebar();
  });
})();
