// The sandbox chat page: a small Telegram client over the emulator's control API.
// Who you are decides which chat you see; everything the bot does arrives as server-sent
// events, and the chat is redrawn from the emulator's record of it, so edits show in place.
"use strict";

const api = (path, options = {}) =>
  fetch(path, {headers: {"Content-Type": "application/json"}, ...options}).then(async (r) => {
    const body = await r.json();
    if (!r.ok) throw new Error(body.description || r.statusText);
    return body;
  });

// popupSeq: the emulator's event number up to which popups have been looked at, so a page
// opened later does not replay old ones.
const state = {personas: [], me: null, chat: null, newcomer: null, popupSeq: 0};
const $ = (id) => document.getElementById(id);

async function loadPersonas() {
  state.personas = await api("/_sandbox/personas");
  const select = $("who");
  select.innerHTML = "";
  const groups = {};
  for (const p of state.personas) (groups[p.branch] = groups[p.branch] || []).push(p);
  for (const [branch, people] of Object.entries(groups)) {
    const group = document.createElement("optgroup");
    group.label = branch;
    for (const p of people) {
      const option = new Option(`${p.name}（${p.role}）`, String(p.user_id));
      group.appendChild(option);
    }
    select.appendChild(group);
  }
  const extra = document.createElement("optgroup");
  extra.label = "其他";
  extra.appendChild(new Option("新用户（持邀请链接）", "new"));
  select.appendChild(extra);
  select.onchange = () => choose(select.value);
  choose(select.value);
}

async function choose(value) {
  $("newcomer").style.display = value === "new" ? "block" : "none";
  if (value === "new") {
    if (!state.newcomer) {
      const created = await api("/_emulator/users", {
        method: "POST", body: JSON.stringify({first_name: "新同志"}),
      });
      state.newcomer = created.user.id;
    }
    state.me = state.newcomer;
    state.chat = state.newcomer;
    $("title").textContent = "新用户 与 支部学习助手";
  } else {
    const persona = state.personas.find((p) => String(p.user_id) === value);
    if (persona.role === "群聊") {
      // In a group you speak as its branch secretary.
      const secretary = state.personas.find(
        (p) => p.branch === persona.branch && p.role === "支部书记");
      state.me = secretary.user_id;
      state.chat = persona.user_id;
      $("title").textContent = `${persona.name}（以${secretary.name}身份发言）`;
    } else {
      state.me = persona.user_id;
      state.chat = persona.user_id;
      $("title").textContent = `${persona.name} 与 支部学习助手`;
    }
  }
  $("menu").hidden = true;
  // A popup belongs to the person who tapped: it goes when you become someone else.
  $("toast").hidden = true;
  if ($("alert").open) $("alert").close();
  await redraw();
}

function keyboardOf(message) {
  const rows = (message.reply_markup || {}).inline_keyboard;
  if (!rows) return null;
  const box = document.createElement("div");
  box.className = "keyboard";
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "row";
    for (const button of row) {
      const b = document.createElement("button");
      b.textContent = button.text;
      b.onclick = () => tap(message.message_id, button.callback_data, b);
      line.appendChild(b);
    }
    box.appendChild(line);
  }
  return box;
}

function pollOf(message) {
  const box = document.createElement("div");
  box.className = "keyboard";
  message.poll.options.forEach((option, index) => {
    const b = document.createElement("button");
    b.textContent = `${option.text}（${option.voter_count}）`;
    b.onclick = () => api("/_emulator/polls/votes", {
      method: "POST",
      body: JSON.stringify({user_id: state.me, chat_id: state.chat,
                            message_id: message.message_id, option_ids: [index]}),
    }).then(redraw);
    box.appendChild(b);
  });
  return box;
}

function render(message) {
  const item = document.createElement("li");
  const mine = message.from && message.from.id === state.me;
  if (mine) item.classList.add("mine");
  if (message.from && !mine) {
    const who = document.createElement("div");
    who.className = "who";
    who.textContent = message.from.is_bot ? "支部学习助手" : message.from.first_name;
    item.appendChild(who);
  }
  if (message.photo) {
    const img = document.createElement("img");
    img.src = `/_emulator/files/${message.photo[message.photo.length - 1].file_id}`;
    img.alt = message.caption || "图片";
    item.appendChild(img);
  }
  if (message.document) {
    const link = document.createElement("a");
    link.href = `/_emulator/files/${message.document.file_id}`;
    link.download = message.document.file_name || "file";
    link.textContent = `📎 ${message.document.file_name || "文件"}（点击下载）`;
    item.appendChild(link);
  }
  const text = message.text || message.caption;
  if (text) item.appendChild(document.createTextNode((message.photo || message.document ? "\n" : "") + text));
  if (message.poll) item.appendChild(pollOf(message));
  const keyboard = keyboardOf(message);
  if (keyboard) item.appendChild(keyboard);
  if (message.edit_date) {
    const edited = document.createElement("div");
    edited.className = "edited";
    edited.textContent = "已编辑";
    item.appendChild(edited);
  }
  return item;
}

async function redraw() {
  if (state.chat === null) return;
  const list = $("messages");
  let data;
  try {
    data = await api(`/_emulator/chats/${state.chat}/messages`);
  } catch (error) {
    data = {messages: []};  // no conversation yet
  }
  list.innerHTML = "";
  for (const message of data.messages) list.appendChild(render(message));
  list.scrollTop = list.scrollHeight;
}

async function send(text) {
  if (!text.trim() || state.me === null) return;
  await api("/_emulator/messages", {
    method: "POST", body: JSON.stringify({user_id: state.me, chat_id: state.chat, text}),
  });
  await redraw();
}

async function sendPhoto(file) {
  // A photo from this computer, as a Telegram user sends one (the text typed is its caption).
  if (!file || state.me === null) return;
  const dataUrl = await new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
  const body = {user_id: state.me, chat_id: state.chat, photo: String(dataUrl).split(",")[1]};
  const caption = $("text").value.trim();
  if (caption) body.caption = caption;
  $("text").value = "";
  await api("/_emulator/photos", {method: "POST", body: JSON.stringify(body)});
  await redraw();
}

async function tap(messageId, data, button) {
  button.disabled = true;
  try {
    await api("/_emulator/callbacks", {
      method: "POST",
      body: JSON.stringify({user_id: state.me, chat_id: state.chat, message_id: messageId,
                            callback_data: data}),
    });
  } catch (error) {
    button.disabled = false;
  }
}

async function showMenu() {
  const menu = $("menu");
  if (!menu.hidden) { menu.hidden = true; return; }
  const scope = JSON.stringify({type: "chat", chat_id: state.chat});
  let data = await api(`/_emulator/commands?scope=${encodeURIComponent(scope)}`);
  if (!data.commands.length) data = await api("/_emulator/commands");
  menu.innerHTML = "";
  for (const command of data.commands) {
    const b = document.createElement("button");
    b.innerHTML = `<b>/${command.command}</b>`;
    b.appendChild(document.createTextNode(command.description));
    b.onclick = () => { menu.hidden = true; send(`/${command.command}`); };
    menu.appendChild(b);
  }
  menu.hidden = false;
}

async function refreshClock() {
  const data = await api("/_sandbox/clock");
  // In the bot's time zone (Asia/Shanghai by default), as members read the reminders.
  const options = {year: "numeric", month: "numeric", day: "numeric", weekday: "short",
                   hour: "2-digit", minute: "2-digit", hour12: false};
  if (data.zone) options.timeZone = data.zone;
  const shown = (iso) => new Date(iso).toLocaleString("zh-CN", options);
  $("now").textContent = shown(data.now);
  $("next").textContent = data.next ? `${data.next.title} · ${shown(data.next.at)}` : "无";
}

let toastTimer = null;

function toast(text) {
  const box = $("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, 4000);
}

async function showPopups() {
  // What the bot answered to my taps in this chat: a toast, or a dialog for show_alert,
  // as a Telegram client shows them (the emulator keeps them per user and chat).
  const data = await api(`/_emulator/popups?user_id=${state.me}&chat_id=${state.chat}` +
                         `&after=${state.popupSeq}`);
  state.popupSeq = Math.max(state.popupSeq, data.last_seq);
  for (const popup of data.popups) {
    if (popup.show_alert) {
      $("alert-text").textContent = popup.text;
      if (!$("alert").open) $("alert").showModal();
    } else {
      toast(popup.text);
    }
  }
}

function listen() {
  // Everything the bot does arrives here; redraw when it concerns the open chat.
  const source = new EventSource("/_sandbox/stream?after=0");
  source.onmessage = (event) => {
    const data = JSON.parse(event.data);
    if (data.type === "callback_answered" && data.seq > state.popupSeq) showPopups();
    if (data.chat_id === state.chat) redraw();
  };
}

$("composer").onsubmit = (event) => {
  event.preventDefault();
  const text = $("text").value;
  $("text").value = "";
  send(text);
};
$("menu-button").onclick = showMenu;
$("photo").onchange = async () => {
  const file = $("photo").files[0];
  $("photo").value = "";
  await sendPhoto(file);
};
$("open-invite").onclick = () => {
  const code = ($("invite").value.split("start=")[1] || "").trim();
  send(code ? `/start ${code}` : "/start");
};
$("fire").onclick = async () => {
  $("fire").disabled = true;
  try {
    await api("/_sandbox/fire", {method: "POST"});
    await refreshClock();
  } finally {
    $("fire").disabled = false;
  }
};

api("/_emulator/bot")
  .then((bot) => { state.popupSeq = bot.last_seq; })
  .then(loadPersonas)
  .then(() => { listen(); refreshClock(); setInterval(refreshClock, 15000); });
