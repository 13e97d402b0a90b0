/* The KB article editor (desk admin area): a Markdown formatting toolbar (one tab stop, arrow
 * keys move between buttons, Ctrl+B / Ctrl+I / Ctrl+K), image upload (button, paste or drop)
 * and links to other articles picked in a dialog. The live preview is htmx on the form (the
 * server renders with the public page's Markdown pipeline); this file fires "kb-changed" after
 * each edit it makes. Without JavaScript the textarea and Save still work. */
(function () {
  "use strict";

  const form = document.getElementById("kb-article-form");
  const body = document.getElementById("id_body");
  const toolbar = form && form.querySelector("[data-md-toolbar]");
  if (!form || !body || !toolbar) return;
  const status = document.getElementById("kb-editor-status");
  const fileInput = document.getElementById("kb-image-file");
  const dialog = document.getElementById("kb-link-dialog");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;

  function say(text) { if (status) status.textContent = text; }

  function changed() {
    body.dispatchEvent(new Event("input", { bubbles: true }));
    if (window.htmx) window.htmx.trigger(form, "kb-changed");
  }

  // Replace the selection with `before + selected (or placeholder) + after`, keeping the
  // inner text selected so typing replaces it.
  function wrap(before, after, placeholder) {
    const start = body.selectionStart, end = body.selectionEnd;
    const inner = body.value.slice(start, end) || placeholder;
    body.setRangeText(before + inner + after, start, end, "end");
    body.setSelectionRange(start + before.length, start + before.length + inner.length);
    body.focus();
    changed();
  }

  // Put `prefix` in front of every line the selection touches ("## ", "- ", "1. ", "> ").
  function prefixLines(prefix, numbered) {
    const value = body.value;
    const start = value.lastIndexOf("\n", body.selectionStart - 1) + 1;
    let end = value.indexOf("\n", body.selectionEnd);
    if (end === -1) end = value.length;
    const lines = value.slice(start, end).split("\n").map(function (line, i) {
      return (numbered ? (i + 1) + ". " : prefix) + line;
    });
    const empty = body.selectionStart === body.selectionEnd;
    body.setRangeText(lines.join("\n"), start, end, empty ? "end" : "select");
    body.focus();
    changed();
  }

  function insert(text) {
    const start = body.selectionStart;
    const needsBreak = start > 0 && body.value[start - 1] !== "\n" && /^(!|\n|\|)/.test(text);
    body.setRangeText((needsBreak ? "\n" : "") + text, start, body.selectionEnd, "end");
    body.focus();
    changed();
  }

  const actions = {
    bold: function () { wrap("**", "**", "bold text"); },
    italic: function () { wrap("_", "_", "italic text"); },
    code: function () {
      const selected = body.value.slice(body.selectionStart, body.selectionEnd);
      if (selected.indexOf("\n") >= 0) wrap("```\n", "\n```", "code");
      else wrap("`", "`", "code");
    },
    h2: function () { prefixLines("## "); },
    h3: function () { prefixLines("### "); },
    ul: function () { prefixLines("- "); },
    ol: function () { prefixLines("", true); },
    quote: function () { prefixLines("> "); },
    link: function () { wrap("[", "](https://)", "link text"); },
    table: function () {
      insert("\n| Column | Column |\n| --- | --- |\n| Text | Text |\n");
    }
  };

  // --- the toolbar: roving tab stop -----------------------------------------------------
  const buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button"));
  toolbar.hidden = false;
  buttons.forEach(function (button, i) { button.tabIndex = i === 0 ? 0 : -1; });
  toolbar.addEventListener("keydown", function (event) {
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    let next = null;
    if (event.key === "ArrowRight") next = (at + 1) % buttons.length;
    else if (event.key === "ArrowLeft") next = (at - 1 + buttons.length) % buttons.length;
    else if (event.key === "Home") next = 0;
    else if (event.key === "End") next = buttons.length - 1;
    if (next === null) return;
    event.preventDefault();
    buttons[at].tabIndex = -1;
    buttons[next].tabIndex = 0;
    buttons[next].focus();
  });
  toolbar.addEventListener("click", function (event) {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.dataset.md && actions[button.dataset.md]) actions[button.dataset.md]();
    else if (button.hasAttribute("data-md-image")) fileInput.click();
    else if (button.hasAttribute("data-md-article-link")) openLinkDialog();
  });
  body.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    const key = event.key.toLowerCase();
    const action = { b: "bold", i: "italic", k: "link" }[key];
    if (!action) return;
    event.preventDefault();
    actions[action]();
  });

  // --- images -----------------------------------------------------------------------------
  function upload(file) {
    if (!file) return;
    const data = new FormData();
    data.append("image", file);
    data.append("article", form.dataset.article || "");
    say(interpolate(gettext("Uploading %(name)s…"), { name: file.name }, true));
    fetch(form.dataset.uploadUrl, {
      method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": csrf }
    }).then(function (response) {
      return response.json().then(function (answer) { return { ok: response.ok, answer: answer }; });
    }).then(function (result) {
      if (!result.ok) {
        const errors = result.answer.image || result.answer.detail || [gettext("The image was not added.")];
        say([].concat(errors).join(" "));
        return;
      }
      insert(result.answer.markdown + "\n");
      say(gettext("Image added."));
    }).catch(function () { say(gettext("The image was not added: the connection failed.")); });
  }
  fileInput.addEventListener("change", function () {
    upload(fileInput.files[0]);
    fileInput.value = "";
  });
  body.addEventListener("paste", function (event) {
    const items = event.clipboardData ? Array.prototype.slice.call(event.clipboardData.files) : [];
    const image = items.find(function (file) { return file.type.indexOf("image/") === 0; });
    if (!image) return;
    event.preventDefault();
    upload(image);
  });
  body.addEventListener("dragover", function (event) {
    if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
      event.preventDefault();
    }
  });
  body.addEventListener("drop", function (event) {
    const files = event.dataTransfer ? event.dataTransfer.files : [];
    if (!files.length) return;
    event.preventDefault();
    Array.prototype.forEach.call(files, upload);
  });

  // --- links to other articles ------------------------------------------------------------
  let selection = [0, 0];
  function openLinkDialog() {
    selection = [body.selectionStart, body.selectionEnd];
    dialog.showModal();
    const search = dialog.querySelector("input[type=search]");
    search.focus();
  }
  dialog.addEventListener("click", function (event) {
    const choice = event.target.closest("[data-insert]");
    if (choice) {
      let markdown = choice.dataset.insert;
      const selected = body.value.slice(selection[0], selection[1]);
      if (selected && selected.indexOf("\n") < 0) markdown = markdown.replace(/^\[[^\]]*\]/, "[" + selected + "]");
      dialog.close();
      body.setSelectionRange(selection[0], selection[1]);
      body.setRangeText(markdown, selection[0], selection[1], "end");
      body.focus();
      changed();
      say(gettext("Link added."));
      return;
    }
    if (event.target.closest("[data-close-dialog]")) dialog.close();
  });
  dialog.addEventListener("close", function () {
    if (document.activeElement === document.body || dialog.contains(document.activeElement)) body.focus();
  });
})();
