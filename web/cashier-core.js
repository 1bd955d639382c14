// The cashier page's shared state and small helpers, used by cashier.js and the modules it
// starts (shift, payment, corrections). Nothing here touches the server.
import { formatMoney, parseMoney, problemText } from './app.js';
import { formatTime, has, locale, t } from './i18n.js';

export const ACTIVE = ['NEW', 'ACCEPTED', 'COOKING', 'READY'];

/** A value from the server (an order status, a payment status, a method) for a person: its
 *  words under `cashier.<kind>.<value>`, or the value itself when there are none. */
const named = (kind) => (value) => (has(`cashier.${kind}.${value}`) ? t(`cashier.${kind}.${value}`) : value);
/** `NEW` → "New"; `VOIDED` → "Voided". */
export const statusText = named('status');
/** `UNPAID` → "unpaid"; `PARTIALLY_PAID` → "part paid". */
export const paymentText = named('payment');
/** `CASH` → "cash" (inside a sentence: "Rp20.000 cash"). */
export const methodText = named('method');
/** `CASH` as a heading of the Z report ("CASH" in English, "Tunai" in Indonesian). */
export const methodName = named('method_name');
/** An order's adjustment (`VOID`, `COMP`, `DISCOUNT`, …) in its corrections list. */
export const adjustmentText = named('adjustment');

/** `key_one` for 1, else `key_other`, with `{count}` filled: "1 order", "3 orders". */
export const plural = (key, count, vars = {}) => t(`${key}_${count === 1 ? 'one' : 'other'}`, { ...vars, count });

export const $ = (id) => document.getElementById(id);

export const state = {
  me: null,
  outlet: null,
  drawer: false, // this role takes payments and keeps a shift
  shift: null,
  report: null, // the open shift's Z-report (for expected cash)
  tables: new Map(), // id → table
  sessions: new Map(), // open session id → session
  bills: new Map(), // open session id → its bill (orders and totals)
  takeaway: [], // takeaway orders still in progress or unpaid, oldest first
  menu: null,
  products: new Map(),
  category: 'all', // the menu tab shown
  carts: new Map(), // 'takeaway' or a session id → {lines, key, note}
  view: 'floor', // or 'order'
  target: null, // the ticket shown: {session: id} or {takeaway: true}
  selected: null, // {orderId, itemId?}: the ticket row whose actions show
  item: null, // {product, quantity} in the item dialog
  printers: null, // the outlet's PrinterWatch (app.js): the banner, the drawer's printer
  calls: new Map(), // guests' calls nobody answered yet: id → {id, kind, table_id, table_name, created_at…}
};

/**
 * What the page does after a dialog changed something on the server; cashier.js fills these in.
 * `changed({sessionId, order, orderId, sessions})` re-reads what that touched (a table's bill,
 * a takeaway order as answered or by id, the open tables) and re-renders; `paid()` follows a
 * payment (the shift's expected cash); `showFloor(tableId?)`, `openShift()` switch views.
 */
export const hooks = {
  changed: async () => {},
  paid: async () => {},
  showFloor: () => {},
  openShift: () => {},
};

export const currency = () => (state.outlet && state.outlet.currency) || 'IDR';
export const money = (amount) => formatMoney(amount, currency());
export const amountOf = (id) => parseMoney($(id).value, currency());

export function showError(line, err) {
  if (err && err.status === 401) return;
  line.textContent = typeof err === 'string' ? err : problemText(err);
  line.hidden = false;
}

export const tableName = (id) => (state.tables.get(id) || {}).name || t('cashier.table');
export const sessionOf = (tableId) => [...state.sessions.values()].find((s) => s.table_id === tableId) || null;
export const byName = (a, b) => a.name.localeCompare(b.name, undefined, { numeric: true });

/** Still charged: ordered less voided and comped ("billable"). */
export function left(item) {
  return item.quantity - (item.voided_quantity || 0) - (item.comped_quantity || 0);
}

export function outstanding(order) {
  return order.status === 'VOIDED' ? 0 : Math.max(0, order.total_amount - order.paid_amount);
}

/** Open for corrections: not voided and nothing settled yet (the server refuses the rest). */
export function correctable(order) {
  return order.status !== 'VOIDED' && !['PAID', 'REFUNDED'].includes(order.payment_status);
}

export function where(order) {
  if (!order.table_session_id) return t('cashier.takeaway');
  const session = state.sessions.get(order.table_session_id);
  return session ? tableName(session.table_id) : t('cashier.table');
}

/** "5 min", "1 h 20 min": how long ago `since` was. */
export function minutesSince(since) {
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 60000));
  if (minutes < 60) return t('cashier.age_minutes', { minutes });
  const rest = minutes % 60;
  const hours = Math.floor(minutes / 60);
  return rest ? t('cashier.age_hours_minutes', { hours, minutes: rest }) : t('cashier.age_hours', { hours });
}

export const clock = (at) => formatTime(at);

/** A percent as a person reads it: "10 %", "12.5 %" (a comma in Indonesian: "12,5 %"). */
export const percentText = (bp) => t('cashier.percent', { value: (bp / 100).toLocaleString(locale()) });

/** A discount as a person reads it: "10 %" or "Rp5.000". */
export function discountText(discount) {
  return discount.kind === 'PERCENT' ? percentText(discount.value) : money(discount.value);
}

/** The session or takeaway orders the ticket shows, oldest first. */
export function ticketOrders() {
  const target = state.target;
  if (!target) return [];
  const orders = target.takeaway ? state.takeaway : ((state.bills.get(target.session) || {}).orders || []);
  return [...orders].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));
}

/** The order with this id on the ticket (or any bill), or null. */
export function findOrder(id) {
  for (const bill of state.bills.values()) {
    const order = (bill.orders || []).find((o) => o.id === id);
    if (order) return order;
  }
  return state.takeaway.find((o) => o.id === id) || null;
}
