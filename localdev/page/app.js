// The local Slack page: renders what the app posted (Block Kit, threads, ephemerals, modals),
// lets you act as someone, and sends clicks through the fake Slack, which signs them exactly
// as Slack would before they reach the webhook. Polls for changes; no build step.
"use strict";

// `view` is what is shown: the channel, the acting person's DM with the app, or its Home tab.
const state = { people: [], me: null, snapshot: null, openTrigger: null, modal: null, executions: {}, view: "channel" };
const $ = (id) => document.getElementById(id);

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function nameOf(userId) {
  const person = state.people.find((p) => p.user_id === userId);
  return person ? person.name : userId;
}

// Slack mrkdwn, the parts the app uses: *bold*, _italic_, `code`, > quotes, <@U…>, <!date…|x>, <url|text>.
function mrkdwn(source) {
  const html = escapeHtml(source)
    .replace(/&lt;@([A-Z0-9]+)&gt;/g, (_, id) => `<span class="mention">@${escapeHtml(nameOf(id))}</span>`)
    .replace(/&lt;!date\^\d+\^[^|]*\|([^&]*)&gt;/g, (_, fallback) => fallback)
    .replace(/&lt;(https?:[^|&]*)\|([^&]*)&gt;/g, (_, url, text) => `<a href="${url}" target="_blank" rel="noopener">${text}</a>`)
    .replace(/\*([^*\n]+)\*/g, "<b>$1</b>")
    .replace(/(^|\s)_([^_\n]+)_/g, "$1<i>$2</i>")
    .replace(/`([^`\n]+)`/g, "<code>$1</code>")
    .replace(/:white_check_mark:/g, '<span class="badge ok">✓</span>')
    .replace(/:x:/g, '<span class="badge no">✗</span>')
    .replace(/:hourglass:/g, '<span class="badge late">⏱</span>')
    .replace(/:warning:/g, '<span class="badge warn">⚠</span>')
    .replace(/:speech_balloon:/g, '<span class="badge">💬</span>');
  return html.split("\n").map((line) => line.startsWith("&gt;") ? `<blockquote>${line.slice(4)}</blockquote>` : line).join("<br>");
}

function text(obj) {
  if (!obj) return "";
  return obj.type === "mrkdwn" ? mrkdwn(obj.text) : escapeHtml(obj.text);
}

function renderBlock(block, message) {
  switch (block.type) {
    case "header": return `<div class="block-header">${escapeHtml(block.text.text)}</div>`;
    case "divider": return "<hr>";
    case "context": return `<div class="context">${block.elements.map(text).join(" ")}</div>`;
    case "section": {
      const body = block.text ? `<div>${text(block.text)}</div>` : "";
      const fields = block.fields ? `<div class="fields">${block.fields.map((f) => `<div>${text(f)}</div>`).join("")}</div>` : "";
      return body + fields;
    }
    case "actions": return `<div class="actions">${block.elements.map((el) => message.view_id
      ? `<button class="button ${el.style || ""}" data-action="${escapeHtml(el.action_id)}" data-value="${escapeHtml(el.value)}"
         data-view-id="${escapeHtml(message.view_id)}">${escapeHtml(el.text.text)}</button>`
      : `<button class="button ${el.style || ""}" data-action="${escapeHtml(el.action_id)}" data-value="${escapeHtml(el.value)}"
         data-ts="${escapeHtml(message.ts)}" data-channel="${escapeHtml(message.channel)}">${escapeHtml(el.text.text)}</button>`).join("")}</div>`;
    default: return `<div class="muted">[${escapeHtml(block.type)} block]</div>`;
  }
}

function renderMessage(message, replies, ephemerals) {
  const body = message.blocks.length ? message.blocks.map((b) => renderBlock(b, message)).join("") : mrkdwn(message.text);
  const thread = replies.length ? `<div class="thread">${replies.map((r) => `<div class="reply"><b>Greenlight</b> ${mrkdwn(r.text)}</div>`).join("")}</div>` : "";
  const mine = ephemerals.map((e) => `<div class="ephemeral"><span class="only">Only visible to you</span>${mrkdwn(e.text)}</div>`).join("");
  const edited = message.edited ? '<span class="edited">(edited)</span>' : "";
  const workflow = message.approval_id ? `<aside class="workflow" data-approval="${escapeHtml(message.approval_id)}">${renderWorkflow(message.approval_id)}</aside>` : "<div></div>";
  return `<div class="row" data-ts="${escapeHtml(message.ts)}">
    <div><div class="message"><div class="avatar">G</div><div>
      <div class="sender">Greenlight<span class="app">APP</span>${edited}</div>${body}</div></div>${thread}${mine}</div>
    ${workflow}</div>`;
}

function renderWorkflow(approvalId) {
  const execution = state.executions[approvalId];
  if (!execution) return "<h4>Workflow</h4><span class='muted'>loading…</span>";
  if (execution.error) return `<h4>Workflow</h4><span class="muted">${escapeHtml(execution.error)}</span>`;
  const waiting = execution.waiting_on_callback ? '<div class="waiting">Suspended on its callback: no compute runs while it waits</div>' : "";
  const shown = execution.events.slice(-12);
  const earlier = execution.events.length - shown.length;
  const events = shown.map((e) => `<li><span>${escapeHtml(e.name || "")}</span><span class="type">${escapeHtml(e.type)}</span></li>`).join("");
  const more = earlier > 0 ? `<li class="muted">${earlier} earlier event(s)</li>` : "";
  return `<h4>Workflow <span class="status ${escapeHtml(execution.status)}">${escapeHtml(execution.status)}</span></h4>${waiting}<ul class="events">${more}${events}</ul>`;
}

// The App Home tab: the view the app published for the person you act as (views.publish).
function renderHome() {
  const view = (state.snapshot.homes || {})[state.me];
  $("home").innerHTML = view
    ? `<div class="home-view" data-view-id="${escapeHtml(view.id)}">${view.blocks.map((b) => renderBlock(b, { view_id: view.id })).join("")}</div>`
    : '<div class="muted" style="padding:20px">Opening the Home tab…</div>';
}

// The app's DM with the acting person (conversations.open answers one D… id per person).
function myDm() {
  const dms = (state.snapshot && state.snapshot.dms) || {};
  return Object.keys(dms).find((channel) => dms[channel] === state.me) || null;
}

function shown(message) {
  const dms = state.snapshot.dms || {};
  return state.view === "dm" ? message.channel === myDm() : !(message.channel in dms);
}

const HEADERS = { channel: "# approvals", dm: "Greenlight · direct message", home: "Greenlight · Home" };

function renderSidebar() {
  const dm = myDm();
  const count = dm ? state.snapshot.messages.filter((m) => m.channel === dm && !m.thread_ts).length : 0;
  $("dm-count").textContent = count ? String(count) : "";
  document.querySelectorAll(".sidebar [data-view]").forEach((el) => el.classList.toggle("active", el.dataset.view === state.view));
  $("channel-header").textContent = HEADERS[state.view];
}

function render() {
  const snapshot = state.snapshot;
  if (!snapshot) return;
  renderSidebar();
  $("messages").hidden = state.view === "home";
  $("home").hidden = state.view !== "home";
  if (state.view === "home") { renderHome(); return; }
  const top = snapshot.messages.filter((m) => !m.thread_ts && shown(m));
  const html = top.map((m) => renderMessage(
    m,
    snapshot.messages.filter((r) => r.thread_ts === m.ts),
    snapshot.ephemerals.filter((e) => e.user === state.me && e.channel === m.channel && e.ts > m.ts && !top.some((o) => o.ts > m.ts && o.ts < e.ts)),
  )).join("");
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  const empty = state.view === "dm" ? "No direct messages from Greenlight to you yet." : "Nothing posted yet. Start an order: ./scripts/demo.sh";
  box.innerHTML = html || `<div class="muted" style="padding:20px">${empty}</div>`;
  if (atBottom) box.scrollTop = box.scrollHeight;
}

async function refresh() {
  try {
    state.snapshot = await (await fetch("/_state")).json();
    const ids = state.snapshot.messages.map((m) => m.approval_id).filter(Boolean);
    await Promise.all(ids.map(async (id) => {
      const answer = await fetch(`/_execution/${id}`);
      state.executions[id] = await answer.json();
    }));
    render();
    maybeOpenModal();
  } catch (err) {
    console.error(err);
  }
}

async function interact(body) {
  const answer = await fetch("/_interact", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ user_id: state.me, ...body }) });
  return answer.json();
}

function maybeOpenModal() {
  if (!state.openTrigger || state.modal) return;
  const opened = state.snapshot.views.find((v) => v.trigger_id === state.openTrigger);
  if (!opened) return;
  state.openTrigger = null;
  state.modal = opened.view;
  $("modal-title").textContent = opened.view.title.text;
  $("modal-submit").textContent = opened.view.submit ? opened.view.submit.text : "Submit";
  // Reject's modal submits in red; the approve modals in green, as their buttons are drawn
  $("modal-submit").className = `button ${opened.view.callback_id === "reject_reason" ? "danger" : "primary"}`;
  $("modal-body").innerHTML = opened.view.blocks.map((b) => b.type === "input"
    ? `<label for="input-${escapeHtml(b.block_id)}">${escapeHtml(b.label.text)}${b.optional ? ' <span class="muted">(optional)</span>' : ""}</label>
       <textarea id="input-${escapeHtml(b.block_id)}" name="${escapeHtml(b.block_id)}" maxlength="${b.element.max_length || 3000}"></textarea>
       <div class="field-error" data-error="${escapeHtml(b.block_id)}"></div>`
    : renderBlock(b, {})).join("");
  $("modal-backdrop").hidden = false;
  const first = $("modal-body").querySelector("textarea");
  if (first) first.focus();
}

function closeModal() {
  state.modal = null;
  $("modal-backdrop").hidden = true;
}

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-action]");
  if (!button) return;
  button.disabled = true;
  const answer = await interact(button.dataset.viewId
    ? { type: "block_actions", action_id: button.dataset.action, value: button.dataset.value, view_id: button.dataset.viewId }
    : {
      type: "block_actions", action_id: button.dataset.action, value: button.dataset.value,
      channel: button.dataset.channel, message_ts: button.dataset.ts,
    });
  // Reject, Approve with comment and a sensitive request's Approve open a modal (in a message
  // and in the Home tab alike); a plain Approve opens none, so its trigger is never matched.
  state.openTrigger = answer.trigger_id;
  await refresh();
});

$("modal").addEventListener("submit", async (event) => {
  event.preventDefault();
  const values = {};
  $("modal-body").querySelectorAll("textarea").forEach((input) => { values[input.name] = input.value; });
  const answer = await interact({ type: "view_submission", view_id: state.modal.id, values });
  const body = answer.body ? JSON.parse(answer.body) : {};
  document.querySelectorAll(".field-error").forEach((el) => { el.textContent = ""; });
  if (body.response_action === "errors") {
    // Slack shows each error as plain text ("the plain text error message",
    // docs.slack.dev/surfaces/modals#displaying_errors): markup in it shows as typed.
    Object.entries(body.errors).forEach(([block, message]) => {
      const el = document.querySelector(`[data-error="${block}"]`);
      if (el) el.textContent = message;
    });
    return;
  }
  closeModal();
  await refresh();
});
$("modal-close").addEventListener("click", closeModal);

// Opening the Home tab is what Slack reports to the app as app_home_opened (signed, like a click).
async function show(view) {
  state.view = view;
  render();
  if (view === "home") {
    await interact({ type: "app_home_opened" });
    await refresh();
  }
}
document.querySelectorAll(".sidebar [data-view]").forEach((el) => el.addEventListener("click", () => show(el.dataset.view)));

$("act-as").addEventListener("change", (event) => {
  state.me = event.target.value;
  const person = state.people.find((p) => p.user_id === state.me);
  $("who").innerHTML = `${escapeHtml(person.real_name)}<span class="role">${escapeHtml(person.role)}</span>`;
  if (state.view === "home") show("home"); else render();
});

(async function start() {
  state.people = await (await fetch("/_people")).json();
  $("act-as").innerHTML = state.people.map((p) => `<option value="${p.user_id}">${escapeHtml(p.name)} (${escapeHtml(p.role)})</option>`).join("");
  const wanted = new URLSearchParams(location.search).get("as");
  const chosen = state.people.find((p) => p.name === wanted || p.user_id === wanted) || state.people.find((p) => p.role === "approver");
  $("act-as").value = chosen.user_id;
  $("act-as").dispatchEvent(new Event("change"));
  await refresh();
  if (new URLSearchParams(location.search).get("tab") === "home") await show("home");
  setInterval(refresh, 700);
}());
