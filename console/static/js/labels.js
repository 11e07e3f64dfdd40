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

// -- the order desk, the agency portal and supervision (issue 12) --------------------------

// The lifecycle's states (routing/transitions.py State).
export const ORDER_STATES = {
  created: "已受理",
  dispatched: "已派单",
  received: "已签收",
  handled: "已处理",
  pending: "待办",
  not_handled: "无法处理",
  callback: "回访中",
  closed: "已办结",
};

export const DESK_VIEWS = {
  review: "待审核",
  dispatch: "待派单",
  receipt: "待签收",
  in_progress: "处理中",
  callback: "待回访",
  late: "已超时/将超时",
  all: "全部",
};

export const DEADLINES = {
  dispatch_due: "派单时限",
  receipt_due: "签收时限",
  onsite_due: "到场时限",
  resolve_due: "办结时限",
};

export const URGENCY = { late: "已超时", soon: "将超时", ok: "正常", none: "—" };

// Buttons of the desk (the lifecycle's events) and entries of an order's timeline.
export const ACTIONS = {
  dispatch: "派单",
  answer: "当场答复办结",
  start_callback: "回访",
  close: "关闭（市民满意）",
  reopen: "重办（市民不满意）",
  reclassify: "改类",
};

export const TIMELINE = {
  created: "建单",
  created_from_fallback_message: "留言建单",
  call: "来电",
  survey: "电话回访",
  transcribed: "语音转写",
  corrected: "更正",
  dispatch: "派单",
  receive: "签收",
  return: "退回",
  report_handled: "报告已处理",
  report_not_handled: "报告无法处理",
  request_pending: "申请待办",
  approve_pending_step: "待办审批通过",
  reject_pending_step: "待办审批驳回",
  request_extension: "申请延期",
  approve_extension: "延期批准",
  reject_extension: "延期驳回",
  start_callback: "回访",
  close: "关闭",
  reopen: "重办",
  reclassify: "改类",
  answer: "当场答复",
  repeat_call: "重复来电",
  photo_added: "上传照片",
  classify: "定性",
  arrive: "到场",
  "notice:receipt_overdue": "签收超时提醒",
  "notice:resolve_overdue": "办结超时提醒",
  "notice:duty_call": "值班电话",
  read_order: "查看工单",
  list_orders: "列表查阅",
  list_calls: "通话查阅",
  agency_read_order: "单位查看",
  agency_list_orders: "单位列表查阅",
  play_recording: "收听录音",
  view_photo: "查看照片",
};

export const ROLES = {
  center_staff: "话务员",
  business_section: "业务科",
  supervision_section: "督查科",
  duty_supervisor: "值班督查",
  leader: "中心领导",
  agency: "联动单位",
};

export const CHAIN_STEPS = {
  business_chief: "业务科长审核",
  duty_supervisor: "值班督查审核",
  supervision_evaluation: "督查科长评价",
  leader_signature: "中心领导签字",
  supervision_reply: "督查科长回复",
};

/** "2 小时 05 分" left, or "超时 10 分" past. */
export function timeLeft(seconds) {
  const past = seconds < 0;
  const s = Math.abs(Math.floor(seconds));
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600), mm = Math.floor((s % 3600) / 60);
  const text = d > 0 ? `${d} 天 ${hh} 小时` : hh > 0 ? `${hh} 小时 ${String(mm).padStart(2, "0")} 分`
    : `${mm} 分 ${String(s % 60).padStart(2, "0")} 秒`;
  return past ? `超时 ${text}` : `剩 ${text}`;
}

export function when(iso) {
  return iso ? new Date(iso).toLocaleString("zh-CN", { hour12: false }) : "—";
}
