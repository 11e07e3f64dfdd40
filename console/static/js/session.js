// Signing in for the order desk, the supervision screen and the agency portal: the page's
// #login form (user, password), /api/login and /api/me. The server checks every call; the
// page only keeps people out of screens that are not theirs.

import { api, problem } from "./api.js";
import { $ } from "./dom.js";
import { ROLES, label } from "./labels.js";

export async function signIn({ roles, onEnter }) {
  const me = await api("GET", "/api/me");
  if (me.ok) return enter(me.data, roles, onEnter);
  $("#login").hidden = false;
  $("#login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target;
    const result = await api("POST", "/api/login",
      { user: form.user.value.trim(), password: form.password.value });
    if (!result.ok) {
      $("#login-message").textContent = result.status === 401 ? "工号或密码错误" : problem(result);
      return;
    }
    enter(result.data, roles, onEnter);
  });
}

function enter(me, roles, onEnter) {
  $("#login").hidden = true;
  $("#who").hidden = false;
  $("#who").textContent = `${me.name}（${label(ROLES, me.role)}）`;
  $("#sign-off").hidden = false;
  $("#sign-off").addEventListener("click", async () => {
    await api("POST", "/api/logout");
    location.reload();
  });
  if (!roles.includes(me.role)) {
    $("#login").hidden = false;
    $("#login-form").hidden = true;
    $("#login-message").textContent = `本页面不对${label(ROLES, me.role)}开放`;
    return;
  }
  onEnter(me);
}

/** Show a line in a message element: kind "ok" or "error". */
export function say(selector, text, kind = "error") {
  const node = $(selector);
  node.textContent = text;
  node.dataset.kind = kind;
}

export function liveStatus(up) {
  const status = $("#live-status");
  status.dataset.up = String(up);
  status.textContent = up ? "实时连接正常" : "实时连接中断，重连中…";
}
