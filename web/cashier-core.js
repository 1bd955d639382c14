// The cashier page's shared state and small helpers, used by cashier.js and the modules it
// starts (shift, payment, corrections). Nothing here touches the server.
import { formatMoney, parseMoney, problemText } from './app.js';

export const ACTIVE = ['NEW', 'ACCEPTED', 'COOKING', 'READY'];
export const STATUS_TEXT = {
  NEW: 'New', ACCEPTED: 'Accepted', COOKING: 'Cooking', READY: 'Ready', DONE: 'Done', VOIDED: 'Voided',
};
export const PAYMENT_TEXT = {
  UNPAID: 'unpaid', PARTIALLY_PAID: 'part paid', PAID: 'paid', REFUNDED: 'refunded',
};

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

export const tableName = (id) => (state.tables.get(id) || {}).name || 'Table';
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
  if (!order.table_session_id) return 'Takeaway';
  const session = state.sessions.get(order.table_session_id);
  return session ? tableName(session.table_id) : 'Table';
}

/** "5 min", "1 h 20 min": how long ago `since` was. */
export function minutesSince(since) {
  const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(since)) / 60000));
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ''}`;
}

export const clock = (at) => new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/** A discount as a person reads it: "10 %" or "Rp5.000". */
export function discountText(discount) {
  return discount.kind === 'PERCENT' ? `${discount.value / 100} %` : money(discount.value);
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
