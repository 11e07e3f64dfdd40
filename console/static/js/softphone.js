// The console's browser softphone: JsSIP (vendored, window.JsSIP) over the hotline
// Asterisk's secure websocket; DTLS-SRTP audio. The ACD rings the agent's endpoint
// (PJSIP/webrtcN) as it rings any phone; this page registers as that endpoint.

import { api, problem } from "./api.js";
import { $, fill, h } from "./dom.js";

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];
const STATUS = {
  off: "未登录", connecting: "连接中…", registered: "已就绪", failed: "登录失败",
  ringing: "来电振铃", talking: "通话中", held: "保持中",
};
// JsSIP's causes, in words the agent can act on.
const CAUSES = {
  "Authentication Error": "话机密码错误", "Connection Error": "无法连接话机服务器",
  "Request Timeout": "话机服务器无应答", Canceled: "对方已挂断", "Terminated": "通话结束",
  "Bye": "通话结束", "User Denied Media Access": "浏览器未允许使用麦克风",
};

const phone = { ua: null, session: null, user: null, wsUrl: null, muted: false, held: false,
  ring: null };

/** The SIP user for an agent's endpoint: a local PJSIP endpoint (no `@trunk`), else null. */
export function sipUserOf(endpoint) {
  const match = /^PJSIP\/([A-Za-z0-9_.-]+)$/.exec(endpoint ?? "");
  return match ? match[1] : null;
}

export function setUpSoftphone() {
  fill($("#phone-keypad"), KEYS.map((key) =>
    h("button", { type: "button", "data-key": key, disabled: true }, key)));
  $("#phone-form").addEventListener("submit", (event) => {
    event.preventDefault();
    register(event.target.password.value);
  });
  $("#phone-unregister").addEventListener("click", unregister);
  $("#phone-answer").addEventListener("click", answer);
  $("#phone-hangup").addEventListener("click", () => phone.session?.terminate());
  $("#phone-mute").addEventListener("click", toggleMute);
  $("#phone-hold").addEventListener("click", toggleHold);
  $("#phone-keypad").addEventListener("click", (event) => {
    const key = event.target.dataset?.key;
    if (key && phone.session?.isEstablished()) phone.session.sendDTMF(key, { duration: 160 });
  });
  window.addEventListener("beforeunload", () => phone.ua?.stop());
}

/** Show the panel for this agent: a browser phone only for a local endpoint. */
export async function offerSoftphone(agent) {
  phone.user = sipUserOf(agent?.endpoint);
  $("#softphone").hidden = false;
  for (const id of ["#phone-form", "#phone-controls", "#phone-keypad"]) $(id).hidden = !phone.user;
  if (!phone.user) return say("本坐席使用桌面话机（" + (agent?.endpoint ?? "未定义") + "）");
  $("#phone-user").value = phone.user;
  const result = await api("GET", "/api/softphone");
  if (!result.ok) return say(problem(result), "error");
  phone.wsUrl = result.data.ws_url;
}

function register(password) {
  if (!window.JsSIP || !phone.user || !phone.wsUrl) return say("软电话组件未加载", "error");
  phone.ua?.stop();
  const host = new URL(phone.wsUrl.replace(/^wss?:/, "https:")).hostname;
  const ua = new window.JsSIP.UA({
    sockets: [new window.JsSIP.WebSocketInterface(phone.wsUrl)],
    uri: `sip:${phone.user}@${host}`, password, register: true, session_timers: false,
    register_expires: 120, user_agent: "hotline12319-console",
  });
  ua.on("connecting", () => show("connecting"));
  ua.on("registered", () => { show("registered"); say(""); togglePanel(true); });
  ua.on("unregistered", () => { show("off"); togglePanel(false); });
  ua.on("registrationFailed", (e) => { show("failed"); say(cause(e.cause), "error"); });
  ua.on("newRTCSession", ({ session, originator }) => {
    if (originator === "remote") incoming(session);
  });
  phone.ua = ua;
  ua.start();
}

function unregister() {
  phone.session?.terminate();
  phone.ua?.stop();
  phone.ua = null;
  show("off");
  togglePanel(false);
}

function incoming(session) {
  if (phone.session) return session.terminate({ status_code: 486 });  // one call at a time
  phone.session = session;
  const from = session.remote_identity?.uri?.user ?? "";
  $("#phone-call").textContent = `来电：${from}`;
  show("ringing");
  startRing();
  session.on("peerconnection", ({ peerconnection }) => listen(peerconnection));
  session.on("confirmed", () => { stopRing(); show("talking"); controls(true); });
  session.on("ended", (e) => finished(e.cause));
  session.on("failed", (e) => finished(e.cause));
  controls(false, { answer: true });
}

function answer() {
  if (!phone.session || phone.session.isEstablished()) return;
  stopRing();
  phone.session.answer({ mediaConstraints: { audio: true, video: false },
    pcConfig: { iceServers: [] } });
}

function listen(peerconnection) {
  peerconnection.addEventListener("track", (event) => {
    $("#phone-audio").srcObject = event.streams[0] ?? new MediaStream([event.track]);
  });
}

function finished(why) {
  stopRing();
  phone.session = null;
  phone.muted = phone.held = false;
  $("#phone-call").textContent = "";
  say(cause(why));
  show(phone.ua?.isRegistered() ? "registered" : "off");
  controls(false);
}

function toggleMute() {
  if (!phone.session) return;
  phone.muted = !phone.muted;
  if (phone.muted) phone.session.mute({ audio: true });
  else phone.session.unmute({ audio: true });
  $("#phone-mute").setAttribute("aria-pressed", String(phone.muted));
  $("#phone-mute").textContent = phone.muted ? "取消静音" : "静音";
}

function toggleHold() {
  if (!phone.session) return;
  phone.held = !phone.held;
  if (phone.held) phone.session.hold();
  else phone.session.unhold();
  $("#phone-hold").setAttribute("aria-pressed", String(phone.held));
  $("#phone-hold").textContent = phone.held ? "恢复通话" : "保持";
  show(phone.held ? "held" : "talking");
}

// A soft two-tone ring while a call waits (WebAudio: no sound file to load).
function startRing() {
  try {
    const audio = new AudioContext();
    const gain = audio.createGain();
    gain.gain.value = 0.05;
    gain.connect(audio.destination);
    const tone = audio.createOscillator();
    tone.frequency.value = 440;
    tone.connect(gain);
    tone.start();
    const timer = setInterval(() => {
      gain.gain.value = gain.gain.value ? 0 : 0.05;
    }, 1000);
    phone.ring = { audio, timer };
  } catch {
    phone.ring = null;  // no audio output: the badge still says 来电振铃
  }
}

function stopRing() {
  if (!phone.ring) return;
  clearInterval(phone.ring.timer);
  phone.ring.audio.close();
  phone.ring = null;
}

function controls(talking, { answer: canAnswer = false } = {}) {
  $("#phone-answer").disabled = !canAnswer;
  $("#phone-hangup").disabled = !(talking || canAnswer);
  for (const id of ["#phone-mute", "#phone-hold"]) $(id).disabled = !talking;
  for (const key of document.querySelectorAll("#phone-keypad button")) key.disabled = !talking;
  if (!talking) {
    $("#phone-mute").textContent = "静音";
    $("#phone-hold").textContent = "保持";
    $("#phone-mute").setAttribute("aria-pressed", "false");
    $("#phone-hold").setAttribute("aria-pressed", "false");
  }
}

function togglePanel(registered) {
  $("#phone-register").hidden = registered;
  $("#phone-unregister").hidden = !registered;
  $("#phone-form").password.disabled = registered;
}

function show(status) {
  const badge = $("#phone-status");
  badge.dataset.status = status;
  badge.textContent = STATUS[status];
}

function cause(why) {
  return CAUSES[why] ?? (why ? `话机：${why}` : "");
}

function say(text, kind = "") {
  const line = $("#phone-message");
  line.textContent = text;
  line.dataset.kind = kind;
}
