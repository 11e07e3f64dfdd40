// fetch() for the JSON API: never throws for an HTTP status; status 0 means unreachable.

import { ERRORS } from "./labels.js";

export async function api(method, path, body) {
  const init = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  try {
    const response = await fetch(path, init);
    let data = null;
    if ((response.headers.get("Content-Type") ?? "").includes("json")) data = await response.json();
    return { status: response.status, ok: response.ok, data };
  } catch (error) {
    return { status: 0, ok: false, data: { error: "network", message: String(error) } };
  }
}

/** The server has no such endpoint (yet): 404, or 405 where only other methods exist. */
export const missing = (result) => (result.status === 404 || result.status === 405) && !result.data;

/** A line a person can read for a failed call: the error id's Chinese words (labels.js). */
export function problem(result) {
  if (result.status === 0) return ERRORS.network;
  if (missing(result)) return `接口尚未提供（${result.status}）`;
  const id = result.data?.error;
  const message = ERRORS[id] ?? result.data?.message ?? id ?? "";
  return `请求失败（${result.status}）${message ? "：" + message : ""}`;
}
