// Chinese labels for the API's codes, and the IVR path made readable.

export const UTILITIES = {
  water: "供水",
  heating: "供热",
  gas: "燃气",
  road_bridge: "路桥",
  river: "河道",
  streetlight: "路灯",
  drainage: "排水",
  flood_control: "城市防汛",
  water_saving: "节水",
};

export const ORDER_TYPES = {
  emergency_repair: "抢修",
  maintenance: "维修",
  complaint: "投诉",
  consultation: "咨询",
  help: "求助",
  suggestion: "建议",
};

export const ORDER_STATUS = {
  created: "已受理",
  dispatched: "已派单",
  in_progress: "处理中",
  closed: "已办结",
};

export const AGENT_STATES = {
  logged_out: "已签出",
  available: "空闲",
  ringing: "振铃",
  on_call: "通话中",
  after_call_work: "话后处理",
  paused: "示忙",
};

export const PAUSE_REASONS = {
  break: "小休",
  meal: "用餐",
  training: "培训",
  meeting: "会议",
  admin: "事务处理",
};

// Slugs of routing/agencies.yaml; routing accepts the slug.
export const DISTRICTS = {
  lixia: "历下区",
  shizhong: "市中区",
  huaiyin: "槐荫区",
  tianqiao: "天桥区",
  licheng: "历城区",
  changqing: "长清区",
  zhangqiu: "章丘区",
  jiyang: "济阳区",
  laiwu: "莱芜区",
  gangcheng: "钢城区",
};

export const OUTCOMES = {
  in_progress: "进行中",
  completed: "已建单",
  abandoned: "放弃",
  answered: "已接听",
  callback: "预约回拨",
  failed: "失败",
};

// The main menu's keys, as in ivr/flows/hotline.yaml (the Utility enum's order).
const MAIN_MENU_KEYS = [null, "water", "heating", "gas", "road_bridge", "river",
  "streetlight", "drainage", "flood_control", "water_saving"];
const TYPE_MENU_KEYS = { 1: "emergency_repair", 2: "maintenance", 3: "complaint", 4: "consultation" };

const NODES = {
  main_menu: "主菜单",
  type_menu: "类型菜单",
  gas_safety: "燃气安全提示",
  describe: "录音描述",
  create_order: "建单",
  readback: "播报工单号",
  goodbye: "结束",
  agent: "人工服务",
  agent_message: "留言",
  agent_order: "留言建单",
  message_readback: "播报工单号",
  hangup: "挂机",
  agent_hangup: "坐席挂机",
  callback: "预约回拨",
};

export const label = (table, code, fallback = "—") =>
  code == null ? fallback : (table[code] ?? code);

function step(entry) {
  const [node, key] = entry.split(":");
  if (key !== undefined) {
    if (node === "agent") return `坐席 ${key}`;
    if (key === "0") return "人工服务";
    if (node === "main_menu") return label(UTILITIES, MAIN_MENU_KEYS[Number(key)], `按键${key}`);
    if (node === "type_menu") return label(ORDER_TYPES, TYPE_MENU_KEYS[key], `按键${key}`);
    return `${label(NODES, node)} ${key}`;
  }
  const [where, what] = entry.split("!");
  if (what !== undefined) {
    const why = /^\d$/.test(what) ? `无效按键${what}` : what === "no_input" ? "未按键" : what;
    return `${label(NODES, where)}（${why}）`;
  }
  return label(NODES, entry);
}

/** ["main_menu:3", "type_menu:0", "agent"] → "燃气 › 人工服务" */
export function pathText(path) {
  const steps = [];
  for (const entry of path ?? []) {
    if (entry === "safety_check" || entry === "create_order" || entry === "agent_order") continue;
    const text = step(entry);
    if (steps[steps.length - 1] !== text) steps.push(text);
  }
  return steps.join(" › ") || "—";
}

/** The utility a call chose, from its path (for calls listed without one). */
export function utilityOfPath(path) {
  const first = (path ?? []).find((p) => p.startsWith("main_menu:"));
  return first ? MAIN_MENU_KEYS[Number(first.split(":")[1])] ?? null : null;
}

export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const mm = String(Math.floor(s / 60)).padStart(2, "0");
  return `${mm}:${String(s % 60).padStart(2, "0")}`;
}

export function clock(iso) {
  return iso ? new Date(iso).toLocaleTimeString("zh-CN", { hour12: false }) : "—";
}
