// Corrections from the ticket: void or comp a line, discounts (a line or the whole order, and
// taking one back), splitting an order into a new bill, moving an order to another table, and
// for a table: move it, merge another into it, close it, show its QR code.
import {
  basisPoints, h, percentToBp, problemText, showTableQr, staffApi, toast,
} from './app.js';
import { t } from './i18n.js';
import {
  $, amountOf, byName, discountText, hooks, left, money, percentText, plural, sessionOf, showError, state, tableName, where,
} from './cashier-core.js';

// ---- void or comp a line -------------------------------------------------------------------

let voiding = null; // {order, item}

export function openVoid(order, item) {
  voiding = { order, item };
  $('void-summary').textContent = t('cashier.void_summary', {
    number: order.number, where: where(order), count: left(item), name: item.name,
  });
  $('void-quantity').value = '1';
  $('void-quantity').max = String(left(item));
  $('void-reason-pick').selectedIndex = 0;
  $('void-reason-text').value = '';
  $('void-comp').checked = false;
  $('void-error').hidden = true;
  if (!$('void-dialog').open) $('void-dialog').showModal();
}

/** The reason picked (in the page's words), with what was typed after it: "Sent back: too salty". */
function reasonOf(pickId, textId) {
  const pick = $(pickId);
  const picked = pick.value ? pick.selectedOptions[0].textContent.trim() : '';
  return [picked, $(textId).value.trim()].filter(Boolean).join(': ');
}

async function confirmVoid(event) {
  event.preventDefault();
  const { order, item } = voiding || {};
  if (!order) return;
  const quantity = Number($('void-quantity').value);
  const reason = reasonOf('void-reason-pick', 'void-reason-text');
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > left(item)) {
    showError($('void-error'), t('cashier.void_quantity_range', { max: left(item) }));
    return;
  }
  if (!reason) {
    showError($('void-error'), t('cashier.say_why'));
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
    toast(t(comp ? 'cashier.comped_toast' : 'cashier.voided_toast', { count: quantity, name: item.name }));
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
  $('discount-title').textContent = item ? t('cashier.discount_on_dish') : t('cashier.discount_on_order');
  $('discount-summary').textContent = item
    ? t('cashier.discount_summary_item', {
      number: order.number, count: left(item), name: item.name, amount: money(discountBase(order, item)),
    })
    : t('cashier.discount_summary_order', { number: order.number, where: where(order), amount: money(discountBase(order, null)) });
  $('discount-value').value = '';
  $('discount-custom').hidden = true;
  $('discount-reason-pick').selectedIndex = 0;
  $('discount-reason-text').value = '';
  $('discount-error').hidden = true;
  for (const button of $('discount-quick').querySelectorAll('button')) button.setAttribute('aria-pressed', 'false');
  // A cashier's discounts are capped per outlet; more needs a manager (the server says so too).
  const cap = state.outlet.max_cashier_discount_bp;
  const capped = state.me.role === 'KASIR' && Number.isInteger(cap);
  $('discount-cap').hidden = !capped;
  if (capped) {
    $('discount-cap').textContent = cap ? t('cashier.discount_cap', { percent: percentText(cap) }) : t('cashier.discount_needs_manager');
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
    $('discount-value-label').textContent = discounting.kind === 'PERCENT' ? t('cashier.percent_label') : t('cashier.amount_in_rp');
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
    preview.textContent = discounting && discounting.kind ? '' : t('cashier.choose_how_much');
    return;
  }
  const base = discountBase(discounting.order, discounting.item);
  const off = discounting.kind === 'PERCENT' ? basisPoints(base, Math.min(value, 10000)) : Math.min(value, base);
  preview.textContent = t('cashier.discount_preview', { amount: money(off) });
}

async function confirmDiscount(event) {
  event.preventDefault();
  if (!discounting) return;
  const line = $('discount-error');
  line.hidden = true;
  const { order, item, kind } = discounting;
  const value = discountValue();
  const reason = reasonOf('discount-reason-pick', 'discount-reason-text');
  if (!kind) return showError(line, t('cashier.choose_how_much'));
  if (value === null) return showError(line, kind === 'PERCENT' ? t('cashier.enter_percent') : t('cashier.enter_amount_example'));
  if (kind === 'PERCENT' && value > 10000) return showError(line, t('cashier.at_most_100'));
  if (!reason) return showError(line, t('cashier.say_why'));
  const body = { kind, value, reason };
  if (item) body.item_id = item.id;
  $('discount-confirm').disabled = true;
  try {
    const changed = await staffApi(`/orders/${order.id}/discounts`, { method: 'POST', body });
    $('discount-dialog').close();
    toast(item
      ? t('cashier.discount_given_item', { value: discountText({ kind, value }), name: item.name })
      : t('cashier.discount_given_order', { value: discountText({ kind, value }), number: order.number }));
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
    toast(t('cashier.discount_removed', { value: discountText(discount) }));
    await hooks.changed({ sessionId: order.table_session_id, order: changed });
  } catch (err) {
    if (err.status !== 401) toast(t('cashier.could_not_remove_discount', { problem: problemText(err) }), 'error');
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
  $('split-summary').textContent = t('cashier.split_summary', { number: order.number, where: where(order) });
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
      h('span', { class: 'split-name' }, item.name,
        h('span', { class: 'hint' }, ` ${t('cashier.split_of', { count: left(item), price: money(item.unit_price) })}`)),
      h('div', { class: 'stepper', role: 'group', 'aria-label': t('cashier.split_to_new_bill', { name: item.name }) },
        h('button', {
          type: 'button',
          class: 'split-minus',
          'aria-label': t('cashier.split_one_less', { name: item.name }),
          disabled: count === 0,
          onclick: () => step(-1),
        }, '−'),
        h('output', { class: 'split-qty' }, String(count)),
        h('button', {
          type: 'button',
          class: 'split-plus',
          'aria-label': t('cashier.split_one_more', { name: item.name }),
          disabled: count >= left(item),
          onclick: () => step(1),
        }, '+')));
  }));
  const units = [...moving.values()].reduce((a, b) => a + b, 0);
  const all = lines.reduce((total, item) => total + left(item), 0);
  const sum = lines.reduce((total, item) => total + (moving.get(item.id) || 0) * item.unit_price, 0);
  // Something goes, and something stays: moving everything would leave an empty bill.
  $('split-total').textContent = units === all
    ? t('cashier.split_leave_one')
    : units ? t('cashier.split_new_bill', { dishes: plural('cashier.dishes', units), amount: money(sum) }) : t('cashier.nothing_chosen');
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
    toast(t('cashier.split_done', { number: order.number, new_number: created.number }));
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

/** The picker's words per kind: `cashier.pick.<kind>.title`, `.confirm`, `.empty`. */
const pickText = (kind, part) => t(`cashier.pick.${kind}.${part}`);

/** The choices: other open tables (move an order, merge), or free ones (move a table). */
function pickChoices(kind, fromSessionId) {
  const tables = [...state.tables.values()].sort(byName);
  if (kind === 'table-move') {
    return tables.filter((table) => !sessionOf(table.id)).map((table) => ({
      tableId: table.id, sessionId: null, name: table.name, hint: plural('cashier.seats', table.capacity),
    }));
  }
  return tables.map((table) => ({ table, session: sessionOf(table.id) }))
    .filter(({ session }) => session && session.id !== fromSessionId)
    .map(({ table, session }) => {
      const bill = state.bills.get(session.id);
      const count = bill ? bill.orders.filter((o) => o.status !== 'VOIDED').length : 0;
      const hint = count ? plural('cashier.orders', count) : t('cashier.nothing_ordered');
      return { tableId: table.id, sessionId: session.id, name: table.name, hint };
    });
}

export function openPicker(kind, { order = null, sessionId = null } = {}) {
  const from = order ? order.table_session_id : sessionId;
  picking = { kind, order, sessionId: from, chosen: null };
  $('pick-dialog').dataset.kind = kind;
  $('pick-title').textContent = pickText(kind, 'title');
  $('pick-confirm').textContent = pickText(kind, 'confirm');
  const here = from ? tableName((state.sessions.get(from) || {}).table_id) : t('cashier.takeaway');
  $('pick-summary').textContent = kind === 'order-move'
    ? t('cashier.pick.order-move.summary', { number: order.number, table: here })
    : t(`cashier.pick.${kind}.summary`, { table: here });
  $('pick-error').hidden = true;
  const choices = pickChoices(kind, from);
  $('pick-empty').textContent = pickText(kind, 'empty');
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
      toast(t('cashier.order_moved', { number: order.number, table: chosen.name }));
      $('pick-dialog').close();
      await hooks.changed({ sessionId, order: moved }); // reads both tables' bills
    } else if (kind === 'table-move') {
      const from = tableName(state.sessions.get(sessionId).table_id);
      const session = await staffApi(`/table-sessions/${sessionId}/move`, { method: 'POST', body: { table_id: chosen.tableId } });
      state.sessions.set(session.id, session);
      toast(t('cashier.table_moved', { from, table: chosen.name }));
      $('pick-dialog').close();
      await hooks.changed({ sessionId, sessions: true });
    } else {
      await staffApi(`/table-sessions/${sessionId}/merge`, { method: 'POST', body: { session_id: chosen.sessionId } });
      state.sessions.delete(chosen.sessionId);
      state.bills.delete(chosen.sessionId);
      mergeCarts(chosen.sessionId, sessionId);
      toast(t('cashier.table_merged_into', { from: chosen.name, into: tableName(state.sessions.get(sessionId).table_id) }));
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
  $('bill-title').textContent = t('cashier.close_title', { table: tableName(session.table_id) });
  $('bill-error').hidden = true;
  $('bill-force').hidden = true;
  $('bill-force-reason').value = '';
  $('bill-close-table').textContent = t('cashier.close_table');
  $('bill-body').replaceChildren(h('p', { class: 'hint' }, t('common.loading')));
  if (!$('bill-dialog').open) $('bill-dialog').showModal();
  try {
    const bill = await staffApi(`/table-sessions/${sessionId}/bill`);
    state.bills.set(sessionId, bill);
    const orders = bill.orders.filter((o) => o.status !== 'VOIDED');
    $('bill-body').replaceChildren(
      h('p', {}, orders.length
        ? t('cashier.close_orders', { orders: plural('cashier.orders', orders.length), numbers: orders.map((o) => `#${o.number}`).join(', ') })
        : t('cashier.nothing_was_ordered')),
      h('dl', { class: 'bill' },
        h('dt', {}, t('cashier.total')), h('dd', {}, money(bill.total_amount)),
        h('dt', {}, t('cashier.paid')), h('dd', {}, money(bill.paid_amount)),
        h('dt', { class: 'outstanding' }, t('cashier.outstanding')), h('dd', { class: 'outstanding', id: 'bill-outstanding' }, money(bill.outstanding))),
      // replaceChildren would print a null, so the hint is left out rather than null.
      ...(bill.outstanding > 0 ? [h('p', { class: 'hint' }, ADMINS.includes(state.me.role)
        ? t('cashier.close_unpaid_admin')
        : t('cashier.close_unpaid'))] : []),
    );
    // Managers and owners may close with unpaid orders, saying why.
    const force = bill.outstanding > 0 && ADMINS.includes(state.me.role);
    $('bill-force').hidden = !force;
    $('bill-close-table').textContent = force ? t('cashier.close_anyway') : t('cashier.close_table');
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
    if (!reason) return showError(line, t('cashier.close_say_why'));
    Object.assign(body, { force: true, reason });
  }
  $('bill-close-table').disabled = true;
  try {
    await staffApi(`/table-sessions/${sessionId}/close`, { method: 'POST', body });
    state.sessions.delete(sessionId);
    state.bills.delete(sessionId);
    state.carts.delete(sessionId);
    $('bill-dialog').close();
    toast(t('cashier.table_closed', { table: tableName(session.table_id) }));
    hooks.showFloor(session.table_id);
  } catch (err) {
    if (err.code === 'SESSION_HAS_UNPAID_ORDERS') {
      showError(line, t('cashier.close_still_unpaid'));
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
  $('qr-image').alt = t('cashier.qr_alt', { table: table.name });
  $('qr-dialog').showModal();
  try {
    await showTableQr($('qr-image'), table.id);
  } catch (err) {
    if (err.status !== 401) toast(t('cashier.could_not_load_qr', { problem: problemText(err) }), 'error');
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
