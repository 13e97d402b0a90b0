/* Admin area: small progressive enhancements (the forms work without this file).
 * - [data-add-row="#table"]: copy the last row of the table's body with the next index.
 * - [data-toggles="#el"]: a checkbox that hides #el while checked.
 * - form[data-confirm]: ask before submitting.
 * - focus the error summary or the first invalid field after a failed save.
 */
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-add-row]");
    if (!button) return;
    const body = document.querySelector(button.dataset.addRow + " tbody");
    if (!body || !body.lastElementChild) return;
    const last = body.lastElementChild;
    const copy = last.cloneNode(true);
    const next = body.children.length;
    copy.querySelectorAll("input, select, textarea").forEach(function (input) {
      input.name = input.name.replace(/-(\d+)-/, "-" + next + "-");
      if (input.id) input.id = input.id.replace(/-(\d+)-/, "-" + next + "-");
      if (input.type === "checkbox") input.checked = false; else input.value = "";
    });
    body.append(copy);
    const first = copy.querySelector("input");
    if (first) first.focus();
  });

  function applyToggle(box) {
    const target = document.querySelector(box.dataset.toggles);
    if (target) target.hidden = box.checked;
  }
  document.querySelectorAll("[data-toggles]").forEach(function (box) {
    applyToggle(box);
    box.addEventListener("change", function () { applyToggle(box); });
  });

  document.addEventListener("submit", function (event) {
    const form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  const invalid = document.querySelector("[aria-invalid='true'], .invalid input, .invalid select");
  const summary = document.getElementById("form-errors");
  if (invalid) {
    invalid.scrollIntoView({ block: "center" });
    invalid.focus({ preventScroll: true });
  } else if (summary) {
    summary.focus();
  }
})();
