// The website chat (channels/web.py). No inline code, so the page runs under a
// strict Content-Security-Policy; everything the assistant says is shown as text.
(function () {
  "use strict";
  var SESSION_KEY = "teplo-chat-session";
  var LOG_KEY = "teplo-chat-log";
  var KEPT_MESSAGES = 100;

  var log = document.getElementById("log");
  var buttons = document.getElementById("buttons");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var send = document.getElementById("send");
  var statusLine = document.getElementById("status");
  var history = [];

  function stored(storage, key) {
    try { return storage.getItem(key); } catch (e) { return null; }
  }
  function store(storage, key, value) {
    try { storage.setItem(key, value); } catch (e) { /* private mode: the chat still works */ }
  }

  function show(who, text, remember) {
    var item = document.createElement("li");
    item.className = who;
    item.textContent = text;
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    if (remember) {
      history.push([who, text]);
      history = history.slice(-KEPT_MESSAGES);
      store(window.sessionStorage, LOG_KEY, JSON.stringify(history));
    }
  }

  function showButtons(list) {
    buttons.textContent = "";
    list.forEach(function (button) {
      var element = document.createElement("button");
      element.type = "button";
      element.textContent = button.title;
      element.addEventListener("click", function () { say(button.payload, button.title); });
      buttons.appendChild(element);
    });
  }

  function setReady(ready, text) {
    input.disabled = !ready;
    send.disabled = !ready;
    statusLine.textContent = text;
  }

  var socket = io({ path: "/socket.io", transports: ["websocket"] });

  function say(message, shown) {
    if (!message || input.disabled) { return; }
    show("user", shown || message, true);
    socket.emit("user_uttered", { message: message });
  }

  try {
    history = JSON.parse(stored(window.sessionStorage, LOG_KEY) || "[]");
  } catch (e) { history = []; }
  history.forEach(function (entry) { show(entry[0], entry[1], false); });

  socket.on("connect", function () {
    socket.emit("session_request", { session_id: stored(window.localStorage, SESSION_KEY) });
  });
  socket.on("session_confirm", function (sessionId) {
    var fresh = stored(window.localStorage, SESSION_KEY) !== sessionId;
    store(window.localStorage, SESSION_KEY, sessionId);
    setReady(true, "У мережі");
    if (fresh && history.length === 0) {
      showButtons([{ title: "Почати", payload: "/greet" }]);
    }
    input.focus();
  });
  socket.on("bot_uttered", function (message) {
    show("bot", message.text || "", true);
    if (message.buttons && message.buttons.length) {
      showButtons(message.buttons);
    } else if (!message.keep) {
      showButtons([]);
    }
  });
  socket.on("disconnect", function () { setReady(false, "Зв'язок втрачено, відновлюємо…"); });
  socket.on("connect_error", function () { setReady(false, "Немає зв'язку з сервером, повторюємо…"); });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    say(text);
  });
})();
