// `/cashier` (KASIR, WAITER, MANAGER, OWNER): a tablet-first till. The floor view shows every
// table as a tile (free, open, ordered, paid; how long it has been open) and takeaway; a tap
// opens the order view: the menu on one side, the table's ticket on the other (its orders with
// voids, comps and discounts, the dishes not sent yet, the totals, Pay). Corrections, the
// payment screen and the shift panel live in cashier-fix.js, cashier-pay.js, cashier-shift.js.
// Bills and receipts print from the ticket; a banner says when a printer needs a hand.
// Everything follows the live socket. Waiters keep no drawer: no shift, no payments.
import {
  beep, chooseOutlet, h, Live, newKey, optionNames, PrinterWatch, problemText, replaceChanged, retryTransient,
  sendToPrinter, staff, staffAll, staffApi, staffPage, toast, unitPrice, unlockAudio,
} from './app.js';
import { t } from './i18n.js';
import {
  $, ACTIVE, adjustmentText, byName, clock, correctable, discountText, findOrder, hooks, left, minutesSince, money,
  outstanding, paymentText, plural, sessionOf, showError, state, statusText, tableName, ticketOrders, where,
} from './cashier-core.js';
import {
  openClose, openDiscount, openPicker, openSplit, openVoid, removeDiscount, setUpCorrections, showQr, splittable,
} from './cashier-fix.js';
import { openRefund, payOrder, paySession, setUpPayment } from './cashier-pay.js';
import { loadReport, loadShift, openShiftPanel, setUpShift } from './cashier-shift.js';

const DAY = 24 * 60 * 60 * 1000;

// ---- loading -------------------------------------------------------------------------------

async function loadTables() {
  const tables = await staffAll(`/outlets/${state.outlet.id}/tables?active=true`);
  state.tables = new Map(tables.map((table) => [table.id, table]));
}

/** Sessions this page opened, with when (`performance.now()`), for `loadSessions`. */
const openedHere = new Map();

/** The open sessions, and the bill of each one not read yet (or of all, `every`). */
async function loadSessions({ every = false } = {}) {
  const asked = performance.now();
  const sessions = await staffAll(`/table-sessions?outlet_id=${state.outlet.id}&status=OPEN`);
  const fresh = new Map(sessions.map((s) => [s.id, s]));
  // A table tapped open here while this list was on its way is not in it: keep it.
  for (const [id, at] of openedHere) if (at >= asked && state.sessions.has(id)) fresh.set(id, state.sessions.get(id));
  state.sessions = fresh;
  for (const id of state.bills.keys()) if (!state.sessions.has(id)) state.bills.delete(id);
  const unread = sessions.filter((s) => every || !state.bills.has(s.id));
  await Promise.all(unread.map((s) => readBill(s.id)));
}

async function readBill(sessionId) {
  try {
    state.bills.set(sessionId, await staffApi(`/table-sessions/${sessionId}/bill`));
  } catch (err) {
    if (err.status === 404 || err.status === 410) state.bills.delete(sessionId);
    else throw err;
  }
}

/** A takeaway order stays on the takeaway ticket while the kitchen has it or it is unpaid. */
const inProgress = (order) => !order.table_session_id && order.status !== 'VOIDED'
  && (ACTIVE.includes(order.status) || outstanding(order) > 0);

/** Takeaway orders of the last day still in progress or unpaid. */
async function loadTakeaway() {
  const since = new Date(Date.now() - DAY).toISOString();
  const orders = await staffAll(`/orders?outlet_id=${state.outlet.id}&created_after=${encodeURIComponent(since)}`);
  state.takeaway = orders.filter(inProgress);
}

/** Puts a changed order into the takeaway list, or takes it out (paid and done, moved). */
function upsertTakeaway(order) {
  state.takeaway = state.takeaway.filter((o) => o.id !== order.id);
  if (inProgress(order)) state.takeaway.push(order);
}

async function reloadAll() {
  await Promise.all([
    loadTables().then(() => loadSessions({ every: true })),
    loadTakeaway(),
    loadMenu(),
    loadShift(),
    // Calls are read with the rest; without them the till still works.
    loadCalls().catch(() => {}),
    // The till works without its printers: a failed read only leaves the banner as it was.
    state.printers.load().catch(() => {}),
  ]);
  keepTarget();
  render();
}

/** Re-reads what a dialog changed (see `hooks` in cashier-core.js), then shows it. */
async function changed({ sessionId = null, order = null, orderId = null, sessions = false } = {}) {
  try {
    if (sessions) await loadSessions();
    if (sessionId) await readBill(sessionId);
    if (order) upsertTakeaway(order);
    // An order that moved onto a table: that table's bill changed too.
    if (order && order.table_session_id && order.table_session_id !== sessionId) await readBill(order.table_session_id);
    if (!sessionId && orderId) upsertTakeaway(await staffApi(`/orders/${orderId}`));
    if (!sessionId && !order && !orderId && !sessions) await loadTakeaway();
  } catch (err) {
    if (err.status !== 401) toast(t('cashier.could_not_refresh', { problem: problemText(err) }), 'error');
  }
  keepTarget();
  render();
}

// ---- views ---------------------------------------------------------------------------------

function render() {
  renderCalls();
  renderFloor();
  if (state.view === 'order') renderTicket();
}

/** Back to the tables; the tile of the table just shown (or `tableId`) gets the focus. */
function showFloor(tableId = null) {
  const from = state.target && state.target.session ? state.sessions.get(state.target.session) : null;
  const focus = tableId || (from && from.table_id);
  state.view = 'floor';
  state.target = null;
  state.selected = null;
  document.body.dataset.view = 'floor';
  $('order-view').hidden = true;
  $('floor-view').hidden = false;
  renderFloor();
  const tile = focus ? document.querySelector(`[data-table-id="${focus}"] .table-tile`) : $('takeaway-tile');
  if (tile) tile.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

/** The order view of a table's session (`{session}`) or of takeaway (`{takeaway: true}`). */
function showTicket(target) {
  const same = state.target && state.target.session === target.session && state.target.takeaway === target.takeaway;
  state.view = 'order';
  state.target = target;
  if (!same) state.selected = null;
  document.body.dataset.view = 'order';
  $('floor-view').hidden = true;
  $('order-view').hidden = false;
  toggleTableActions(false);
  $('order-note').value = cart().note;
  $('order-error').hidden = true;
  renderTicket();
  window.scrollTo(0, 0);
  $('ticket-title').focus({ preventScroll: true });
}

/** The ticket shown lost its table (closed, merged away elsewhere): back to the floor. */
function keepTarget() {
  const target = state.target;
  if (state.view !== 'order' || !target || !target.session || state.sessions.has(target.session)) return;
  toast(t('cashier.table_was_closed'));
  showFloor();
}

// ---- floor ---------------------------------------------------------------------------------

/** free: no session; open: nothing ordered; ordered: something unpaid; paid: all settled. */
function tileState(session) {
  if (!session) return 'free';
  const bill = state.bills.get(session.id);
  const orders = bill ? bill.orders.filter((o) => o.status !== 'VOIDED') : [];
  if (!orders.length) return 'open';
  return orders.some((o) => outstanding(o) > 0) ? 'ordered' : 'paid';
}

function renderFloor() {
  const tables = [...state.tables.values()].sort(byName);
  // A live update redraws the tiles: the one with the focus keeps it.
  const active = document.activeElement;
  const focused = active && $('table-list').contains(active) ? (active.closest('[data-table-id]') || active) : null;
  const refocus = focused && (focused.dataset.tableId ? `[data-table-id="${focused.dataset.tableId}"] .table-tile` : '#takeaway-tile');
  const tiles = [takeawayTile(), ...tables.map(tableTile)];
  if (!tables.length) tiles.push(h('li', { class: 'hint' }, t('cashier.no_tables')));
  replaceChanged($('table-list'), tiles);
  if (refocus) document.querySelector(refocus)?.focus({ preventScroll: true });
}

function unsentCount(key) {
  const kept = state.carts.get(key);
  return kept ? kept.lines.reduce((sum, l) => sum + l.quantity, 0) : 0;
}

function tableTile(table) {
  const session = sessionOf(table.id);
  const tile = tileState(session);
  const bill = session ? state.bills.get(session.id) : null;
  const orders = bill ? bill.orders.filter((o) => o.status !== 'VOIDED').length : 0;
  const unsent = session ? unsentCount(session.id) : 0;
  return h('li', {
    class: 'tile-cell',
    dataset: { tableId: table.id, state: tile, open: session ? '1' : '0', sessionId: session ? session.id : '' },
  }, h('button', {
    type: 'button',
    class: `table-tile tile-${tile}`,
    onclick: (event) => tapTable(table, event.currentTarget),
  },
  h('span', { class: 'tile-name' }, table.name),
  h('span', { class: 'tile-state' }, orders
    ? t('cashier.tile_state_orders', { state: t(`cashier.tile.${tile}`), orders: plural('cashier.orders', orders) })
    : t(`cashier.tile.${tile}`)),
  session
    ? h('span', { class: 'tile-age', dataset: { since: session.opened_at } }, minutesSince(session.opened_at))
    : h('span', { class: 'tile-seats' }, plural('cashier.seats', table.capacity)),
  callBadges(table.id),
  bill && bill.outstanding > 0 ? h('span', { class: 'tile-due' }, t('cashier.amount_due', { amount: money(bill.outstanding) })) : null,
  unsent ? h('span', { class: 'tile-unsent' }, t('cashier.not_sent', { count: unsent })) : null));
}

function takeawayTile() {
  const orders = state.takeaway;
  const due = orders.reduce((sum, o) => sum + outstanding(o), 0);
  const unsent = unsentCount('takeaway');
  return h('li', { class: 'tile-cell takeaway-cell' }, h('button', {
    type: 'button',
    id: 'takeaway-tile',
    class: 'table-tile tile-takeaway',
    onclick: () => showTicket({ takeaway: true }),
  },
  h('span', { class: 'tile-name' }, t('cashier.takeaway')),
  h('span', { class: 'tile-state' }, orders.length ? t('cashier.in_progress', { count: orders.length }) : t('cashier.new_takeaway')),
  due ? h('span', { class: 'tile-due' }, t('cashier.amount_due', { amount: money(due) })) : null,
  unsent ? h('span', { class: 'tile-unsent' }, t('cashier.not_sent', { count: unsent })) : null));
}

/** A free table opens (`POST /table-sessions`); either way its ticket shows. */
async function tapTable(table, button) {
  const session = sessionOf(table.id);
  if (session) {
    showTicket({ session: session.id });
    return;
  }
  button.disabled = true;
  try {
    // Opening an open table answers the same session: a double tap opens it once.
    const opened = await staffApi('/table-sessions', { method: 'POST', body: { table_id: table.id } });
    state.sessions.set(opened.id, opened);
    openedHere.set(opened.id, performance.now());
    await readBill(opened.id);
    showTicket({ session: opened.id });
    toast(t('cashier.table_opened', { table: table.name }));
  } catch (err) {
    if (err.status !== 401) toast(t('cashier.could_not_open_table', { table: table.name, problem: problemText(err) }), 'error');
  } finally {
    button.disabled = false;
  }
}

/** Every half minute: the tiles' and the ticket's "open for" times. */
function tick() {
  for (const label of document.querySelectorAll('.tile-age')) label.textContent = minutesSince(label.dataset.since);
  for (const label of document.querySelectorAll('.call-age')) label.textContent = callAge(label.dataset.since);
  if (state.view === 'order') renderTicketHead();
}

// ---- the ticket ----------------------------------------------------------------------------

const currentSession = () => (state.target && state.target.session ? state.sessions.get(state.target.session) : null);

function renderTicketHead() {
  const session = currentSession();
  const orders = ticketOrders().filter((o) => o.status !== 'VOIDED');
  $('ticket-title').textContent = session ? tableName(session.table_id) : t('cashier.takeaway');
  const count = plural('cashier.orders', orders.length);
  $('ticket-meta').textContent = session
    ? t('cashier.ticket_meta_table', { age: minutesSince(session.opened_at), orders: count })
    : t('cashier.ticket_meta_takeaway', { orders: count });
  $('ticket-qr').hidden = !session;
  $('table-actions-toggle').hidden = !session;
  if (!session) $('table-actions').hidden = true;
}

function renderTicket() {
  if (state.view !== 'order' || !state.target) return;
  renderTicketHead();
  const orders = ticketOrders();
  const body = $('ticket-body');
  const scroll = body.scrollTop; // a live update must not jump the list
  const focus = focusKey();
  $('order-list').replaceChildren(...orders.map(orderRow));
  $('ticket-empty').hidden = orders.length > 0;
  if (focus) document.querySelector(focus)?.focus({ preventScroll: true });
  body.scrollTop = scroll;
  renderCart();
  renderTotals(orders);
  renderPayButton();
  document.body.dataset.ticket = String(Number(document.body.dataset.ticket || 0) + 1);
}

/** A selector for the focused control of the ticket, to focus its twin once redrawn. */
function focusKey() {
  const el = document.activeElement;
  if (!el || !$('order-list').contains(el) || !el.classList.length) return null;
  const row = el.closest('.order-row');
  const line = el.closest('.ticket-line');
  return [
    `.order-row[data-order-id="${row.dataset.orderId}"]`,
    line ? `.ticket-line[data-item-id="${line.dataset.itemId}"]` : null,
    `.${el.classList[0]}`,
  ].filter(Boolean).join(' ');
}

/** Taps a row of the ticket: its actions show (and the last ones hide). */
function select(orderId, itemId = null) {
  const now = state.selected;
  const same = now && now.orderId === orderId && (now.itemId || null) === itemId;
  state.selected = same ? null : { orderId, itemId };
  renderTicket();
}

const isSelected = (order, item = null) => Boolean(state.selected && state.selected.orderId === order.id
  && (state.selected.itemId || null) === (item ? item.id : null));

function orderRow(order) {
  const selected = isSelected(order);
  const live = order.status !== 'VOIDED';
  const from = order.split_from ? findOrder(order.split_from) : null;
  const actions = orderActions(order);
  const orderDiscounts = (order.discounts || []).filter((d) => !d.item_id);
  return h('li', {
    class: `order-row${selected ? ' selected' : ''}${live ? '' : ' voided-order'}`,
    dataset: { orderId: order.id, number: String(order.number), status: order.status, paid: order.payment_status },
  },
  h(actions.length ? 'button' : 'div', {
    type: actions.length ? 'button' : undefined,
    class: 'order-main',
    'aria-expanded': actions.length ? String(selected) : undefined,
    onclick: actions.length ? () => select(order.id) : undefined,
  },
  h('span', { class: 'number' }, `#${order.number}`),
  h('span', { class: 'order-when' }, [
    order.table_session_id ? null : t('cashier.takeaway'),
    clock(order.created_at),
    order.source === 'QR' ? t('cashier.by_the_guest') : null,
    order.split_from ? (from ? t('cashier.split_from', { number: from.number }) : t('cashier.split_from_another')) : null,
  ].filter(Boolean).join(' · ')),
  h('span', { class: 'order-sum' }, money(order.total_amount)),
  h('span', { class: 'order-chips' },
    h('span', { class: `status status-${order.status}` }, statusText(order.status)),
    h('span', { class: `pay-state pay-${order.payment_status}` }, paymentText(order.payment_status)))),
  h('div', { class: 'action-strip order-actions', hidden: !selected || !actions.length }, actions),
  h('ul', { class: 'order-lines' }, order.items.map((item) => lineRow(order, item))),
  orderDiscounts.length ? h('ul', { class: 'discount-list' }, orderDiscounts.map((d) => discountRow(order, d, t('cashier.order_discount')))) : null,
  order.note ? h('p', { class: 'note' }, `“${order.note}”`) : null,
  corrections(order));
}

function orderActions(order) {
  const editable = correctable(order);
  const elsewhere = [...state.sessions.keys()].some((id) => id !== order.table_session_id);
  return [
    state.drawer && outstanding(order) > 0
      ? h('button', {
        type: 'button',
        class: 'primary pay',
        'aria-label': t('cashier.pay_order_label', { number: order.number }),
        onclick: () => payOrder(order),
      }, t('cashier.pay_order', { number: order.number, amount: money(outstanding(order)) }))
      : null,
    state.drawer && editable
      ? h('button', { type: 'button', class: 'order-discount', onclick: () => openDiscount(order) }, t('cashier.discount'))
      : null,
    splittable(order)
      ? h('button', { type: 'button', class: 'order-split', onclick: () => openSplit(order) }, t('cashier.split'))
      : null,
    order.status !== 'VOIDED' && elsewhere
      ? h('button', { type: 'button', class: 'order-move', onclick: () => openPicker('order-move', { order }) }, t('cashier.move_order'))
      : null,
    order.status !== 'VOIDED' && ['UNPAID', 'PARTIALLY_PAID'].includes(order.payment_status)
      ? h('button', {
        type: 'button',
        class: 'order-print-bill',
        'aria-label': t('cashier.print_bill_label', { number: order.number }),
        onclick: (e) => printOrder(order, 'BILL', e.currentTarget),
      }, t('cashier.print_bill'))
      : null,
    order.status !== 'VOIDED' && order.payment_status === 'PAID'
      ? h('button', {
        type: 'button',
        class: 'order-print-receipt',
        'aria-label': t('cashier.print_receipt_label', { number: order.number }),
        onclick: (e) => printOrder(order, 'RECEIPT', e.currentTarget),
      }, t('cashier.print_receipt'))
      : null,
  ].filter(Boolean);
}

/** Sends an order's bill or receipt to the receipt printer (a second receipt prints COPY). */
async function printOrder(order, kind, button) {
  button.disabled = true;
  await sendToPrinter(`/orders/${order.id}/print`, { kind });
  button.disabled = false;
}

/** The whole table's bill: every order of the session that is not voided. */
async function printTable(sessionId) {
  const button = $('table-print');
  button.disabled = true;
  await sendToPrinter(`/table-sessions/${sessionId}/print`, {});
  button.disabled = false;
}

function lineRow(order, item) {
  const billable = left(item);
  const selected = isSelected(order, item);
  const actions = [
    correctable(order) && billable > 0
      ? h('button', {
        type: 'button',
        class: 'void small',
        'aria-label': t('cashier.void_label', { name: item.name, number: order.number }),
        onclick: () => openVoid(order, item),
      }, t('cashier.void_comp'))
      : null,
    state.drawer && correctable(order) && billable > 0
      ? h('button', {
        type: 'button',
        class: 'item-discount small',
        'aria-label': t('cashier.item_discount_label', { name: item.name, number: order.number }),
        onclick: () => openDiscount(order, item),
      }, t('cashier.discount'))
      : null,
  ].filter(Boolean);
  const mods = (item.modifiers || []).map((m) => m.option_name).join(', ');
  const itemDiscounts = (order.discounts || []).filter((d) => d.item_id === item.id);
  return h('li', { class: `ticket-line${selected ? ' selected' : ''}${billable ? '' : ' all-off'}`, dataset: { itemId: item.id } },
    h(actions.length ? 'button' : 'div', {
      type: actions.length ? 'button' : undefined,
      class: 'line-main',
      'aria-expanded': actions.length ? String(selected) : undefined,
      onclick: actions.length ? () => select(order.id, item.id) : undefined,
    },
    h('span', { class: 'line-what' },
      h('span', { class: 'qty' }, `${billable}× `), h('span', { class: 'name' }, item.name),
      item.voided_quantity ? [' ', h('s', { class: 'voided' }, t('cashier.voided_quantity', { count: item.voided_quantity }))] : null,
      item.comped_quantity ? [' ', h('span', { class: 'comped' }, t('cashier.comped_quantity', { count: item.comped_quantity }))] : null,
      mods ? h('span', { class: 'mods' }, mods) : null,
      item.note ? h('span', { class: 'note' }, `“${item.note}”`) : null),
    h('span', { class: 'line-total' }, money(item.line_total))),
    h('div', { class: 'action-strip line-actions', hidden: !selected || !actions.length }, actions),
    itemDiscounts.length ? h('ul', { class: 'discount-list' }, itemDiscounts.map((d) => discountRow(order, d, t('cashier.discount')))) : null);
}

/** Who may take a discount back: whoever gave it, or a manager (the server checks too). */
const mayRemove = (discount) => ['OWNER', 'MANAGER'].includes(state.me.role) || discount.created_by === state.me.id;

/** A discount on the ticket, with a × to take it back while the order is not settled. */
function discountRow(order, discount, label) {
  return h('li', { class: 'discount-row', dataset: { discountId: discount.id } },
    h('span', { class: 'discount-what' }, t('cashier.discount_row', { label, value: discountText(discount) }), discount.reason ? h('span', { class: 'hint' }, ` · ${discount.reason}`) : null),
    h('span', { class: 'discount-amount' }, `−${money(discount.amount)}`),
    state.drawer && correctable(order) && mayRemove(discount)
      ? h('button', {
        type: 'button',
        class: 'remove-discount',
        'aria-label': t('cashier.remove_discount_label', { value: discountText(discount) }),
        onclick: (event) => removeDiscount(order, discount, event.currentTarget),
      }, '×')
      : null);
}


/** Who corrected what and why (the order's adjustments), folded away. */
function corrections(order) {
  const adjustments = order.adjustments || [];
  if (!adjustments.length) return null;
  const itemName = (id) => (order.items.find((i) => i.id === id) || {}).name;
  return h('details', { class: 'order-history' },
    h('summary', {}, t('cashier.corrections', { count: adjustments.length })),
    h('ul', {}, adjustments.map((a) => h('li', {},
      `${clock(a.created_at)} ${adjustmentText(a.kind)}`,
      a.quantity ? ` ${a.quantity}×` : '',
      a.item_id && itemName(a.item_id) ? ` ${itemName(a.item_id)}` : '',
      a.amount ? ` (${money(a.amount)})` : '',
      a.reason ? ` — ${a.reason}` : '',
      a.created_by_name ? ` · ${a.created_by_name}` : ''))));
}

/** The table's bill, or for takeaway the sum of the orders in progress. */
function ticketSums(orders) {
  const session = currentSession();
  const bill = session ? state.bills.get(session.id) : null;
  if (bill) {
    return {
      subtotal: bill.subtotal,
      discount: bill.discount_amount || 0,
      service: bill.service_charge_amount,
      tax: bill.tax_amount,
      total: bill.total_amount,
      paid: bill.paid_amount,
      due: bill.outstanding,
    };
  }
  const live = orders.filter((o) => o.status !== 'VOIDED');
  const sum = (pick) => live.reduce((total, o) => total + (pick(o) || 0), 0);
  return {
    subtotal: sum((o) => o.subtotal),
    discount: sum((o) => o.discount_amount),
    service: sum((o) => o.service_charge_amount),
    tax: sum((o) => o.tax_amount),
    total: sum((o) => o.total_amount),
    paid: sum((o) => o.paid_amount),
    due: sum(outstanding),
  };
}

function renderTotals(orders) {
  const sums = ticketSums(orders);
  const row = (label, value, id, extra = '') => [
    h('dt', { class: extra }, label),
    h('dd', { class: extra, id }, value),
  ];
  $('ticket-totals').replaceChildren(
    ...row(t('cashier.subtotal'), money(sums.subtotal), 'ticket-subtotal'),
    ...(sums.discount ? row(t('cashier.discount'), `−${money(sums.discount)}`, 'ticket-discount', 'discount') : []),
    ...row(t('cashier.service'), money(sums.service), 'ticket-service'),
    ...row(t('cashier.tax'), money(sums.tax), 'ticket-tax'),
    ...row(t('cashier.total'), money(sums.total), 'ticket-total', 'total'),
    ...(sums.paid ? row(t('cashier.paid'), money(sums.paid), 'ticket-paid') : []),
    ...row(t('cashier.due'), money(sums.due), 'ticket-due', 'due'),
  );
  const unsent = cart().lines.reduce((n, l) => n + l.quantity, 0);
  $('jump-to-ticket').textContent = unsent
    ? t('cashier.jump_unsent', { count: unsent, amount: money(sums.due) })
    : t('cashier.jump', { amount: money(sums.due) });
}

/**
 * What the big button does: pay the one unpaid order (per-order endpoint), pay the table
 * (several unpaid orders: the session endpoint), close a settled table; for takeaway, pay the
 * order tapped (or the only unpaid one).
 */
function payPlan() {
  const unpaid = ticketOrders().filter((o) => outstanding(o) > 0);
  if (state.target.takeaway) {
    const chosen = state.selected && unpaid.find((o) => o.id === state.selected.orderId);
    if (chosen || unpaid.length === 1) return { mode: 'order', order: chosen || unpaid[0] };
    return { mode: 'none', text: unpaid.length ? t('cashier.tap_order_to_pay') : t('cashier.nothing_to_pay') };
  }
  if (!unpaid.length) return { mode: 'close' };
  if (unpaid.length === 1) return { mode: 'order', order: unpaid[0] };
  return { mode: 'session', due: unpaid.reduce((sum, o) => sum + outstanding(o), 0) };
}

function renderPayButton() {
  const button = $('ticket-pay');
  if (!state.drawer) return;
  const plan = payPlan();
  button.dataset.mode = plan.mode;
  button.disabled = plan.mode === 'none';
  button.classList.toggle('primary', plan.mode !== 'close');
  button.textContent = {
    order: () => (state.target.takeaway
      ? t('cashier.pay_order', { number: plan.order.number, amount: money(outstanding(plan.order)) })
      : t('cashier.pay_amount', { amount: money(outstanding(plan.order)) })),
    session: () => t('cashier.pay_table_amount', { amount: money(plan.due) }),
    close: () => t('cashier.close_table'),
    none: () => plan.text,
  }[plan.mode]();
}

function tapPay() {
  const plan = payPlan();
  if (plan.mode === 'order') payOrder(plan.order);
  else if (plan.mode === 'session') paySession(state.target.session);
  else if (plan.mode === 'close') openClose(state.target.session);
}

function toggleTableActions(show = $('table-actions').hidden) {
  $('table-actions').hidden = !show;
  $('table-actions-toggle').setAttribute('aria-expanded', String(show));
}

/** A table action from the strip: the strip folds away, the action's dialog opens. */
function tableAction(action) {
  toggleTableActions(false);
  if (state.target && state.target.session) action(state.target.session);
}

// ---- the menu ------------------------------------------------------------------------------

async function loadMenu() {
  state.menu = await staffApi(`/menu?outlet_id=${state.outlet.id}`);
  state.products = new Map();
  for (const section of state.menu.categories) {
    for (const product of section.products) state.products.set(product.id, product);
  }
  renderMenu();
}

const sectionKey = (section) => section.id || 'none';

function renderMenu() {
  const sections = state.menu ? state.menu.categories.filter((c) => c.products.length) : [];
  if (state.category !== 'all' && !sections.some((s) => sectionKey(s) === state.category)) state.category = 'all';
  const tab = (key, name) => h('button', {
    type: 'button',
    class: 'category-tab',
    'aria-pressed': String(state.category === key),
    dataset: { categoryId: key },
    onclick: () => {
      state.category = key;
      renderMenu();
      $('menu-products').scrollTop = 0;
    },
  }, name);
  $('category-tabs').replaceChildren(tab('all', t('cashier.all')), ...sections.map((s) => tab(sectionKey(s), s.name || t('cashier.other_category'))));
  $('menu-products').replaceChildren(...sections.map((section) => h('div', {
    class: 'menu-section',
    hidden: state.category !== 'all' && state.category !== sectionKey(section),
  },
  h('h3', { class: 'label' }, section.name || t('cashier.other_category')),
  h('div', { class: 'menu-buttons' }, section.products.map((product) => h('button', {
    type: 'button',
    class: 'menu-item',
    disabled: !product.available,
    dataset: { productId: product.id },
    onclick: () => pickProduct(product),
  },
  thumbnail(product),
  h('span', { class: 'product-name' }, product.name),
  h('span', { class: 'product-price' }, product.available ? money(product.price) : t('cashier.sold_out')),
  h('span', { class: 'in-cart', hidden: true })))))));
  if (!sections.length) $('menu-products').append(h('p', { class: 'hint' }, t('cashier.menu_empty')));
  markCartOnMenu();
}

/** The dish's photo, small and of a fixed size (the grid does not jump as photos arrive);
 *  nothing at all without one. The name beside it says what it is: no alt text. */
function thumbnail(product) {
  if (!product.image_url) return null;
  const sep = product.image_url.includes('?') ? '&' : '?';
  return h('img', {
    class: 'menu-thumb',
    src: `${product.image_url}${sep}size=thumb`,
    alt: '',
    loading: 'lazy',
    decoding: 'async',
    width: '256',
    height: '256',
  });
}

/** The count of each dish in the cart, on its menu button. */
function markCartOnMenu() {
  const counts = new Map();
  for (const line of cart().lines) counts.set(line.product.id, (counts.get(line.product.id) || 0) + line.quantity);
  for (const button of document.querySelectorAll('#menu-products .menu-item')) {
    const badge = button.querySelector('.in-cart');
    const count = counts.get(button.dataset.productId) || 0;
    badge.hidden = !count;
    badge.textContent = count ? t('cashier.in_cart', { count }) : '';
  }
}

function pickProduct(product) {
  // The menu shows with a ticket; a dish picked without one starts a takeaway order.
  if (!state.target) showTicket({ takeaway: true });
  if (!(product.modifier_groups || []).length) {
    addLine({ product, quantity: 1, options: [], note: '' });
    return;
  }
  state.item = { product, quantity: 1 };
  $('item-title').textContent = `${product.name} · ${money(product.price)}`;
  $('item-note').value = '';
  $('item-error').hidden = true;
  $('item-qty').textContent = '1';
  $('item-groups').replaceChildren(...product.modifier_groups.map((group) => {
    const single = group.max_select === 1;
    const rule = group.min_select === group.max_select
      ? t('cashier.choose_exactly', { count: group.min_select })
      : group.min_select
        ? t('cashier.choose_range', { min: group.min_select, max: group.max_select })
        : t('cashier.choose_up_to', { max: group.max_select });
    return h('fieldset', { class: 'group', dataset: { groupId: group.id, min: String(group.min_select), max: String(group.max_select) } },
      h('legend', { dataset: { name: group.name } }, t('cashier.group_rule', { name: group.name, rule })),
      group.options.map((option) => {
        const id = `item-opt-${option.id}`;
        return h('div', { class: `option${option.available ? '' : ' sold-out'}` },
          h('input', { id, type: single ? 'radio' : 'checkbox', name: `g-${group.id}`, value: option.id, disabled: !option.available }),
          h('label', { for: id }, option.name, option.price_delta ? ` (+${money(option.price_delta)})` : ''));
      }));
  }));
  $('item-dialog').showModal();
}

function addItemFromDialog(event) {
  event.preventDefault();
  const { product, quantity } = state.item;
  const options = [];
  for (const box of document.querySelectorAll('#item-groups fieldset')) {
    const chosen = [...box.querySelectorAll('input:checked')].map((i) => i.value);
    const min = Number(box.dataset.min);
    const max = Number(box.dataset.max);
    if (chosen.length < min || chosen.length > max) {
      const name = box.querySelector('legend').dataset.name;
      const rule = min === max ? t('cashier.choose_exactly', { count: min }) : t('cashier.choose_between', { min, max });
      showError($('item-error'), t('cashier.group_error', { name, rule }));
      return;
    }
    options.push(...chosen);
  }
  addLine({ product, quantity, options, note: $('item-note').value.trim() });
  $('item-dialog').close();
}

// ---- the cart: dishes not sent yet, one per ticket -----------------------------------------

const cartKey = () => (state.target && state.target.session) || 'takeaway';

/** The ticket's cart: a waiter may start two tables' orders and send each when ready. */
function cart() {
  const key = cartKey();
  if (!state.carts.has(key)) state.carts.set(key, { lines: [], key: null, note: '' });
  return state.carts.get(key);
}

function addLine({ product, quantity, options, note }) {
  const lines = cart().lines;
  const same = lines.find((l) => l.product.id === product.id && !note && !l.note && l.options.join() === options.join());
  if (same) same.quantity += quantity;
  else lines.push({ product, quantity, options, note });
  cartChanged();
  // Keep the dish just added in sight at the foot of the ticket.
  if (window.matchMedia('(min-width: 45rem)').matches) {
    const body = $('ticket-body');
    body.scrollTop = body.scrollHeight;
  }
}

function cartChanged() {
  cart().key = null; // another cart is another order
  $('order-error').hidden = true;
  renderCart();
  renderTotals(ticketOrders());
}

function renderCart() {
  const lines = cart().lines;
  $('cart-empty').hidden = lines.length > 0;
  $('cart-note').hidden = !lines.length;
  $('cart-lines').replaceChildren(...lines.map((line, index) => h('li', { class: 'cart-line' },
    h('div', { class: 'cart-line-main' },
      h('span', { class: 'product-name' }, line.product.name),
      line.options.length ? h('span', { class: 'mods' }, optionNames(line.product, line.options).join(', ')) : null,
      line.note ? h('span', { class: 'note' }, `“${line.note}”`) : null),
    h('div', { class: 'stepper' },
      h('button', {
        type: 'button',
        'aria-label': t('cashier.one_less', { name: line.product.name }),
        onclick: () => {
          line.quantity -= 1;
          if (line.quantity <= 0) lines.splice(index, 1);
          cartChanged();
        },
      }, '−'),
      h('output', {}, String(line.quantity)),
      h('button', {
        type: 'button',
        'aria-label': t('cashier.one_more', { name: line.product.name }),
        onclick: () => { line.quantity += 1; cartChanged(); },
      }, '+')),
    h('span', { class: 'line-total' }, money(unitPrice(line.product, line.options) * line.quantity)))));
  const total = lines.reduce((sum, l) => sum + unitPrice(l.product, l.options) * l.quantity, 0);
  $('order-submit').disabled = !lines.length;
  $('order-submit').hidden = !lines.length; // room for the ticket until there is something to send
  $('order-submit').textContent = lines.length ? t('cashier.send_order_amount', { amount: money(total) }) : t('cashier.send_order');
  markCartOnMenu();
}

async function placeOrder() {
  const button = $('order-submit');
  const kept = cart();
  if (button.disabled || !kept.lines.length) return;
  const target = state.target;
  button.disabled = true;
  $('order-error').hidden = true;
  // One key per cart: a double tap or a retry after a lost answer places one order.
  if (!kept.key) kept.key = newKey();
  const body = {
    outlet_id: state.outlet.id,
    table_session_id: target.session || undefined,
    note: kept.note.trim() || undefined,
    items: kept.lines.map((l) => ({
      product_id: l.product.id,
      quantity: l.quantity,
      note: l.note || undefined,
      modifier_option_ids: l.options,
    })),
  };
  try {
    const key = kept.key;
    const order = await retryTransient(
      () => staffApi('/orders', { method: 'POST', body, headers: { 'Idempotency-Key': key } }),
      4,
    );
    kept.lines = [];
    kept.key = null;
    kept.note = '';
    $('order-note').value = '';
    toast(t('cashier.order_sent', { number: order.number }));
    // Takeaway: the order just sent is the one the Pay button takes.
    if (target.takeaway) state.selected = { orderId: order.id };
    await changed(target.session ? { sessionId: target.session } : { order });
  } catch (err) {
    showError($('order-error'), err);
    button.disabled = false;
  }
}

// ---- all orders (a panel from the top bar) -------------------------------------------------

async function loadHistory() {
  const filter = $('order-filter').value;
  const base = `/orders?outlet_id=${state.outlet.id}`;
  let orders;
  if (filter === 'OPEN') {
    orders = (await Promise.all(ACTIVE.map((s) => staffAll(`${base}&status=${s}`)))).flat();
  } else if (filter) {
    orders = await staffAll(`${base}&status=${filter}`);
  } else {
    orders = (await staffApi(`${base}&limit=50`)).items;
  }
  orders.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  $('history-list').replaceChildren(...orders.map(historyRow));
  if (!orders.length) $('history-list').append(h('li', { class: 'hint' }, t('cashier.no_orders_here')));
}

function historyRow(order) {
  const target = order.table_session_id
    ? (state.sessions.has(order.table_session_id) ? { session: order.table_session_id } : null)
    : (state.takeaway.some((o) => o.id === order.id) ? { takeaway: true } : null);
  return h('li', { class: 'row history-row', dataset: { orderId: order.id, number: String(order.number), status: order.status, paid: order.payment_status } },
    h('div', { class: 'row-main' },
      h('div', { class: 'order-head' },
        h('span', { class: 'number' }, `#${order.number} · ${where(order)} · ${clock(order.created_at)}`),
        h('span', { class: `status status-${order.status}` }, statusText(order.status))),
      h('p', { class: 'hint' }, order.items.map((i) => `${left(i)}× ${i.name}`).join(', ')),
      h('p', { class: 'order-total' }, `${money(order.total_amount)} · ${paymentText(order.payment_status)}`)),
    target ? h('button', {
      type: 'button',
      class: 'open-ticket',
      onclick: () => {
        $('orders-dialog').close();
        showTicket(target);
        state.selected = { orderId: order.id };
        renderTicket();
      },
    }, t('cashier.open_ticket')) : null,
    state.drawer && ['PAID', 'PARTIALLY_PAID'].includes(order.payment_status) ? h('button', {
      type: 'button',
      class: 'refund',
      onclick: () => openRefund(order).catch((err) => toast(problemText(err), 'error')),
    }, t('cashier.refund')) : null);
}

function openHistory() {
  if (!$('orders-dialog').open) $('orders-dialog').showModal();
  $('history-list').replaceChildren(h('li', { class: 'hint' }, t('common.loading')));
  loadHistory().catch((err) => toast(problemText(err), 'error'));
}

// ---- guests' calls: "call the waiter" and "the bill, please" from a table's QR page ---------

const CALL_ICON = { CALL_WAITER: '🔔', BILL: '🧾' };
const fresh = new Set(); // calls that rang a moment ago: they flash

const callText = (kind) => t(`cashier.call.${kind}`);
const callsOldestFirst = () => [...state.calls.values()].sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at));

/** "just now", "5 min ago". */
function callAge(since) {
  return Date.now() - Date.parse(since) < 60000 ? t('cashier.just_now') : t('cashier.ago', { age: minutesSince(since) });
}

/** The calls nobody has answered yet (after a reconnect too: the socket may have missed some). */
/** Calls that rang (or were answered: `null`) while the list was on its way: newer than it. */
let callsWhileLoading = null;

async function loadCalls() {
  const meanwhile = new Map();
  callsWhileLoading = meanwhile;
  let calls;
  try {
    calls = await staffApi(`/guest-requests?outlet_id=${state.outlet.id}`);
  } finally {
    if (callsWhileLoading === meanwhile) callsWhileLoading = null;
  }
  state.calls = new Map((Array.isArray(calls) ? calls : calls.items || []).map((call) => [call.id, call]));
  for (const [id, call] of meanwhile) {
    if (call) state.calls.set(id, call);
    else state.calls.delete(id);
  }
}

/** A badge per kind of call on a table's floor tile. */
function callBadges(tableId) {
  const kinds = [...new Set(callsOldestFirst().filter((c) => c.table_id === tableId).map((c) => c.kind))];
  return kinds.map((kind) => h('span', { class: `tile-call call-${kind}`, dataset: { kind } }, `${CALL_ICON[kind] || '🔔'} ${callText(kind)}`));
}

/** The list at the top: table, what they want, since when, and the button that answers it. */
function renderCalls() {
  const calls = callsOldestFirst();
  const active = document.activeElement;
  const focused = active && $('guest-call-list').contains(active) ? active.closest('[data-call-id]') : null;
  $('guest-call-list').replaceChildren(...calls.map(callRow));
  $('guest-calls-count').textContent = t('cashier.calls_heading', { count: calls.length });
  $('guest-calls').hidden = !calls.length;
  document.body.dataset.calls = String(calls.length);
  if (focused) document.querySelector(`[data-call-id="${focused.dataset.callId}"] .ack`)?.focus({ preventScroll: true });
}

function callRow(call) {
  const what = callText(call.kind);
  return h('li', {
    class: `guest-call call-${call.kind}${fresh.has(call.id) ? ' fresh' : ''}`,
    dataset: { callId: call.id, tableId: call.table_id, kind: call.kind },
  },
  h('span', { class: 'call-icon', 'aria-hidden': 'true' }, CALL_ICON[call.kind] || '🔔'),
  h('span', { class: 'call-what' },
    h('strong', { class: 'call-table' }, call.table_name),
    h('span', { class: 'call-kind' }, what),
    h('span', { class: 'call-age hint', dataset: { since: call.created_at } }, callAge(call.created_at))),
  h('button', {
    type: 'button',
    class: 'ack primary',
    'aria-label': t('cashier.ack_label', { table: call.table_name, what }),
    onclick: (event) => ackCall(call, event.currentTarget),
  }, t('cashier.ack')));
}

/** A call rang (`GUEST_REQUEST`): the chime, the list, the tile's badge, a toast for phones. */
function callRang(call) {
  if (!call || !call.id || call.acknowledged_at) return;
  if (callsWhileLoading) callsWhileLoading.set(call.id, call);
  const known = state.calls.has(call.id);
  state.calls.set(call.id, call);
  if (!known) {
    beep();
    fresh.add(call.id);
    setTimeout(() => fresh.delete(call.id), 5000);
    toast(t('cashier.call_toast', { table: call.table_name, what: callText(call.kind) }));
  }
  renderCalls();
  renderFloor();
}

/** A call was answered, here or on another device: it goes everywhere, and says by whom. */
function callAnswered(call) {
  if (call && call.id && callsWhileLoading) callsWhileLoading.set(call.id, null);
  if (!call || !state.calls.has(call.id)) return;
  state.calls.delete(call.id);
  const table = call.table_name;
  const what = callText(call.kind);
  toast(call.acknowledged_by ? t('cashier.call_taken_by', { table, what, name: call.acknowledged_by }) : t('cashier.call_taken', { table, what }));
  renderCalls();
  renderFloor();
}

async function ackCall(call, button) {
  button.disabled = true;
  try {
    callAnswered(await staffApi(`/guest-requests/${call.id}/ack`, { method: 'POST' }));
  } catch (err) {
    if (err.status === 404) {
      callAnswered(call); // gone already (its table closed): nothing to answer
      return;
    }
    if (err.status !== 401) toast(t('cashier.could_not_ack', { problem: problemText(err) }), 'error');
    button.disabled = false;
  }
}

// ---- live events ---------------------------------------------------------------------------

const timers = new Map();
/** Runs `work` once `ms` after the last call with this `key`: a burst of frames, one read. */
function soon(key, work, ms = 150) {
  clearTimeout(timers.get(key));
  timers.set(key, setTimeout(() => {
    timers.delete(key);
    work().then(() => { keepTarget(); render(); }).catch(() => {});
  }, ms));
}

const refreshBillSoon = (id) => soon(`bill:${id}`, () => readBill(id));
const reloadSessionsSoon = () => soon('sessions', () => loadSessions());

function orderFrame(frame) {
  const payload = frame.payload || {};
  const sessionId = frame.table_session_id || payload.table_session_id || null;
  // Whole orders (NEW_ORDER, ORDER_UPDATED) go in as they are; the rest are read again.
  const whole = frame.type === 'NEW_ORDER' || frame.type === 'ORDER_UPDATED';
  if (sessionId) refreshBillSoon(sessionId);
  // An order that moved leaves its old table's bill behind: read that one again too.
  for (const [id, bill] of state.bills) {
    if (id !== sessionId && bill.orders.some((o) => o.id === payload.id)) refreshBillSoon(id);
  }
  if (whole && payload.items) {
    upsertTakeaway(payload);
    render();
  } else if (!sessionId && payload.id) {
    soon(`order:${payload.id}`, async () => upsertTakeaway(await staffApi(`/orders/${payload.id}`)));
  }
  if ($('orders-dialog').open) soon('history', loadHistory, 300);
}

/** The session as a frame tells it, until the list is read again (frames come in bursts). */
function placeSession(frame, id, tableId) {
  const known = state.sessions.get(id);
  state.sessions.set(id, known ? { ...known, table_id: tableId } : {
    id, table_id: tableId, outlet_id: frame.outlet_id, status: 'OPEN', opened_at: frame.at,
  });
}

function sessionFrame(frame) {
  const payload = frame.payload || {};
  if (frame.type === 'TABLE_SESSION_CLOSED' && payload.id) {
    state.sessions.delete(payload.id);
    state.bills.delete(payload.id);
  }
  if (['TABLE_SESSION_OPENED', 'TABLE_SESSION_MOVED', 'TABLE_SESSION_MERGED'].includes(frame.type) && payload.id) {
    placeSession(frame, payload.id, payload.table_id);
  }
  if (frame.type === 'TABLE_SESSION_MERGED') {
    // The ticket shown was merged into another table: follow its orders there.
    if (state.target && state.target.session === payload.merged_session_id) {
      state.target = { session: payload.id };
      state.selected = null;
      toast(t('cashier.table_merged_into', { from: tableName(payload.merged_table_id), into: tableName(payload.table_id) }));
    }
    state.sessions.delete(payload.merged_session_id);
    state.bills.delete(payload.merged_session_id);
    if (payload.id) refreshBillSoon(payload.id);
  }
  reloadSessionsSoon();
  keepTarget();
  render();
}

function onFrame(frame) {
  if (frame.outlet_id && frame.outlet_id !== state.outlet.id) return;
  switch (frame.type) {
    case 'NEW_ORDER':
    case 'ORDER_STATUS_CHANGED':
    case 'ORDER_PAID':
    case 'ORDER_UPDATED':
      orderFrame(frame);
      if (frame.type === 'ORDER_PAID' && state.shift) loadReport();
      break;
    case 'TABLE_SESSION_OPENED':
    case 'TABLE_SESSION_CLOSED':
    case 'TABLE_SESSION_MOVED':
    case 'TABLE_SESSION_MERGED':
      sessionFrame(frame);
      break;
    case 'PRODUCT_UPDATED':
      loadMenu().catch(() => {});
      break;
    case 'PRINTER_STATUS':
      state.printers.onFrame(frame);
      break;
    case 'GUEST_REQUEST':
      callRang(frame.payload);
      break;
    case 'GUEST_REQUEST_ACKNOWLEDGED':
      callAnswered(frame.payload);
      break;
    case 'SHIFT_OPENED':
    case 'SHIFT_CLOSED':
      if (frame.payload && frame.payload.user_id === state.me.id && !$('close-confirm').disabled) loadShift().catch(() => {});
      break;
    default:
      break;
  }
}

// ---- page setup ----------------------------------------------------------------------------

function setUp() {
  hooks.changed = changed;
  hooks.paid = async () => { if (state.shift) await loadReport(); };
  hooks.showFloor = showFloor;
  hooks.openShift = openShiftPanel;
  if (state.drawer) setUpShift();
  setUpPayment({ closeTable: openClose });
  setUpCorrections();
  $('orders-button').addEventListener('click', openHistory);
  $('orders-dismiss').addEventListener('click', () => $('orders-dialog').close());
  $('order-filter').addEventListener('change', () => loadHistory().catch((err) => toast(problemText(err), 'error')));
  $('back-to-floor').addEventListener('click', () => showFloor());
  $('ticket-qr').addEventListener('click', () => {
    const session = currentSession();
    if (session) showQr(state.tables.get(session.table_id) || { id: session.table_id, name: tableName(session.table_id) });
  });
  $('table-actions-toggle').addEventListener('click', () => toggleTableActions());
  $('table-print').addEventListener('click', () => tableAction(printTable));
  $('table-move').addEventListener('click', () => tableAction((sessionId) => openPicker('table-move', { sessionId })));
  $('table-merge').addEventListener('click', () => tableAction((sessionId) => openPicker('table-merge', { sessionId })));
  $('table-close').addEventListener('click', () => tableAction(openClose));
  $('ticket-pay').addEventListener('click', tapPay);
  $('jump-to-ticket').addEventListener('click', () => $('ticket').scrollIntoView({ block: 'start' }));
  $('order-submit').addEventListener('click', placeOrder);
  $('order-note').addEventListener('input', () => { cart().note = $('order-note').value; });
  $('item-form').addEventListener('submit', addItemFromDialog);
  $('item-cancel').addEventListener('click', () => $('item-dialog').close());
  $('item-minus').addEventListener('click', () => {
    state.item.quantity = Math.max(1, state.item.quantity - 1);
    $('item-qty').textContent = String(state.item.quantity);
  });
  $('item-plus').addEventListener('click', () => {
    state.item.quantity += 1;
    $('item-qty').textContent = String(state.item.quantity);
  });
  setInterval(tick, 30000);
  // Browsers allow sound only after the page is touched once: the first tap unlocks the chime.
  for (const kind of ['pointerdown', 'keydown']) document.addEventListener(kind, unlockAudio, { passive: true });
}

async function main() {
  try {
    state.me = await staffPage(['OWNER', 'MANAGER', 'KASIR', 'WAITER'], { autoLock: true });
    if (!state.me) return;
    state.drawer = state.me.role !== 'WAITER';
    // Waiters keep no cash drawer: no shift, no payments.
    for (const el of document.querySelectorAll('.drawer-only')) el.hidden = !state.drawer;
    $('admin-link').hidden = !['OWNER', 'MANAGER'].includes(state.me.role);
    state.outlet = await chooseOutlet(state.me);
    if (!state.outlet) {
      showError($('load-error'), t('cashier.no_outlet'));
      return;
    }
    $('outlet-name').textContent = `· ${state.outlet.name}`;
    state.printers = new PrinterWatch(state.outlet.id, $('printer-banner')).watch();
    setUp();
    await reloadAll();
  } catch (err) {
    showError($('load-error'), t('cashier.could_not_start', { problem: problemText(err) }));
    return;
  }
  document.body.dataset.ready = '1';
  new Live({
    token: staff.token(),
    query: state.me.outlet_id ? {} : { outlet_id: state.outlet.id },
    onFrame,
    onOpen: ({ resumed }) => { if (!resumed) reloadAll().catch(() => {}); },
    canReconnect: async () => {
      try {
        await staffApi('/auth/me');
        return true;
      } catch (err) {
        return err.status !== 401;
      }
    },
  }).start();
}

main();
