// Corrections from the ticket: void or comp a line, discounts (a line or the whole order, and
// taking one back), splitting an order into a new bill, moving an order to another table, and
// for a table: move it, merge another into it, close it, show its QR code.
import {
  basisPoints, h, percentToBp, problemText, showTableQr, staffApi, toast,
} from './app.js';
import {
  $, amountOf, byName, discountText, hooks, left, money, sessionOf, showError, state, tableName, where,
} from './cashier-core.js';

// ---- void or comp a line -------------------------------------------------------------------

let voiding = null; // {order, item}

export function openVoid(order, item) {
  voiding = { order, item };
  $('void-summary').textContent = `Order #${order.number} · ${where(order)} · ${left(item)}× ${item.name}`;
  $('void-quantity').value = '1';
  $('void-quantity').max = String(left(item));
  $('void-reason-pick').value = 'Sent back';
  $('void-reason-text').value = '';
  $('void-comp').checked = false;
  $('void-error').hidden = true;
  if (!$('void-dialog').open) $('void-dialog').showModal();
}

/** The reason picked, with what was typed after it: "Sent back: too salty". */
function reasonOf(pickId, textId) {
  return [$(pickId).value, $(textId).value.trim()].filter(Boolean).join(': ');
}

async function confirmVoid(event) {
  event.preventDefault();
  const { order, item } = voiding || {};
  if (!order) return;
  const quantity = Number($('void-quantity').value);
  const reason = reasonOf('void-reason-pick', 'void-reason-text');
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > left(item)) {
    showError($('void-error'), `Choose between 1 and ${left(item)}.`);
    return;
  }
  if (!reason) {
    showError($('void-error'), 'Say why.');
    return;
  }
  const comp = $('void-comp').checked;
  $('void-confirm').disabled = true;
  try {
    const changed = await staffApi(`/orders/${order.id}/items/${item.id}/void`, {
      method: 'POST',
      body: { quantity, reason, comp },
    });
    $('void-dialog').close();
    toast(`${quantity}× ${item.name} ${comp ? 'on the house' : 'voided'}.`);
    await hooks.changed({ sessionId: order.table_session_id, order: changed });
  } catch (err) {
    showError($('void-error'), err);
  } finally {
    $('void-confirm').disabled = false;
  }
}

// ---- discounts -----------------------------------------------------------------------------

let discounting = null; // {order, item|null, kind, value|null (quick choice), custom}

/** What a discount applies to, before it: the line's charge, or the order's subtotal less
 *  the discounts already on it (the server's figure is what counts; this is the preview). */
function discountBase(order, item) {
  if (item) return Math.max(0, item.line_total - (item.discount_amount || 0));
  return Math.max(0, order.subtotal - (order.discount_amount || 0));
}

export function openDiscount(order, item = null) {
  discounting = { order, item, kind: null, value: null, custom: false };
  $('discount-title').textContent = item ? 'Discount on a dish' : 'Discount on the order';
  $('discount-summary').textContent = item
    ? `Order #${order.number} · ${left(item)}× ${item.name} · ${money(discountBase(order, item))}`
    : `Order #${order.number} · ${where(order)} · subtotal ${money(discountBase(order, null))}`;
  $('discount-value').value = '';
  $('discount-custom').hidden = true;
  $('discount-reason-pick').value = 'Regular guest';
  $('discount-reason-text').value = '';
  $('discount-error').hidden = true;
  for (const button of $('discount-quick').querySelectorAll('button')) button.setAttribute('aria-pressed', 'false');
  // A cashier's discounts are capped per outlet; more needs a manager (the server says so too).
  const cap = state.outlet.max_cashier_discount_bp;
  const capped = state.me.role === 'KASIR' && Number.isInteger(cap);
  $('discount-cap').hidden = !capped;
  if (capped) {
    $('discount-cap').textContent = cap ? `You may give up to ${cap / 100} %; more needs a manager.` : 'Discounts need a manager.';
  }
  renderDiscountPreview();
  if (!$('discount-dialog').open) $('discount-dialog').showModal();
}

function pickDiscount(button) {
  for (const other of $('discount-quick').querySelectorAll('button')) {
    other.setAttribute('aria-pressed', String(other === button));
  }
  discounting.kind = button.dataset.kind;
  discounting.custom = Boolean(button.dataset.custom);
  discounting.value = discounting.custom ? null : Number(button.dataset.value);
  $('discount-custom').hidden = !discounting.custom;
  if (discounting.custom) {
    $('discount-value-label').textContent = discounting.kind === 'PERCENT' ? 'Percent' : 'Amount in Rp';
    $('discount-value').inputMode = discounting.kind === 'PERCENT' ? 'decimal' : 'numeric';
    $('discount-value').value = '';
    $('discount-value').focus();
  }
  $('discount-error').hidden = true;
  renderDiscountPreview();
}

/** The chosen value: basis points for PERCENT, rupiah for AMOUNT; null when not valid yet. */
function discountValue() {
  if (!discounting || !discounting.kind) return null;
  if (!discounting.custom) return discounting.value;
  const typed = $('discount-value').value;
  if (!typed.trim()) return null;
  const value = discounting.kind === 'PERCENT' ? percentToBp(typed) : amountOf('discount-value');
  return Number.isInteger(value) && value > 0 ? value : null;
}

function renderDiscountPreview() {
  const preview = $('discount-preview');
  const value = discountValue();
  if (!discounting || value === null) {
    preview.textContent = discounting && discounting.kind ? '' : 'Choose how much.';
    return;
  }
  const base = discountBase(discounting.order, discounting.item);
  const off = discounting.kind === 'PERCENT' ? basisPoints(base, Math.min(value, 10000)) : Math.min(value, base);
  preview.textContent = `Takes about ${money(off)} off (before service and tax).`;
}

async function confirmDiscount(event) {
  event.preventDefault();
  if (!discounting) return;
  const line = $('discount-error');
  line.hidden = true;
  const { order, item, kind } = discounting;
  const value = discountValue();
  const reason = reasonOf('discount-reason-pick', 'discount-reason-text');
  if (!kind) return showError(line, 'Choose how much.');
  if (value === null) return showError(line, kind === 'PERCENT' ? 'Enter a percent, e.g. 15.' : 'Enter an amount, e.g. 5000.');
  if (kind === 'PERCENT' && value > 10000) return showError(line, 'At most 100 %.');
  if (!reason) return showError(line, 'Say why.');
  const body = { kind, value, reason };
  if (item) body.item_id = item.id;
  $('discount-confirm').disabled = true;
  try {
    const changed = await staffApi(`/orders/${order.id}/discounts`, { method: 'POST', body });
    $('discount-dialog').close();
    toast(`Discount of ${discountText({ kind, value })} on ${item ? item.name : `order #${order.number}`}.`);
    await hooks.changed({ sessionId: order.table_session_id, order: changed });
  } catch (err) {
    showError(line, err);
  } finally {
    $('discount-confirm').disabled = false;
  }
  return null;
}

/** The × on a shown discount: takes it back at once (giving it again is one tap away). */
export async function removeDiscount(order, discount, button) {
  button.disabled = true;
  try {
    const changed = await staffApi(`/orders/${order.id}/discounts/${discount.id}`, { method: 'DELETE' });
    toast(`Discount of ${discountText(discount)} taken back.`);
    await hooks.changed({ sessionId: order.table_session_id, order: changed });
  } catch (err) {
    if (err.status !== 401) toast(`Could not take the discount back: ${problemText(err)}`, 'error');
    button.disabled = false;
  }
}

// ---- split an order into a new bill --------------------------------------------------------

let splitting = null; // {order, moving: Map item id → quantity}

/** Whether splitting makes sense: unpaid, and more than one unit still charged. */
export function splittable(order) {
  return order.status !== 'VOIDED' && order.payment_status === 'UNPAID'
    && order.items.reduce((sum, item) => sum + left(item), 0) > 1;
}

export function openSplit(order) {
  splitting = { order, moving: new Map() };
  $('split-summary').textContent = `Order #${order.number} · ${where(order)}: choose what goes on a new bill for the same table.`;
  $('split-error').hidden = true;
  renderSplit();
  if (!$('split-dialog').open) $('split-dialog').showModal();
}

function renderSplit() {
  const { order, moving } = splitting;
  const lines = order.items.filter((item) => left(item) > 0);
  $('split-lines').replaceChildren(...lines.map((item) => {
    const count = moving.get(item.id) || 0;
    const step = (delta) => {
      moving.set(item.id, Math.min(left(item), Math.max(0, count + delta)));
      renderSplit();
    };
    return h('li', { class: 'split-line', dataset: { itemId: item.id } },
      h('span', { class: 'split-name' }, item.name, h('span', { class: 'hint' }, ` of ${left(item)} · ${money(item.unit_price)}`)),
      h('div', { class: 'stepper', role: 'group', 'aria-label': `${item.name} to the new bill` },
        h('button', { type: 'button', class: 'split-minus', 'aria-label': `One ${item.name} less`, disabled: count === 0, onclick: () => step(-1) }, '−'),
        h('output', { class: 'split-qty' }, String(count)),
        h('button', { type: 'button', class: 'split-plus', 'aria-label': `One ${item.name} more`, disabled: count >= left(item), onclick: () => step(1) }, '+')));
  }));
  const units = [...moving.values()].reduce((a, b) => a + b, 0);
  const all = lines.reduce((total, item) => total + left(item), 0);
  const sum = lines.reduce((total, item) => total + (moving.get(item.id) || 0) * item.unit_price, 0);
  // Something goes, and something stays: moving everything would leave an empty bill.
  $('split-total').textContent = units === all
    ? 'Leave at least one dish on this bill.'
    : units ? `New bill: ${units} ${units === 1 ? 'dish' : 'dishes'}, ${money(sum)} before service and tax.` : 'Nothing chosen yet.';
  $('split-confirm').disabled = units === 0 || units === all;
}

async function confirmSplit(event) {
  event.preventDefault();
  if (!splitting) return;
  const { order, moving } = splitting;
  const items = [...moving].filter(([, quantity]) => quantity > 0).map(([item_id, quantity]) => ({ item_id, quantity }));
  if (!items.length) return;
  $('split-confirm').disabled = true;
  try {
    const created = await staffApi(`/orders/${order.id}/split`, { method: 'POST', body: { items } });
    $('split-dialog').close();
    toast(`Order #${order.number} split: the new bill is #${created.number}.`);
    state.selected = { orderId: created.id };
    // Both bills changed: a table's are on its bill; a takeaway original is read again.
    await hooks.changed({ sessionId: order.table_session_id, order: created, orderId: order.id });
  } catch (err) {
    showError($('split-error'), err);
  } finally {
    $('split-confirm').disabled = false;
  }
}

// ---- one table picker: move an order, move a table, merge tables ---------------------------

let picking = null; // {kind, order?, sessionId?, chosen: {tableId, sessionId}|null}

const PICK = {
  'order-move': { title: 'Move the order to…', confirm: 'Move order', empty: 'No other table is open.' },
  'table-move': { title: 'Move the table to…', confirm: 'Move table', empty: 'No table is free.' },
  'table-merge': { title: 'Merge into this table…', confirm: 'Merge', empty: 'No other table is open.' },
};

/** The choices: other open tables (move an order, merge), or free ones (move a table). */
function pickChoices(kind, fromSessionId) {
  const tables = [...state.tables.values()].sort(byName);
  if (kind === 'table-move') {
    return tables.filter((t) => !sessionOf(t.id)).map((t) => ({ tableId: t.id, sessionId: null, name: t.name, hint: `${t.capacity} seats` }));
  }
  return tables.map((t) => ({ table: t, session: sessionOf(t.id) }))
    .filter(({ session }) => session && session.id !== fromSessionId)
    .map(({ table, session }) => {
      const bill = state.bills.get(session.id);
      const count = bill ? bill.orders.filter((o) => o.status !== 'VOIDED').length : 0;
      const hint = count ? `${count} ${count === 1 ? 'order' : 'orders'}` : 'nothing ordered';
      return { tableId: table.id, sessionId: session.id, name: table.name, hint };
    });
}

export function openPicker(kind, { order = null, sessionId = null } = {}) {
  const from = order ? order.table_session_id : sessionId;
  picking = { kind, order, sessionId: from, chosen: null };
  const words = PICK[kind];
  $('pick-dialog').dataset.kind = kind;
  $('pick-title').textContent = words.title;
  $('pick-confirm').textContent = words.confirm;
  const here = from ? tableName((state.sessions.get(from) || {}).table_id) : 'Takeaway';
  $('pick-summary').textContent = kind === 'order-move'
    ? `Order #${order.number} is on ${here}.`
    : kind === 'table-move'
      ? `Everything on ${here} moves to the table you choose.`
      : `The orders of the table you choose move onto ${here}; that table is then closed.`;
  $('pick-error').hidden = true;
  const choices = pickChoices(kind, from);
  $('pick-empty').textContent = words.empty;
  $('pick-empty').hidden = choices.length > 0;
  $('pick-list').replaceChildren(...choices.map((choice) => h('li', {},
    h('button', {
      type: 'button',
      class: 'pick-target',
      'aria-pressed': 'false',
      dataset: { tableId: choice.tableId, sessionId: choice.sessionId || '' },
      onclick: (event) => choosePick(choice, event.currentTarget),
    }, h('span', { class: 'pick-name' }, choice.name), h('span', { class: 'hint' }, choice.hint)))));
  $('pick-confirm').disabled = true;
  if (!$('pick-dialog').open) $('pick-dialog').showModal();
}

function choosePick(choice, button) {
  picking.chosen = choice;
  for (const other of $('pick-list').querySelectorAll('button')) other.setAttribute('aria-pressed', String(other === button));
  $('pick-confirm').disabled = false;
}

async function confirmPick(event) {
  event.preventDefault();
  if (!picking || !picking.chosen) return;
  const { kind, order, sessionId, chosen } = picking;
  $('pick-confirm').disabled = true;
  try {
    if (kind === 'order-move') {
      const moved = await staffApi(`/orders/${order.id}/move`, { method: 'POST', body: { table_session_id: chosen.sessionId } });
      toast(`Order #${order.number} moved to ${chosen.name}.`);
      $('pick-dialog').close();
      await hooks.changed({ sessionId, order: moved }); // reads both tables' bills
    } else if (kind === 'table-move') {
      const from = tableName(state.sessions.get(sessionId).table_id);
      const session = await staffApi(`/table-sessions/${sessionId}/move`, { method: 'POST', body: { table_id: chosen.tableId } });
      state.sessions.set(session.id, session);
      toast(`${from} moved to ${chosen.name}.`);
      $('pick-dialog').close();
      await hooks.changed({ sessionId, sessions: true });
    } else {
      await staffApi(`/table-sessions/${sessionId}/merge`, { method: 'POST', body: { session_id: chosen.sessionId } });
      state.sessions.delete(chosen.sessionId);
      state.bills.delete(chosen.sessionId);
      mergeCarts(chosen.sessionId, sessionId);
      toast(`${chosen.name} merged into ${tableName(state.sessions.get(sessionId).table_id)}.`);
      $('pick-dialog').close();
      await hooks.changed({ sessionId, sessions: true });
    }
  } catch (err) {
    showError($('pick-error'), err);
    $('pick-confirm').disabled = false;
  }
}

/** Dishes not sent yet for a table merged away come along to the table that took its orders. */
function mergeCarts(fromId, intoId) {
  const from = state.carts.get(fromId);
  state.carts.delete(fromId);
  if (!from || !from.lines.length) return;
  const into = state.carts.get(intoId) || { lines: [], key: null, note: '' };
  into.lines.push(...from.lines);
  into.key = null;
  state.carts.set(intoId, into);
}

// ---- close a table, show its QR ------------------------------------------------------------

let closing = null; // the session id in the close dialog

const ADMINS = ['OWNER', 'MANAGER'];

export async function openClose(sessionId) {
  const session = state.sessions.get(sessionId);
  if (!session) return;
  closing = sessionId;
  $('bill-title').textContent = `Close ${tableName(session.table_id)}`;
  $('bill-error').hidden = true;
  $('bill-force').hidden = true;
  $('bill-force-reason').value = '';
  $('bill-close-table').textContent = 'Close table';
  $('bill-body').replaceChildren(h('p', { class: 'hint' }, 'Loading…'));
  if (!$('bill-dialog').open) $('bill-dialog').showModal();
  try {
    const bill = await staffApi(`/table-sessions/${sessionId}/bill`);
    state.bills.set(sessionId, bill);
    const orders = bill.orders.filter((o) => o.status !== 'VOIDED');
    $('bill-body').replaceChildren(
      h('p', {}, orders.length ? `${orders.length} ${orders.length === 1 ? 'order' : 'orders'}: ${orders.map((o) => `#${o.number}`).join(', ')}` : 'Nothing was ordered.'),
      h('dl', { class: 'bill' },
        h('dt', {}, 'Total'), h('dd', {}, money(bill.total_amount)),
        h('dt', {}, 'Paid'), h('dd', {}, money(bill.paid_amount)),
        h('dt', { class: 'outstanding' }, 'Outstanding'), h('dd', { class: 'outstanding', id: 'bill-outstanding' }, money(bill.outstanding))),
      // replaceChildren would print a null, so the hint is left out rather than null.
      ...(bill.outstanding > 0 ? [h('p', { class: 'hint' }, ADMINS.includes(state.me.role)
        ? 'Orders are unpaid. Take their payment first, or close anyway with a reason.'
        : 'Orders are unpaid: take their payment (or void them) first.')] : []),
    );
    // Managers and owners may close with unpaid orders, saying why.
    const force = bill.outstanding > 0 && ADMINS.includes(state.me.role);
    $('bill-force').hidden = !force;
    $('bill-close-table').textContent = force ? 'Close anyway' : 'Close table';
  } catch (err) {
    showError($('bill-error'), err);
  }
}

async function closeTable() {
  const sessionId = closing;
  const session = state.sessions.get(sessionId);
  if (!session) return null;
  const line = $('bill-error');
  line.hidden = true;
  const body = {};
  if (!$('bill-force').hidden) {
    const reason = $('bill-force-reason').value.trim();
    if (!reason) return showError(line, 'Say why the table closes with unpaid orders.');
    Object.assign(body, { force: true, reason });
  }
  $('bill-close-table').disabled = true;
  try {
    await staffApi(`/table-sessions/${sessionId}/close`, { method: 'POST', body });
    state.sessions.delete(sessionId);
    state.bills.delete(sessionId);
    state.carts.delete(sessionId);
    $('bill-dialog').close();
    toast(`${tableName(session.table_id)} closed.`);
    hooks.showFloor(session.table_id);
  } catch (err) {
    if (err.code === 'SESSION_HAS_UNPAID_ORDERS') {
      showError(line, 'This table still has unpaid orders: take their payment (or void them) first, then close the table.');
    } else {
      showError(line, err);
    }
  } finally {
    $('bill-close-table').disabled = false;
  }
  return null;
}

export async function showQr(table) {
  $('qr-title').textContent = `${table.name} · ${state.outlet.name}`;
  $('qr-image').alt = `QR code of ${table.name}`;
  $('qr-dialog').showModal();
  try {
    await showTableQr($('qr-image'), table.id);
  } catch (err) {
    if (err.status !== 401) toast(`Could not load the QR code: ${problemText(err)}`, 'error');
  }
}

export function setUpCorrections() {
  $('void-form').addEventListener('submit', confirmVoid);
  $('void-cancel').addEventListener('click', () => $('void-dialog').close());
  for (const button of $('discount-quick').querySelectorAll('button')) {
    button.addEventListener('click', () => pickDiscount(button));
  }
  $('discount-value').addEventListener('input', renderDiscountPreview);
  $('discount-form').addEventListener('submit', confirmDiscount);
  $('discount-cancel').addEventListener('click', () => $('discount-dialog').close());
  $('split-form').addEventListener('submit', confirmSplit);
  $('split-cancel').addEventListener('click', () => $('split-dialog').close());
  $('pick-form').addEventListener('submit', confirmPick);
  $('pick-cancel').addEventListener('click', () => $('pick-dialog').close());
  $('bill-dismiss').addEventListener('click', () => $('bill-dialog').close());
  $('bill-close-table').addEventListener('click', closeTable);
  $('qr-close').addEventListener('click', () => $('qr-dialog').close());
}
