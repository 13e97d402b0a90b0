/* Panel1 rule builder: compose automation conditions and actions from dropdowns.
 *
 * The registries (fields, operators, actions) come from the server in #automation-data.
 * The builder keeps the rule in `state`, renders it, and writes the JSON the API stores
 * into the form's conditions_json / actions_json textareas on every change. The server
 * validates (live through data-validate-url, and on save); errors come back keyed by
 * path (conditions[1].any[0].operator) and are shown next to the part they name.
 */
(function () {
  "use strict";

  const form = document.getElementById("rule-form");
  const dataNode = document.getElementById("automation-data");
  if (!form || !dataNode) return;

  const data = JSON.parse(dataNode.textContent);
  const FIELDS = Object.fromEntries(data.fields.map((f) => [f.name, f]));
  const OPERATORS = Object.fromEntries(data.operators.map((o) => [o.name, o]));
  const ACTIONS = Object.fromEntries(data.actions.map((a) => [a.type, a]));
  const TEXT_PARAMS = new Set(["content", "message"]);
  const LABELS = data.labels || {};
  // Human words for registry names (the desk sends them); unknown names read as words.
  function lab(kind, name) {
    const table = LABELS[kind] || {};
    return table[name] || String(name).replace(/_/g, " ");
  }

  const condBox = document.getElementById("conditions-builder");
  const actBox = document.getElementById("actions-builder");
  const condText = document.getElementById("id_conditions_json");
  const actText = document.getElementById("id_actions_json");
  const statusNode = document.getElementById("live-status");

  // --- small DOM helpers ---------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function select(options, value, attrs) {
    const node = el("select", attrs);
    for (const option of options) {
      const [optionValue, label] = Array.isArray(option) ? option : [option, option];
      const opt = el("option", { value: optionValue, text: label });
      if (Array.isArray(value) ? value.includes(optionValue) : optionValue === value) {
        opt.selected = true;
      }
      node.append(opt);
    }
    return node;
  }

  function selectedValues(node) {
    return Array.from(node.selectedOptions).map((o) => o.value);
  }

  function splitList(text) {
    return text.split(",").map((s) => s.trim()).filter(Boolean);
  }

  function errorSlot(path) {
    return el("div", { class: "node-errors", "data-errors-for": path, role: "alert" });
  }

  // --- the model -----------------------------------------------------------------------
  const state = { conditions: { kind: "group", match: "all", items: [] }, actions: [] };

  function loadNode(node) {
    if (node && typeof node === "object" && !Array.isArray(node)) {
      for (const key of ["all", "any"]) {
        if (key in node) {
          const items = Array.isArray(node[key]) ? node[key] : [];
          return { kind: "group", match: key, items: items.map(loadNode) };
        }
      }
      return { kind: "leaf", field: node.field, operator: node.operator, value: node.value };
    }
    return { kind: "leaf", field: undefined, operator: undefined, value: undefined };
  }

  function loadConditions(conditions) {
    if (Array.isArray(conditions)) {
      if (conditions.length === 1 && conditions[0] && "any" in conditions[0]) {
        return loadNode(conditions[0]);
      }
      return { kind: "group", match: "all", items: conditions.map(loadNode) };
    }
    if (conditions && typeof conditions === "object") return loadNode(conditions);
    return { kind: "group", match: "all", items: [] };
  }

  function serializeNode(node) {
    if (node.kind === "group") return { [node.match]: node.items.map(serializeNode) };
    const leaf = { field: node.field, operator: node.operator };
    const op = OPERATORS[node.operator];
    if (!op || op.takes_value) leaf.value = node.value === undefined ? null : node.value;
    return leaf;
  }

  function serializeConditions(root) {
    const items = root.items.map(serializeNode);
    return root.match === "all" ? items : [{ any: items }];
  }

  function childPath(groupPath, group, index, isRoot) {
    if (isRoot) {
      return group.match === "all" ? `conditions[${index}]` : `conditions[0].any[${index}]`;
    }
    return `${groupPath}.${group.match}[${index}]`;
  }

  function defaultValue(spec, operatorName) {
    const op = OPERATORS[operatorName];
    if (!op || !op.takes_value) return undefined;
    if (op.value_is_list) return [];
    if (spec.type === "boolean") return true;
    if (spec.type === "enum") return spec.choices[0];
    return "";
  }

  function newLeaf() {
    const spec = data.fields[0];
    const operator = spec.operators[0];
    return { kind: "leaf", field: spec.name, operator, value: defaultValue(spec, operator) };
  }

  // --- rendering: conditions -----------------------------------------------------------
  function renderGroup(group, path, isRoot, onRemove) {
    const box = el("div", { class: isRoot ? "group root" : "group", "data-path": isRoot ? "conditions" : path });
    const match = select(
      [["all", gettext("all of these hold")], ["any", gettext("any of these holds")]],
      group.match,
      { "aria-label": gettext("Group logic"), onchange: (e) => { group.match = e.target.value; changed(true); } },
    );
    const header = el("div", { class: "group-head" }, el("span", { text: pgettext("automation condition group", "Match") + " " }), match);
    if (!isRoot) {
      header.append(el("button", { type: "button", class: "remove", text: gettext("Remove group"), onclick: onRemove }));
    }
    box.append(header, errorSlot(isRoot ? "conditions" : path));
    const list = el("div", { class: "items" });
    group.items.forEach((item, index) => {
      const itemPath = childPath(path, group, index, isRoot);
      const remove = () => { group.items.splice(index, 1); changed(true); };
      list.append(item.kind === "group"
        ? renderGroup(item, itemPath, false, remove)
        : renderLeaf(item, itemPath, remove));
    });
    if (!group.items.length) {
      list.append(el("p", { class: "muted small", text: isRoot
        ? gettext("No conditions: the rule runs on every event of its trigger.")
        : gettext("Empty group.") }));
    }
    box.append(list, el("div", { class: "group-add" },
      el("button", { type: "button", text: "+ " + gettext("Condition"), onclick: () => { group.items.push(newLeaf()); changed(true); } }),
      el("button", { type: "button", text: "+ " + gettext("Group"), onclick: () => {
        group.items.push({ kind: "group", match: group.match === "all" ? "any" : "all", items: [newLeaf()] });
        changed(true);
      } }),
    ));
    return box;
  }

  function renderLeaf(leaf, path, onRemove) {
    const spec = FIELDS[leaf.field];
    const fieldSelect = select(
      [["", "— " + gettext("field") + " —"], ...data.fields.map((f) => [f.name, lab("fields", f.name)])],
      spec ? leaf.field : "",
      {
        "aria-label": gettext("Field"), title: spec ? spec.description : "",
        onchange: (e) => {
          const next = FIELDS[e.target.value];
          leaf.field = e.target.value;
          if (next && !next.operators.includes(leaf.operator)) leaf.operator = next.operators[0];
          leaf.value = next ? defaultValue(next, leaf.operator) : undefined;
          changed(true);
        },
      },
    );
    const operators = spec ? spec.operators : Object.keys(OPERATORS);
    const operatorSelect = select(
      operators.map((o) => [o, lab("operators", o)]),
      leaf.operator,
      {
        "aria-label": gettext("Operator"), title: OPERATORS[leaf.operator] ? OPERATORS[leaf.operator].description : "",
        onchange: (e) => {
          const before = OPERATORS[leaf.operator];
          leaf.operator = e.target.value;
          const after = OPERATORS[leaf.operator];
          if (!before || !after || before.value_is_list !== after.value_is_list || !after.takes_value) {
            leaf.value = spec ? defaultValue(spec, leaf.operator) : undefined;
          }
          changed(true);
        },
      },
    );
    return el("div", { class: "leaf", "data-path": path },
      el("span", { class: "part", "data-path": `${path}.field` }, fieldSelect),
      el("span", { class: "part", "data-path": `${path}.operator` }, operatorSelect),
      el("span", { class: "part value", "data-path": `${path}.value` }, valueInput(leaf, spec)),
      el("button", { type: "button", class: "remove", "aria-label": gettext("Remove condition"), text: "✕", onclick: onRemove }),
      errorSlot(path),
    );
  }

  function choicesFor(spec) {
    if (spec.type === "enum") return spec.choices.map((c) => [c, lab("values", c)]);
    if (spec.name === "category_name") return data.categories.map((c) => [c.label, c.label]);
    if (spec.name === "category") return data.categories.map((c) => [c.id, c.label]);
    if (spec.name === "assignee") return data.users.map((u) => [u.id, u.label]);
    return null;
  }

  function valueInput(leaf, spec) {
    const op = OPERATORS[leaf.operator];
    if (!spec || !op || !op.takes_value) return el("span");
    const choices = choicesFor(spec);
    const set = (value, rerender) => { leaf.value = value; changed(rerender); };
    if (op.value_is_list) {
      const values = Array.isArray(leaf.value) ? leaf.value : [];
      if (choices) {
        return select(choices, values, {
          multiple: true, size: Math.min(choices.length, 4), "aria-label": gettext("Values"),
          onchange: (e) => set(selectedValues(e.target), false),
        });
      }
      const numeric = spec.type === "integer" || spec.type === "number";
      return el("input", {
        value: values.join(", "), placeholder: gettext("values, separated by commas"), "aria-label": gettext("Values"),
        oninput: (e) => set(splitList(e.target.value).map((v) => (numeric && v !== "" && !isNaN(v) ? Number(v) : v)), false),
      });
    }
    if (choices) {
      const options = spec.type === "enum" ? choices : [["", "— " + gettext("choose") + " —"], ...choices];
      return select(options, leaf.value, { "aria-label": gettext("Value"), onchange: (e) => set(e.target.value, false) });
    }
    if (spec.type === "boolean") {
      return select([["true", gettext("yes")], ["false", gettext("no")]], String(leaf.value !== false), {
        "aria-label": gettext("Value"), onchange: (e) => set(e.target.value === "true", false),
      });
    }
    if (spec.type === "integer" || spec.type === "number") {
      return el("input", {
        type: "number", step: spec.type === "integer" ? "1" : "any", value: leaf.value ?? "", "aria-label": "Value",
        oninput: (e) => {
          const raw = e.target.value;
          const parsed = spec.type === "integer" ? parseInt(raw, 10) : parseFloat(raw);
          set(raw === "" || isNaN(parsed) ? raw : parsed, false);
        },
      });
    }
    return el("input", {
      value: leaf.value ?? "", "aria-label": "Value",
      placeholder: leaf.operator === "matches" ? "regular expression" : "",
      oninput: (e) => set(e.target.value, false),
    });
  }

  // --- rendering: actions --------------------------------------------------------------
  function renderActions() {
    const box = el("div", { class: "actions" });
    state.actions.forEach((action, index) => {
      const path = `actions[${index}]`;
      const spec = ACTIONS[action.type];
      const row = el("div", { class: "action", "data-path": path });
      const typeSelect = select(
        [["", "— " + gettext("action") + " —"], ...data.actions.map((a) => [a.type, lab("actions", a.type)])],
        spec ? action.type : "",
        {
          "aria-label": gettext("Action"), title: spec ? spec.description : "",
          onchange: (e) => { action.type = e.target.value; action.parameters = {}; changed(true); },
        },
      );
      row.append(el("div", { class: "action-head" },
        el("span", { class: "step", text: `${index + 1}.` }),
        el("span", { class: "part", "data-path": `${path}.type` }, typeSelect),
        spec ? el("span", { class: "muted small", text: spec.description }) : null,
        el("span", { class: "spacer" }),
        el("button", { type: "button", "aria-label": gettext("Move action up"), text: "↑", disabled: index === 0,
          onclick: () => { state.actions.splice(index - 1, 0, state.actions.splice(index, 1)[0]); changed(true); } }),
        el("button", { type: "button", class: "remove", "aria-label": gettext("Remove action"), text: "✕",
          onclick: () => { state.actions.splice(index, 1); changed(true); } }),
      ));
      if (spec) {
        for (const param of spec.parameters) row.append(renderParam(action, param, path));
      }
      row.append(errorSlot(path));
      box.append(row);
    });
    box.append(el("button", { type: "button", text: "+ " + gettext("Action"), onclick: () => {
      state.actions.push({ type: data.actions[0].type, parameters: defaultParams(data.actions[0]) });
      changed(true);
    } }));
    return box;
  }

  function defaultParams(spec) {
    const params = {};
    for (const p of spec.parameters) if (p.type === "enum") params[p.name] = p.choices[0];
    return params;
  }

  function renderParam(action, param, path) {
    action.parameters = action.parameters && typeof action.parameters === "object" ? action.parameters : {};
    const params = action.parameters;
    const id = `p-${path.replace(/\W/g, "-")}-${param.name}`;
    const set = (value) => {
      if (value === "" || (Array.isArray(value) && !value.length)) {
        if (param.required) params[param.name] = value; else delete params[param.name];
      } else params[param.name] = value;
      changed(false);
    };
    let input;
    const value = params[param.name];
    if (param.type === "uuid") {
      input = select([["", "— " + gettext("staff user") + " —"], ...data.users.map((u) => [u.id, u.label])], value ?? "", { id, onchange: (e) => set(e.target.value) });
    } else if (param.type === "uuid_list") {
      input = select(data.users.map((u) => [u.id, u.label]), Array.isArray(value) ? value : [], {
        id, multiple: true, size: Math.min(Math.max(data.users.length, 2), 5), onchange: (e) => set(selectedValues(e.target)),
      });
    } else if (param.type === "enum") {
      input = select(param.choices.map((c) => [c, lab("values", c)]), value ?? param.choices[0], { id, onchange: (e) => set(e.target.value) });
    } else if (param.type === "slug") {
      const names = data.templates.includes(value) || !value ? data.templates : [value, ...data.templates];
      input = select([["", "— " + gettext("template") + " —"], ...names.map((n) => [n, n])], value ?? "", { id, onchange: (e) => set(e.target.value) });
    } else if (param.type === "string_list") {
      input = el("input", { id, value: Array.isArray(value) ? value.join(", ") : "", placeholder: gettext("separated by commas"), oninput: (e) => set(splitList(e.target.value)) });
    } else if (TEXT_PARAMS.has(param.name)) {
      input = el("textarea", { id, rows: 3, oninput: (e) => set(e.target.value) });
      input.value = value ?? "";
    } else {
      input = el("input", {
        id, value: value ?? "", type: param.type === "url" ? "url" : (param.name === "secret" ? "password" : "text"),
        autocomplete: "off", placeholder: param.type === "url" ? "https://" : "", oninput: (e) => set(e.target.value),
      });
    }
    const help = TEXT_PARAMS.has(param.name)
      ? el("div", { class: "muted small", text: gettext("Placeholders:") + " " + Object.keys(data.placeholders).map((p) => `{{${p}}}`).join(" ") })
      : null;
    return el("div", { class: "param", "data-path": `${path}.parameters.${param.name}` },
      el("label", { for: id, text: lab("parameters", param.name) + (param.required ? "" : " " + gettext("(optional)")), title: param.description }),
      input, help, errorSlot(`${path}.parameters.${param.name}`));
  }

  // --- sync, validation and errors ------------------------------------------------------
  function render() {
    condBox.replaceChildren(renderGroup(state.conditions, "conditions", true));
    actBox.replaceChildren(renderActions());
  }

  function sync() {
    condText.value = JSON.stringify(serializeConditions(state.conditions), null, 2);
    actText.value = JSON.stringify(state.actions, null, 2);
  }

  let timer = null;
  function changed(rerender) {
    sync();
    if (rerender) render();
    clearTimeout(timer);
    timer = setTimeout(validate, 400);
  }

  function clearErrors() {
    form.querySelectorAll("[data-errors-for]").forEach((slot) => { slot.textContent = ""; });
    form.querySelectorAll(".invalid").forEach((node) => node.classList.remove("invalid"));
    form.querySelectorAll("[aria-invalid]").forEach((node) => node.removeAttribute("aria-invalid"));
  }

  function slotFor(node) {
    for (let n = node; n && n !== form; n = n.parentElement) {
      const slot = n.querySelector(":scope > [data-errors-for]");
      if (slot) return slot;
    }
    return form.querySelector('[data-errors-for="conditions"]');
  }

  function showErrors(errors) {
    clearErrors();
    const nodes = Array.from(form.querySelectorAll("[data-path]"));
    for (const [path, messages] of Object.entries(errors || {})) {
      let best = null;
      for (const node of nodes) {
        const p = node.dataset.path;
        if ((path === p || path.startsWith(p + ".") || path.startsWith(p + "[")) &&
            (!best || p.length > best.dataset.path.length)) best = node;
      }
      const rest = best ? path.slice(best.dataset.path.length).replace(/^\./, "") : path;
      const text = (rest ? `${rest}: ` : "") + messages.join(" ");
      const slot = slotFor(best);
      if (best) {
        best.classList.add("invalid");
        const control = best.matches("select, input, textarea") ? best : best.querySelector("select, input, textarea");
        if (control) control.setAttribute("aria-invalid", "true");
      }
      if (slot) slot.textContent = (slot.textContent ? slot.textContent + " " : "") + text;
    }
    const count = Object.keys(errors || {}).length;
    statusNode.textContent = count ? interpolate(ngettext("%(count)s problem to fix", "%(count)s problems to fix", count), { count: count }, true) : "✓ " + gettext("The rule is valid");
    statusNode.className = count ? "error small" : "ok small";
  }

  async function validate() {
    try {
      const response = await fetch(form.dataset.validateUrl, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value },
      });
      if (response.ok) showErrors((await response.json()).errors);
    } catch (err) {
      statusNode.textContent = "";
    }
  }

  function reloadFromJson() {
    try {
      state.conditions = loadConditions(JSON.parse(condText.value || "[]"));
      const actions = JSON.parse(actText.value || "[]");
      state.actions = Array.isArray(actions) ? actions.map((a) => (a && typeof a === "object" ? a : {})) : [];
    } catch (err) {
      showErrors({ conditions: [interpolate(gettext("The JSON below is not valid: %(error)s"), { error: err.message }, true)] });
      return false;
    }
    render();
    return true;
  }

  // --- wiring --------------------------------------------------------------------------
  const trigger = document.getElementById("id_trigger_event");
  const idleRow = document.getElementById("idle-hours-row");
  function showIdle() { idleRow.hidden = trigger.value !== "ticket.idle"; }
  trigger.addEventListener("change", showIdle);
  showIdle();

  [condText, actText].forEach((node) => node.addEventListener("change", () => {
    if (reloadFromJson()) { sync(); validate(); }
  }));
  form.addEventListener("input", (event) => {
    if (event.target.matches("#id_name, #id_idle_hours")) changed(false);
  });
  form.addEventListener("change", (event) => {
    if (event.target.matches("#id_trigger_event")) changed(false);
  });
  document.querySelectorAll("form[data-confirm]").forEach((node) => node.addEventListener("submit", (event) => {
    if (!window.confirm(node.dataset.confirm)) event.preventDefault();
  }));

  reloadFromJson();
  const serverErrors = JSON.parse(document.getElementById("automation-errors").textContent || "{}");
  if (Object.keys(serverErrors).length) showErrors(serverErrors);
  form.classList.add("js-builder");
})();
