// The live chat widget: start a chat, poll for answers, send, leave (panel1_chat plugin).
(function () {
  "use strict";
  const KEY = "panel1-chat-token";

  function init(root) {
    const base = root.dataset.base;
    const pollMs = parseInt(root.dataset.poll, 10) || 3000;
    const $ = (sel) => root.querySelector(sel);
    const csrf = () => ($("input[name=csrfmiddlewaretoken]") || {}).value || "";
    let token = sessionStorage.getItem(KEY);
    let timer = null;

    function call(url, method, body) {
      return fetch(base + url, {
        method: method,
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: body ? JSON.stringify(body) : undefined,
      }).then((r) => r.json().then((data) => ({ ok: r.ok, status: r.status, data: data })));
    }

    function render(data) {
      $("[data-chat-number]").textContent = data.number;
      const list = $("[data-chat-transcript]");
      list.textContent = "";
      data.messages.forEach((m) => {
        const li = document.createElement("li");
        li.className = "chat-msg chat-" + m.from;
        const who = document.createElement("strong");
        who.textContent = (m.from === "agent" ? m.author : "You") + ": ";
        li.appendChild(who);
        li.appendChild(document.createTextNode(m.content));
        list.appendChild(li);
      });
      (data.notices || []).forEach((n) => {
        const li = document.createElement("li");
        li.className = "chat-msg chat-notice";
        li.textContent = n.text;
        list.appendChild(li);
      });
    }

    function poll() {
      if (!token) return;
      call(token + "/messages/", "GET").then((res) => {
        if (res.status === 404) { sessionStorage.removeItem(KEY); token = null; return; }
        if (res.ok) render(res.data);
      });
    }

    function live() {
      $("[data-chat-panel]").hidden = false;
      $("[data-chat-start]").hidden = true;
      $("[data-chat-live]").hidden = false;
      poll();
      timer = setInterval(poll, pollMs);
    }

    $("[data-chat-open]").addEventListener("click", (e) => {
      const panel = $("[data-chat-panel]");
      panel.hidden = !panel.hidden;
      e.currentTarget.setAttribute("aria-expanded", String(!panel.hidden));
    });
    $("[data-chat-start]").addEventListener("submit", (e) => {
      e.preventDefault();
      const form = e.currentTarget;
      const body = {
        name: form.name ? form.name.value : "",
        email: form.email ? form.email.value : "",
        message: form.message.value,
      };
      call("start/", "POST", body).then((res) => {
        if (!res.ok) {
          $("[data-chat-error]").textContent = Object.values(res.data).flat().join(" ");
          return;
        }
        token = res.data.token;
        sessionStorage.setItem(KEY, token);
        live();
      });
    });
    $("[data-chat-send]").addEventListener("submit", (e) => {
      e.preventDefault();
      const box = e.currentTarget.message;
      call(token + "/messages/", "POST", { message: box.value }).then((res) => {
        if (res.ok) { box.value = ""; render(res.data); }
      });
    });
    $("[data-chat-leave]").addEventListener("click", () => {
      call(token + "/leave/", "POST").then(() => {
        clearInterval(timer);
        sessionStorage.removeItem(KEY);
        token = null;
        $("[data-chat-send]").hidden = true;
        $("[data-chat-left]").hidden = false;
      });
    });
    if (token) live();
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-chat]").forEach(init);
  });
})();
