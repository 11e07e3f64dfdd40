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

// Slugs of routing/agencies/agencies.yaml; routing accepts the slug.
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

// Times are shown in Beijing time whatever the browser's own zone (the API sends offsets).
export const BEIJING = { hour12: false, timeZone: "Asia/Shanghai" };

export function clock(iso) {
  return iso ? new Date(iso).toLocaleTimeString("zh-CN", BEIJING) : "—";
}

// -- the order desk, the agency portal and supervision (issue 12) --------------------------

// The lifecycle's states (routing/orders/transitions.py State).
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

// The SLA table's cases (routing/orders/sla_policy.yaml); a case not named here shows its code.
export const CASES = {
  general: "一般",
  media_exposed: "媒体曝光",
  water_quality: "水质",
  water_pressure: "水压",
  burst: "爆管",
  pipe_lt_100: "管径 <100 mm 抢修",
  pipe_100_300: "管径 100–300 mm 抢修",
  pipe_300_800: "管径 300–800 mm 抢修",
  pipe_ge_1000: "管径 ≥1000 mm 抢修",
  meter_well: "表井 / 阀门井盖缺失",
  meter_replace: "水表损坏更换",
  restore_after_arrears: "缴费后恢复供水",
  cover_missing: "井盖缺失",
  manhole_cover: "检查井盖损坏",
  manhole_major_repair: "检查井大修",
  temperature_test: "室温检测",
  no_gas_low_pressure: "停气 / 低压",
  lpg_indoor_leak: "液化气户内泄漏",
  lpg_bad_combustion: "液化气燃烧不良",
  lpg_delivery: "液化气配送",
  appliance_install: "燃气具安装",
  appliance_repair: "燃气具维修",
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
  return iso ? new Date(iso).toLocaleString("zh-CN", BEIJING) : "—";
}

// The API's stable error ids in the words a user reads (the API keeps the ids; this is the
// one place they become Chinese). tests/unit/test_labels.py checks every id the server can
// answer has a line here.
export const ERRORS = {
  "account-locked": "密码错误次数过多，账号已锁定，请联系班长或业务科解锁",
  "agency-not-assigned": "该工单不属于本单位",
  "agent-exists": "该坐席已存在",
  "agent-needs-center-staff": "只有话务员可以有坐席资料",
  "already-arrived": "已报告到场，无需重复",
  "announcement-closed": "该公告已结束",
  "approval-out-of-order": "审批环节顺序不对",
  "bad-agent-id": "坐席工号格式不对",
  "bad-credentials": "工号或密码错误",
  "bad-date": "日期格式不对",
  "bad-limit": "条数须在 1 到 500 之间",
  "bad-parameter": "查询参数的取值不对",
  "bad-text": "文字中含有无法保存的字符",
  "body-too-large": "提交的内容太大",
  "call-has-order": "该通话已有工单",
  "call-not-found": "找不到该通话",
  "extension-already-open": "已有一个延期申请在审批中",
  "extension-limit-reached": "每张工单最多延期 2 次",
  "extension-not-applicable": "该工单不能申请延期",
  "extension-too-late": "已超过时限，不能再申请延期",
  "incident-exists": "该事件编号已存在",
  "invalid-announcement": "公告内容不完整或不对",
  "invalid-body": "提交的内容不完整或格式不对",
  "invalid-command": "该操作缺少必要信息",
  "invalid-knowledge-entry": "知识条目内容不完整或不对",
  "invalid-skills": "坐席技能只能是行业或综合（general），等级 1–5",
  "invalid-user": "用户信息不对",
  "invalid-utility": "行业不对",
  "malformed-json": "提交的内容无法解析",
  "network": "无法连接服务器",
  "no-agency": "找不到负责的单位，请先补全行业和区县",
  "no-deadlines": "该工单没有时限",
  "no-open-extension": "没有待审批的延期申请",
  "no-recording": "该工单没有录音",
  "no-such-announcement": "找不到该公告",
  "no-such-handover": "找不到该交接班记录",
  "no-such-knowledge-entry": "找不到该知识条目",
  "no-such-photo": "找不到该照片",
  "not-logged-in": "请先登录",
  "notice-too-late": "通知时间已过",
  "order-changed": "工单刚被他人修改，请刷新后再试",
  "order-error": "工单操作失败",
  "order-not-found": "找不到该工单",
  "order-type-not-allowed": "该类工单不能这样处理",
  "order-unclassified": "工单尚未分类（行业、类型）",
  "password-expired": "密码已超过有效期，请先修改密码",
  "photo-empty": "照片是空的",
  "photo-too-large": "照片太大",
  "photo-type": "只接受 JPEG 或 PNG 照片",
  "proposal-decided": "该修改建议已处理",
  "query-missing": "请输入要查询的内容",
  "query-too-long": "查询内容太长",
  "role-not-allowed": "您的岗位无权进行此操作",
  "softphone-off": "本系统未配置网页软电话",
  "same-password": "新密码不能与旧密码相同",
  "service-error": "操作未能完成",
  "supervisor-not-rung": "未能接通班长电话",
  "too-many-attempts": "登录失败次数过多，请稍后再试",
  "too-many-photos": "照片数量已达上限",
  "transition-not-allowed": "工单当前状态下不能进行此操作",
  "unknown-agency": "没有这个联动单位",
  "unknown-case": "没有这种问题类别",
  "unknown-district": "没有这个区县",
  "unknown-parameter": "有不认识的查询参数",
  "user-exists": "该用户已存在",
  "user-not-found": "找不到该用户",
};
