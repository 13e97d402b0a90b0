/* Panel1 attachments (desk and portal): drop files onto a form or paste them into its text
   box, see what will be sent and remove a file before sending; an image viewer for the desk's
   thumbnails. Static file, no inline script (CSP script-src 'self'); the texts come from
   data-* attributes the server translated, with English fallbacks. */
(function () {
  "use strict";

  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }
  function text(el, key, fallback) { return (el && el.getAttribute("data-" + key)) || fallback; }

  function pastedName(file, index) {
    if (file.name && file.name !== "image.png") { return file.name; }
    var ext = (file.type.split("/")[1] || "png").replace(/[^a-z0-9]/g, "");
    var stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
    return "pasted-" + stamp + (index ? "-" + index : "") + "." + ext;
  }

  function enhance(input) {
    if (input.dataset.enhanced || typeof DataTransfer === "undefined") { return; }
    input.dataset.enhanced = "1";
    var form = input.form;
    if (!form) { return; }
    var zone = document.createElement("div");
    zone.className = "dropzone";
    zone.setAttribute("data-dropzone", "");
    var hint = document.createElement("p");
    hint.className = "dropzone-hint muted small";
    hint.textContent = text(input, "drop-hint", gettext("Drop files here, or paste an image into the message."));
    var list = document.createElement("ul");
    list.className = "dropzone-files";
    list.setAttribute("aria-live", "polite");
    zone.appendChild(hint);
    zone.appendChild(list);
    input.insertAdjacentElement("afterend", zone);

    function render() {
      list.textContent = "";
      Array.prototype.forEach.call(input.files, function (file, index) {
        var li = document.createElement("li");
        var name = document.createElement("span");
        name.textContent = file.name + " (" + Math.max(1, Math.round(file.size / 1024)) + " KB)";
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link small";
        remove.textContent = text(input, "remove-label", gettext("Remove"));
        remove.setAttribute("aria-label", remove.textContent + " " + file.name);
        remove.addEventListener("click", function () { removeAt(index); });
        li.appendChild(name);
        li.appendChild(document.createTextNode(" "));
        li.appendChild(remove);
        list.appendChild(li);
      });
    }
    function add(files) {
      var dt = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (f) { dt.items.add(f); });
      Array.prototype.forEach.call(files, function (f, i) {
        dt.items.add(f.name && f.name !== "image.png" ? f : new File([f], pastedName(f, i), { type: f.type }));
      });
      input.files = dt.files;
      render();
    }
    function removeAt(index) {
      var dt = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (f, i) { if (i !== index) { dt.items.add(f); } });
      input.files = dt.files;
      render();
    }
    function hasFiles(evt) {
      var types = evt.dataTransfer && evt.dataTransfer.types;
      return types && Array.prototype.indexOf.call(types, "Files") !== -1;
    }
    form.addEventListener("dragover", function (evt) {
      if (!hasFiles(evt)) { return; }
      evt.preventDefault();
      form.classList.add("dragging");
    });
    form.addEventListener("dragleave", function (evt) {
      if (!form.contains(evt.relatedTarget)) { form.classList.remove("dragging"); }
    });
    form.addEventListener("drop", function (evt) {
      form.classList.remove("dragging");
      if (!hasFiles(evt) || !evt.dataTransfer.files.length) { return; }
      evt.preventDefault();
      add(evt.dataTransfer.files);
    });
    form.addEventListener("paste", function (evt) {
      var files = evt.clipboardData && evt.clipboardData.files;
      if (!files || !files.length) { return; }  // plain text pastes as usual
      evt.preventDefault();
      add(files);
    });
    input.addEventListener("change", render);
    form.addEventListener("reset", function () { setTimeout(render, 0); });
  }

  /* ---- Image viewer for [data-viewer] thumbnails (re-encoded previews, never the raw file) ---- */
  var viewer = null;
  function viewerLinks() {
    var seen = {};
    return $all("a[data-viewer]").filter(function (a) {
      if (seen[a.href]) { return false; }
      seen[a.href] = true;
      return true;
    });
  }
  function openViewer(link) {
    if (!viewer) { viewer = buildViewer(); }
    viewer.links = viewerLinks();
    viewer.show(viewer.links.findIndex(function (a) { return a.href === link.href; }));
    if (!viewer.dialog.open) { viewer.dialog.showModal(); }
    viewer.closeButton.focus();
  }
  function button(label, aria) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.setAttribute("aria-label", aria);
    return b;
  }
  function buildViewer() {
    var labels = document.querySelector("[data-viewer-labels]");
    var dialog = document.createElement("dialog");
    dialog.className = "viewer";
    dialog.setAttribute("aria-label", text(labels, "image", gettext("Image")));
    var bar = document.createElement("div");
    bar.className = "viewer-bar";
    var caption = document.createElement("span");
    caption.className = "viewer-caption";
    var prev = button(document.dir === "rtl" ? "→" : "←", text(labels, "previous", gettext("Previous image")));
    var next = button(document.dir === "rtl" ? "←" : "→", text(labels, "next", gettext("Next image")));
    var download = document.createElement("a");
    download.textContent = text(labels, "download", gettext("Download"));
    download.setAttribute("download", "");
    var close = button("×", text(labels, "close", gettext("Close")));
    var img = document.createElement("img");
    [caption, prev, next, download, close].forEach(function (el) { bar.appendChild(el); });
    dialog.appendChild(bar);
    dialog.appendChild(img);
    document.body.appendChild(dialog);
    var v = { dialog: dialog, closeButton: close, links: [], index: 0 };
    v.show = function (i) {
      if (!v.links.length) { return; }
      v.index = (i + v.links.length) % v.links.length;
      var current = v.links[v.index];
      img.src = current.href;
      img.alt = current.dataset.name || "";
      caption.textContent = (current.dataset.name || "") + (v.links.length > 1 ? " · " + (v.index + 1) + "/" + v.links.length : "");
      download.href = current.dataset.download || current.href;
      prev.hidden = next.hidden = v.links.length < 2;
    };
    prev.addEventListener("click", function () { v.show(v.index - 1); });
    next.addEventListener("click", function () { v.show(v.index + 1); });
    close.addEventListener("click", function () { dialog.close(); });
    dialog.addEventListener("click", function (evt) { if (evt.target === dialog) { dialog.close(); } });
    dialog.addEventListener("keydown", function (evt) {
      if (evt.key === "ArrowRight") { evt.preventDefault(); v.show(v.index + 1); }
      if (evt.key === "ArrowLeft") { evt.preventDefault(); v.show(v.index - 1); }
    });
    return v;
  }

  function init(root) { $all('input[type="file"][name="attachments"]', root).forEach(enhance); }
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest && evt.target.closest("a[data-viewer]");
    if (!link || evt.ctrlKey || evt.metaKey || evt.shiftKey) { return; }
    evt.preventDefault();
    openViewer(link);
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSwap", function (evt) { init(evt.target); });
  if (document.readyState !== "loading") { init(document); }
})();

