// `/cashier` (KASIR, WAITER, MANAGER, OWNER): the shift and its cash drawer, orders kept live
// over the socket, new orders for a table or takeaway, payments with the change shown big,
// and the tables: open one and show its QR, the bill, close it. Waiters keep no drawer.
import {
  chooseOutlet, formatMoney, h, Live, newKey, optionNames, parseMoney, problemText,
  retryTransient, showTableQr, staff, staffAll, staffApi, staffPage, toast, unitPrice,
} from './app.js';

const ACTIVE = ['NEW', 'ACCEPTED', 'COOKING', 'READY'];
const STATUS_TEXT = {
  NEW: 'New', ACCEPTED: 'Accepted', COOKING: 'Cooking', READY: 'Ready', DONE: 'Done', VOIDED: 'Voided',
};

const $ = (id) => document.getElementById(id);
const state = {
  me: null,
  outlet: null,
  drawer: false, // this role takes payments and keeps a shift
  shift: null,
  report: null, // the open shift's Z-report (for expected cash)
  tables: new Map(), // id → table
  sessions: new Map(), // open session id → session
  orders: [],
  menu: null,
  products: new Map(),
  cart: { lines: [], key: null },
  item: null, // {product, quantity} in the item dialog
  paying: null, // {order, key}
  voiding: null, // {order, item}
  billSession: null,
};

const currency = () => (state.outlet && state.outlet.currency) || 'IDR';
const money = (amount) => formatMoney(amount, currency());
const amountOf = (id) => parseMoney($(id).value, currency());

function showError(line, err) {
  if (err && err.status === 401) return;
  line.textContent = typeof err === 'string' ? err : problemText(err);
  line.hidden = false;
}

// ---- shift ---------------------------------------------------------------------------------

async function loadShift() {
  if (!state.drawer) return;
  try {
    state.shift = await staffApi('/shifts/current');
  } catch (err) {
    if (err.status !== 404) throw err;
    state.shift = null;
  }
  state.report = null;
  if (state.shift) await loadReport();
  renderShift();
}

async function loadReport() {
  try {
    state.report = await staffApi(`/shifts/${state.shift.id}/report`);
  } catch (err) {
    if (err.status !== 401) toast(`Could not read the shift: ${problemText(err)}`, 'error');
  }
}

function renderShift() {
  const open = Boolean(state.shift);
  $('shift-open-form').hidden = open;
  $('shift-current').hidden = !open;
  document.body.dataset.shift = open ? 'open' : 'none';
  if (open) {
    $('shift-info').textContent = `Open since ${new Date(state.shift.opened_at).toLocaleTimeString()} · start cash ${money(state.shift.start_cash)}`;
  }
  renderDifference();
}

/** Expected cash and the difference to the count, live as it is typed. */
function renderDifference() {
  const expected = state.report ? state.report.expected_cash : null;
  $('close-expected').textContent = expected === null ? '…' : money(expected);
  const counted = amountOf('close-count');
  $('close-counted').textContent = counted === null ? '—' : money(counted);
  const diff = $('close-difference');
  if (counted === null || expected === null) {
    diff.textContent = '—';
    diff.className = 'total';
    return;
  }
  const difference = counted - expected;
  diff.textContent = difference > 0 ? `+${money(difference)} (over)` : difference < 0 ? `${money(difference)} (short)` : `${money(0)} (exact)`;
  diff.className = `total${difference < 0 ? ' negative' : ''}`;
}

async function openShift(event) {
  event.preventDefault();
  const start = amountOf('start-cash');
  const line = $('shift-open-error');
  line.hidden = true;
  if (start === null) return showError(line, 'Enter the cash in the drawer (0 is fine).');
  $('shift-open').disabled = true;
  try {
    state.shift = await staffApi('/shifts/open', {
      method: 'POST',
      body: { outlet_id: state.outlet.id, start_cash: start },
      headers: { 'Idempotency-Key': newKey() },
    });
    $('start-cash').value = '';
    $('zreport').hidden = true;
    await loadReport();
    renderShift();
    toast('Shift open.');
  } catch (err) {
    showError(line, err);
  } finally {
    $('shift-open').disabled = false;
  }
  return null;
}

async function closeShift(event) {
  event.preventDefault();
  const counted = amountOf('close-count');
  const line = $('close-error');
  line.hidden = true;
  if (counted === null) return showError(line, 'Enter the cash you counted.');
  $('close-confirm').disabled = true;
  try {
    const closed = await staffApi('/shifts/close', {
      method: 'POST',
      body: { shift_id: state.shift.id, end_cash: counted, note: $('close-note').value.trim() || undefined },
      headers: { 'Idempotency-Key': newKey() },
    });
    const report = await staffApi(`/shifts/${closed.id}/report`).catch(() => null);
    state.shift = null;
    state.report = null;
    $('close-count').value = '';
    $('close-note').value = '';
    $('close-panel').open = false;
    renderShift();
    renderZReport(closed, report);
    renderOrders();
  } catch (err) {
    showError(line, err);
  } finally {
    $('close-confirm').disabled = false;
  }
  return null;
}

function renderZReport(shift, report) {
  const rows = [
    ['Start cash', shift.start_cash],
    ...(report ? [
      ['Cash payments', report.cash_payments],
      ['Cash refunds', -report.cash_refunds],
      ['Pay-ins', report.pay_ins],
      ['Pay-outs', -report.pay_outs],
    ] : []),
    ['Expected cash', shift.expected_cash],
    ['Counted', shift.end_cash],
    ['Difference', shift.cash_difference],
  ];
  const methods = report ? report.payments_by_method : [];
  const box = $('zreport');
  box.replaceChildren(
    h('h3', {}, 'Shift closed — Z report'),
    h('dl', { class: 'bill' }, rows.map(([label, value]) => [
      h('dt', {}, label),
      h('dd', { class: label === 'Difference' ? `total${value < 0 ? ' negative' : ''}` : '', dataset: { field: label } }, money(value)),
    ])),
    methods.length ? h('h4', {}, 'Payments by method') : null,
    methods.length ? h('dl', { class: 'bill' }, methods.map((m) => [
      h('dt', {}, `${m.method} (${m.count})`), h('dd', {}, money(m.amount)),
    ])) : null,
    report && report.voids.length ? h('p', {}, `Voided orders: ${report.voids.length}`) : null,
  );
  box.hidden = false;
}

async function recordMovement(event) {
  event.preventDefault();
  const amount = amountOf('movement-amount');
  const line = $('movement-error');
  line.hidden = true;
  if (!amount) return showError(line, 'Enter an amount.');
  const reason = $('movement-reason').value.trim();
  if (!reason) return showError(line, 'Say why the cash moves.');
  $('movement-submit').disabled = true;
  try {
    const kind = $('movement-kind').value;
    await staffApi(`/shifts/${state.shift.id}/cash-movements`, { method: 'POST', body: { kind, amount, reason } });
    $('movement-amount').value = '';
    $('movement-reason').value = '';
    $('movement').open = false;
    await loadReport();
    renderDifference();
    toast(`${kind === 'PAY_IN' ? 'Pay-in' : 'Pay-out'} of ${money(amount)} recorded.`);
  } catch (err) {
    showError(line, err);
  } finally {
    $('movement-submit').disabled = false;
  }
  return null;
}

// ---- tables and sessions -------------------------------------------------------------------

async function loadTables() {
  const [tables, sessions] = await Promise.all([
    staffAll(`/outlets/${state.outlet.id}/tables?active=true`),
    staffAll(`/table-sessions?outlet_id=${state.outlet.id}&status=OPEN`),
  ]);
  state.tables = new Map(tables.map((t) => [t.id, t]));
  state.sessions = new Map(sessions.map((s) => [s.id, s]));
  renderTables();
  renderTargets();
}

const sessionOf = (tableId) => [...state.sessions.values()].find((s) => s.table_id === tableId) || null;
const tableName = (id) => (state.tables.get(id) || {}).name || 'Table';

function renderTables() {
  const tables = [...state.tables.values()].sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  $('table-list').replaceChildren(...tables.map((table) => {
    const session = sessionOf(table.id);
    return h('li', { class: `row${session ? ' selected' : ''}`, dataset: { tableId: table.id, open: session ? '1' : '0' } },
      h('span', { class: 'row-main' }, h('strong', {}, table.name), ' ',
        h('span', { class: 'hint' }, session ? `open since ${new Date(session.opened_at).toLocaleTimeString()}` : 'free')),
      h('div', { class: 'button-row' }, session ? [
        h('button', { type: 'button', class: 'show-qr', onclick: () => showQr(table) }, 'Show QR'),
        h('button', { type: 'button', class: 'show-bill', onclick: () => showBill(session) }, 'Bill / close'),
      ] : h('button', { type: 'button', class: 'primary open-table', onclick: (e) => openTable(table, e.currentTarget) }, 'Open table')));
  }));
  if (!tables.length) $('table-list').append(h('li', { class: 'hint' }, 'No tables yet (the admin page adds them).'));
}

async function openTable(table, button) {
  button.disabled = true;
  try {
    const session = await staffApi('/table-sessions', { method: 'POST', body: { table_id: table.id } });
    state.sessions.set(session.id, session);
    renderTables();
    renderTargets();
    showQr(table);
  } catch (err) {
    if (err.status !== 401) toast(`Could not open ${table.name}: ${problemText(err)}`, 'error');
    button.disabled = false;
  }
}

async function showQr(table) {
  $('qr-title').textContent = `${table.name} · ${state.outlet.name}`;
  $('qr-image').alt = `QR code of ${table.name}`;
  $('qr-dialog').showModal();
  try {
    await showTableQr($('qr-image'), table.id);
  } catch (err) {
    if (err.status !== 401) toast(`Could not load the QR code: ${problemText(err)}`, 'error');
  }
}

async function showBill(session) {
  state.billSession = session;
  $('bill-title').textContent = `Bill · ${tableName(session.table_id)}`;
  $('bill-error').hidden = true;
  $('bill-body').replaceChildren(h('p', { class: 'hint' }, 'Loading…'));
  if (!$('bill-dialog').open) $('bill-dialog').showModal();
  try {
    const bill = await staffApi(`/table-sessions/${session.id}/bill`);
    $('bill-body').replaceChildren(
      bill.orders.length ? h('ul', { class: 'orders' }, bill.orders.map((order) => h('li', { class: 'order' },
        h('div', { class: 'order-head' },
          h('span', { class: 'number' }, `#${order.number}`),
          h('span', { class: `status status-${order.status}` }, STATUS_TEXT[order.status] || order.status),
          h('span', {}, money(order.total_amount))),
        h('ul', { class: 'order-items' }, order.items.map((item) => h('li', {}, `${item.quantity}× ${item.name}`))),
        payButton(order)))) : h('p', { class: 'hint' }, 'No orders yet.'),
      h('dl', { class: 'bill' },
        h('dt', {}, 'Subtotal'), h('dd', {}, money(bill.subtotal)),
        bill.service_charge_amount ? [h('dt', {}, 'Service'), h('dd', {}, money(bill.service_charge_amount))] : null,
        bill.tax_amount ? [h('dt', {}, 'Tax'), h('dd', {}, money(bill.tax_amount))] : null,
        h('dt', { class: 'total' }, 'Total'), h('dd', { class: 'total' }, money(bill.total_amount)),
        h('dt', {}, 'Paid'), h('dd', {}, money(bill.paid_amount)),
        h('dt', { class: 'outstanding' }, 'Outstanding'), h('dd', { class: 'outstanding', id: 'bill-outstanding' }, money(bill.outstanding))),
    );
  } catch (err) {
    showError($('bill-error'), err);
  }
}

async function closeTable() {
  const session = state.billSession;
  if (!session) return;
  const line = $('bill-error');
  line.hidden = true;
  $('bill-close-table').disabled = true;
  try {
    await staffApi(`/table-sessions/${session.id}/close`, { method: 'POST', body: {} });
    state.sessions.delete(session.id);
    $('bill-dialog').close();
    renderTables();
    renderTargets();
    toast(`${tableName(session.table_id)} closed.`);
  } catch (err) {
    if (err.code === 'SESSION_HAS_UNPAID_ORDERS') {
      showError(line, 'This table still has unpaid orders: take their payment (or void them) first, then close the table.');
    } else {
      showError(line, err);
    }
  } finally {
    $('bill-close-table').disabled = false;
  }
}

// ---- orders --------------------------------------------------------------------------------

async function loadOrders() {
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
  state.orders = orders.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
  renderOrders();
  document.body.dataset.orders = String(Number(document.body.dataset.orders || 0) + 1);
}

let ordersTimer = null;
function reloadOrdersSoon() {
  clearTimeout(ordersTimer);
  ordersTimer = setTimeout(() => loadOrders().catch(() => {}), 200);
}

function outstanding(order) {
  return Math.max(0, order.total_amount - order.paid_amount);
}

function payable(order) {
  return state.drawer && order.status !== 'VOIDED' && outstanding(order) > 0;
}

function payButton(order) {
  if (!payable(order)) return null;
  return h('button', {
    type: 'button',
    class: 'primary pay',
    'aria-label': `Take payment for order ${order.number}`,
    onclick: () => openPayment(order),
  }, `Pay ${money(outstanding(order))}`);
}

function where(order) {
  if (!order.table_session_id) return 'Takeaway';
  const session = state.sessions.get(order.table_session_id);
  return session ? tableName(session.table_id) : 'Table';
}

function renderOrders() {
  const list = $('order-list');
  list.replaceChildren(...state.orders.map((order) => h('li', {
    class: 'row order-row',
    dataset: { orderId: order.id, number: String(order.number), status: order.status, paid: order.payment_status },
  },
  h('div', { class: 'row-main' },
    h('div', { class: 'order-head' },
      h('span', { class: 'number' }, `#${order.number} · ${where(order)}`),
      h('span', { class: `status status-${order.status}` }, STATUS_TEXT[order.status] || order.status)),
    h('ul', { class: 'order-lines' }, order.items.map((item) => h('li', { dataset: { itemId: item.id } },
      h('span', {}, `${left(item)}× ${item.name}`),
      item.voided_quantity ? h('s', { class: 'voided' }, ` ${item.voided_quantity}× void`) : null,
      item.comped_quantity ? h('span', { class: 'comped' }, ` ${item.comped_quantity}× comp`) : null,
      correctable(order, item)
        ? h('button', {
          type: 'button',
          class: 'void small',
          'aria-label': `Void or comp ${item.name} of order ${order.number}`,
          onclick: () => openVoid(order, item),
        }, 'Void')
        : null))),
    h('p', { class: 'order-total' }, `${money(order.total_amount)} · ${order.payment_status.replace('_', ' ').toLowerCase()}`)),
  payButton(order))));
  if (!state.orders.length) list.append(h('li', { class: 'hint' }, 'No orders here.'));
}

// ---- corrections ---------------------------------------------------------------------------

/** Still on the bill: ordered less voided and comped. */
function left(item) {
  return item.quantity - (item.voided_quantity || 0) - (item.comped_quantity || 0);
}

function correctable(order, item) {
  return order.status !== 'VOIDED' && !['PAID', 'REFUNDED'].includes(order.payment_status) && left(item) > 0;
}

function openVoid(order, item) {
  state.voiding = { order, item };
  $('void-summary').textContent = `Order #${order.number} · ${where(order)} · ${left(item)}× ${item.name}`;
  $('void-quantity').value = '1';
  $('void-quantity').max = String(left(item));
  $('void-reason-pick').value = 'Sent back';
  $('void-reason-text').value = '';
  $('void-comp').checked = false;
  $('void-error').hidden = true;
  if (!$('void-dialog').open) $('void-dialog').showModal();
}

async function confirmVoid(event) {
  event.preventDefault();
  const { order, item } = state.voiding || {};
  if (!order) return;
  const quantity = Number($('void-quantity').value);
  const reason = [$('void-reason-pick').value, $('void-reason-text').value.trim()].filter(Boolean).join(': ');
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > left(item)) {
    showError($('void-error'), `Choose between 1 and ${left(item)}.`);
    return;
  }
  if (!reason) {
    showError($('void-error'), 'Say why.');
    return;
  }
  $('void-confirm').disabled = true;
  try {
    await staffApi(`/orders/${order.id}/items/${item.id}/void`, {
      method: 'POST',
      body: { quantity, reason, comp: $('void-comp').checked },
    });
    $('void-dialog').close();
    toast(`${quantity}× ${item.name} ${$('void-comp').checked ? 'comped' : 'voided'}.`);
    await loadOrders();
  } catch (err) {
    showError($('void-error'), err);
  } finally {
    $('void-confirm').disabled = false;
  }
}

// ---- payments ------------------------------------------------------------------------------

function openPayment(order) {
  state.paying = { order, key: newKey() };
  $('pay-summary').textContent = `Order #${order.number} · ${where(order)} · total ${money(order.total_amount)}, outstanding ${money(outstanding(order))}`;
  $('pay-method').value = 'CASH';
  $('pay-amount').value = String(outstanding(order));
  $('pay-tendered').value = '';
  $('pay-reference').value = '';
  $('pay-error').hidden = true;
  renderChange();
  if (!$('pay-dialog').open) $('pay-dialog').showModal();
  $('pay-tendered').focus();
}

/** The change (`tendered − amount`), shown big before confirming. */
function renderChange() {
  const cash = $('pay-method').value === 'CASH';
  $('pay-cash').hidden = !cash;
  const amount = amountOf('pay-amount');
  const tendered = amountOf('pay-tendered');
  const change = $('pay-change');
  if (!cash || amount === null || tendered === null) {
    change.textContent = '—';
    change.dataset.short = '0';
  } else if (tendered < amount) {
    change.textContent = `${money(amount - tendered)} short`;
    change.dataset.short = '1';
  } else {
    change.textContent = money(tendered - amount);
    change.dataset.short = '0';
  }
  // A new amount or tendered is a new payment: a new idempotency key.
  if (state.paying) state.paying.key = newKey();
}

async function confirmPayment(event) {
  event.preventDefault();
  const { order, key } = state.paying || {};
  if (!order) return null;
  const line = $('pay-error');
  line.hidden = true;
  const method = $('pay-method').value;
  const amount = amountOf('pay-amount');
  if (!amount) return showError(line, 'Enter the amount to pay.');
  if (amount > outstanding(order)) return showError(line, `At most ${money(outstanding(order))} is outstanding.`);
  const body = { method, amount };
  if (method === 'CASH') {
    const tendered = amountOf('pay-tendered');
    body.tendered = tendered === null ? amount : tendered;
    if (body.tendered < amount) return showError(line, 'The cash received is less than the amount.');
  }
  const reference = $('pay-reference').value.trim();
  if (reference) body.reference = reference;
  $('pay-confirm').disabled = true;
  try {
    const payment = await postPayment(order.id, body, key);
    $('pay-dialog').close();
    toast(method === 'CASH' ? `Paid. Change: ${money(payment.change || 0)}` : 'Paid.');
    await Promise.all([loadOrders(), state.shift ? loadReport() : null]);
    renderDifference();
    if ($('bill-dialog').open && state.billSession) showBill(state.billSession);
  } catch (err) {
    if (err.code === 'NO_OPEN_SHIFT') {
      showError(line, 'Open a shift first: payments go into your cash drawer (Shift, above).');
    } else {
      showError(line, err);
    }
  } finally {
    $('pay-confirm').disabled = false;
  }
  return null;
}

function postPayment(orderId, body, key) {
  return retryTransient(
    () => staffApi(`/orders/${orderId}/payments`, { method: 'POST', body, headers: { 'Idempotency-Key': key } }),
    3,
  );
}

// ---- new order -----------------------------------------------------------------------------

async function loadMenu() {
  state.menu = await staffApi(`/menu?outlet_id=${state.outlet.id}`);
  state.products = new Map();
  for (const section of state.menu.categories) {
    for (const product of section.products) state.products.set(product.id, product);
  }
  renderMenu();
}

function renderMenu() {
  const sections = state.menu ? state.menu.categories.filter((c) => c.products.length) : [];
  $('menu-products').replaceChildren(...sections.map((section) => h('div', { class: 'menu-section' },
    h('h3', { class: 'label' }, section.name || 'Other'),
    h('div', { class: 'menu-buttons' }, section.products.map((product) => h('button', {
      type: 'button',
      class: 'menu-item',
      disabled: !product.available,
      dataset: { productId: product.id },
      onclick: () => pickProduct(product),
    }, h('span', { class: 'product-name' }, product.name), h('span', { class: 'product-price' }, money(product.price))))))));
  if (!sections.length) $('menu-products').append(h('p', { class: 'hint' }, 'The menu is empty.'));
}

function renderTargets() {
  const select = $('order-target');
  const current = select.value;
  const sessions = [...state.sessions.values()].sort((a, b) => tableName(a.table_id).localeCompare(tableName(b.table_id), undefined, { numeric: true }));
  select.replaceChildren(h('option', { value: '' }, 'Takeaway'),
    ...sessions.map((s) => h('option', { value: s.id }, tableName(s.table_id))));
  if ([...select.options].some((o) => o.value === current)) select.value = current;
}

function pickProduct(product) {
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
      ? `choose ${group.min_select}`
      : group.min_select ? `choose ${group.min_select}–${group.max_select}` : `up to ${group.max_select}`;
    return h('fieldset', { class: 'group', dataset: { groupId: group.id, min: String(group.min_select), max: String(group.max_select) } },
      h('legend', {}, `${group.name} (${rule})`),
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
      const name = box.querySelector('legend').textContent;
      showError($('item-error'), `${name}: ${min === max ? `choose ${min}` : `choose ${min} to ${max}`}.`);
      return;
    }
    options.push(...chosen);
  }
  addLine({ product, quantity, options, note: $('item-note').value.trim() });
  $('item-dialog').close();
}

function addLine({ product, quantity, options, note }) {
  const same = state.cart.lines.find((l) => l.product.id === product.id && !note && !l.note
    && l.options.join() === options.join());
  if (same) same.quantity += quantity;
  else state.cart.lines.push({ product, quantity, options, note });
  cartChanged();
}

function cartChanged() {
  state.cart.key = null; // another cart is another order
  $('order-error').hidden = true;
  renderCart();
}

function renderCart() {
  const lines = state.cart.lines;
  $('cart-empty').hidden = lines.length > 0;
  $('cart-lines').replaceChildren(...lines.map((line, index) => h('li', { class: 'cart-line' },
    h('div', { class: 'cart-line-main' },
      h('span', { class: 'product-name' }, line.product.name),
      line.options.length ? h('span', { class: 'mods' }, optionNames(line.product, line.options).join(', ')) : null,
      line.note ? h('span', { class: 'note' }, `“${line.note}”`) : null),
    h('div', { class: 'stepper' },
      h('button', {
        type: 'button',
        'aria-label': `One less ${line.product.name}`,
        onclick: () => {
          line.quantity -= 1;
          if (line.quantity <= 0) lines.splice(index, 1);
          cartChanged();
        },
      }, '−'),
      h('output', {}, String(line.quantity)),
      h('button', {
        type: 'button',
        'aria-label': `One more ${line.product.name}`,
        onclick: () => { line.quantity += 1; cartChanged(); },
      }, '+')),
    h('span', { class: 'line-total' }, money(unitPrice(line.product, line.options) * line.quantity)))));
  const total = lines.reduce((sum, l) => sum + unitPrice(l.product, l.options) * l.quantity, 0);
  $('order-submit').disabled = !lines.length;
  $('order-submit').textContent = lines.length ? `Place order · ${money(total)}` : 'Place order';
}

async function placeOrder() {
  const button = $('order-submit');
  if (button.disabled || !state.cart.lines.length) return;
  button.disabled = true;
  $('order-error').hidden = true;
  // One key per cart: a double tap or a retry after a lost answer places one order.
  if (!state.cart.key) state.cart.key = newKey();
  const session = $('order-target').value;
  const body = {
    outlet_id: state.outlet.id,
    table_session_id: session || undefined,
    note: $('order-note').value.trim() || undefined,
    items: state.cart.lines.map((l) => ({
      product_id: l.product.id,
      quantity: l.quantity,
      note: l.note || undefined,
      modifier_option_ids: l.options,
    })),
  };
  try {
    const key = state.cart.key;
    const order = await retryTransient(
      () => staffApi('/orders', { method: 'POST', body, headers: { 'Idempotency-Key': key } }),
      4,
    );
    state.cart = { lines: [], key: null };
    $('order-note').value = '';
    renderCart();
    toast(`Order #${order.number} placed.`);
    await loadOrders();
  } catch (err) {
    showError($('order-error'), err);
    button.disabled = false;
  }
}

// ---- live events ---------------------------------------------------------------------------

function onFrame(frame) {
  if (frame.outlet_id && frame.outlet_id !== state.outlet.id) return;
  switch (frame.type) {
    case 'NEW_ORDER':
    case 'ORDER_STATUS_CHANGED':
    case 'ORDER_PAID':
    case 'ORDER_UPDATED':
      reloadOrdersSoon();
      if (frame.type === 'ORDER_PAID' && state.shift) loadReport().then(renderDifference);
      break;
    case 'TABLE_SESSION_OPENED':
    case 'TABLE_SESSION_CLOSED':
      loadTables().catch(() => {});
      break;
    case 'PRODUCT_UPDATED':
      loadMenu().catch(() => {});
      break;
    case 'SHIFT_OPENED':
    case 'SHIFT_CLOSED':
      if (frame.payload && frame.payload.user_id === state.me.id && !$('close-confirm').disabled) loadShift().catch(() => {});
      break;
    default:
      break;
  }
}

async function reloadAll() {
  await Promise.all([loadTables(), loadOrders(), loadMenu(), loadShift()]);
}

// ---- page setup ----------------------------------------------------------------------------

function setUp() {
  $('shift-open-form').addEventListener('submit', openShift);
  $('close-form').addEventListener('submit', closeShift);
  $('close-count').addEventListener('input', renderDifference);
  $('close-panel').addEventListener('toggle', () => {
    if ($('close-panel').open && state.shift) loadReport().then(renderDifference);
  });
  $('movement-form').addEventListener('submit', recordMovement);
  $('order-filter').addEventListener('change', () => loadOrders().catch((err) => toast(problemText(err), 'error')));
  $('order-submit').addEventListener('click', placeOrder);
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
  for (const id of ['pay-method', 'pay-amount', 'pay-tendered']) $(id).addEventListener('input', renderChange);
  $('pay-method').addEventListener('change', renderChange);
  $('pay-form').addEventListener('submit', confirmPayment);
  $('pay-cancel').addEventListener('click', () => $('pay-dialog').close());
  $('void-form').addEventListener('submit', confirmVoid);
  $('void-cancel').addEventListener('click', () => $('void-dialog').close());
  $('qr-close').addEventListener('click', () => $('qr-dialog').close());
  $('bill-dismiss').addEventListener('click', () => $('bill-dialog').close());
  $('bill-close-table').addEventListener('click', closeTable);
}

async function main() {
  try {
    state.me = await staffPage(['OWNER', 'MANAGER', 'KASIR', 'WAITER']);
    if (!state.me) return;
    state.drawer = state.me.role !== 'WAITER';
    // Waiters keep no cash drawer: no shift, no payments.
    for (const el of document.querySelectorAll('.drawer-only')) el.hidden = !state.drawer;
    $('admin-link').hidden = !['OWNER', 'MANAGER'].includes(state.me.role);
    state.outlet = await chooseOutlet(state.me);
    if (!state.outlet) {
      showError($('load-error'), 'There is no outlet yet: create one on the admin page first.');
      return;
    }
    $('outlet-name').textContent = `· ${state.outlet.name}`;
    setUp();
    renderCart();
    await reloadAll();
  } catch (err) {
    showError($('load-error'), `Could not start: ${problemText(err)}`);
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
