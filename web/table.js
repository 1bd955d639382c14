// `/t/<qr_slug>`: the guest's page. Scan → table session token (sessionStorage) → menu,
// cart, order (with an idempotency key), then the table's orders and bill, kept live; and the
// guest's calls for a waiter or the bill.
import {
  api, ApiError, basisPoints, formatMoney, h, Live, newKey, optionNames, problemText, retryTransient,
  toast, unitPrice,
} from './app.js';
import { loadLanguage, locale, mountLanguageSwitch, rememberOutletLanguage, t } from './i18n.js';

const slug = decodeURIComponent(location.pathname.split('/')[2] || '');
const SESSION_KEY = `kedai.guest.${slug}`;
const CART_KEY = `kedai.cart.${slug}`;
const RANK = { NEW: 0, ACCEPTED: 1, COOKING: 2, READY: 3, DONE: 4, VOIDED: 4 };
const statusText = (status) => (Object.hasOwn(RANK, status) ? t(`guest.status.${status}`) : status);

const $ = (id) => document.getElementById(id);
const state = {
  session: null,
  menu: null,
  products: new Map(), // id → product (with modifier_groups)
  orders: new Map(), // id → order
  bill: null,
  cart: { lines: [], key: null }, // key: the Idempotency-Key of the pending submission
  sending: false,
  live: null,
  loading: 0,
  pending: [],
  sheet: null, // {product, quantity}
  calls: new Set(), // ids of this visit's calls for staff, to recognise their answers
};

const money = (amount) => formatMoney(amount, (state.menu && state.menu.currency) || (state.session && state.session.currency) || 'IDR');
/** Basis points as a percent in the page's language: `1150` → `11.5` / `11,5`. */
const percent = (bp) => (Number(bp || 0) / 100).toLocaleString(locale());

// ---- views ---------------------------------------------------------------------------------

function view(name) {
  document.body.dataset.view = name;
  $('loading').hidden = name !== 'loading';
  $('message').hidden = name !== 'message';
  $('guest-main').hidden = name !== 'menu';
  $('call-bar').hidden = name !== 'menu';
  if (name !== 'menu') $('cart-bar').hidden = true;
}

function showMessage(kind, title, text, retry) {
  $('message').dataset.kind = kind;
  $('message-title').textContent = title;
  $('message-text').textContent = text;
  $('message-retry').hidden = !retry;
  $('message-retry').onclick = retry || null;
  for (const dialog of document.querySelectorAll('dialog[open]')) dialog.close();
  view('message');
}

function showClosed() {
  if (state.live) state.live.stop();
  state.live = null;
  sessionStorage.removeItem(SESSION_KEY);
  sessionStorage.removeItem(CART_KEY);
  state.cart = { lines: [], key: null };
  showMessage('closed', t('guest.closed_title'), t('guest.closed_text'), start);
  $('message-retry').textContent = t('guest.start_again');
}

/** 410 (table closed or expired) and 401 (token no longer known) end the visit. */
function handleGone(err) {
  if (err.status === 410 || err.status === 401) {
    showClosed();
    return true;
  }
  return false;
}

// ---- start ---------------------------------------------------------------------------------

async function start() {
  if (state.live) state.live.stop();
  state.live = null;
  view('loading');
  $('message-retry').textContent = t('common.try_again');
  let session;
  try {
    session = await api('/table-sessions/scan', { method: 'POST', body: { qr_slug: slug } });
  } catch (err) {
    sessionStorage.removeItem(SESSION_KEY);
    if (err.status === 409) {
      showMessage('not-open', t('guest.not_open_title'), t('guest.not_open_text'), start);
    } else if (err.status === 404 || err.status === 400) {
      showMessage('invalid', t('guest.invalid_title'), t('guest.invalid_text'));
    } else if (err.status === 429) {
      showMessage('error', t('guest.wait_title'), problemText(err), start);
    } else {
      showMessage('error', t('guest.unreachable_title'), t('guest.unreachable_text'), start);
    }
    return;
  }
  state.session = session;
  state.calls.clear();
  $('call-status').hidden = true;
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  document.title = `${session.outlet_name} · ${session.table_name}`;
  $('outlet-name').textContent = session.outlet_name;
  $('table-name').textContent = session.table_name;
  loadCart();
  if (!(await refresh())) return;
  view('menu');
  renderAll();
  state.live = new Live({
    token: session.token,
    onFrame,
    onOpen: ({ resumed }) => { if (!resumed) refresh({ quiet: true }).then(renderAll); },
    canReconnect: async () => {
      try {
        await api(`/table-sessions/${session.id}`, { token: session.token });
        return true;
      } catch (err) {
        return !handleGone(err);
      }
    },
  }).start();
}

/** Menu, orders and bill afresh; frames arriving meanwhile are applied afterwards.
 *  `quiet`: the page is already showing, so a hiccup is only a toast. */
async function refresh({ quiet = false } = {}) {
  state.loading += 1;
  let ok = true;
  try {
    await Promise.all([loadMenu(), loadOrders(), loadBill()]);
  } catch (err) {
    ok = false;
    if (handleGone(err)) {
      // the visit is over
    } else if (quiet) {
      toast(t('guest.refresh_failed', { detail: problemText(err) }), 'error');
    } else {
      showMessage('error', t('guest.menu_failed_title'), t('guest.menu_failed_text', { detail: problemText(err) }), start);
    }
  } finally {
    state.loading -= 1;
  }
  if (state.loading === 0) state.pending.splice(0).forEach(apply);
  return ok;
}

const token = () => state.session.token;

async function loadMenu() {
  state.menu = await api('/menu?include_sold_out=true', { token: token() });
  // The outlet's language: the next visit's fallback when the phone speaks neither.
  if (state.menu.language) rememberOutletLanguage(state.menu.language);
  state.products = new Map();
  for (const category of state.menu.categories) {
    for (const product of category.products) state.products.set(product.id, product);
  }
}

async function loadOrders() {
  const page = await api(`/table-sessions/${state.session.id}/orders`, { token: token() });
  state.orders = new Map(page.items.map((order) => [order.id, order]));
}

async function loadBill() {
  state.bill = await api(`/table-sessions/${state.session.id}/bill`, { token: token() });
  // The bill's orders are the newest word on each (a payment gives one its receipt link).
  for (const order of state.bill.orders || []) {
    const known = state.orders.get(order.id);
    if (!known || RANK[order.status] >= RANK[known.status]) state.orders.set(order.id, order);
    else state.orders.set(order.id, { ...order, status: known.status });
  }
}

let billTimer = null;
function refreshBillSoon() {
  clearTimeout(billTimer);
  billTimer = setTimeout(async () => {
    try {
      await loadBill();
      renderOrders();
    } catch (err) {
      handleGone(err);
    }
  }, 300);
}

let menuTimer = null;
function reloadMenuSoon() {
  clearTimeout(menuTimer);
  menuTimer = setTimeout(async () => {
    try {
      await loadMenu();
      renderAll();
    } catch (err) {
      handleGone(err);
    }
  }, 300);
}

// ---- live events ---------------------------------------------------------------------------

function onFrame(frame) {
  if (state.loading) {
    state.pending.push(frame);
    return;
  }
  apply(frame);
}

function apply(frame) {
  const payload = frame.payload || {};
  switch (frame.type) {
    case 'NEW_ORDER':
      if ((payload.table_session_id || frame.table_session_id) !== state.session.id) return;
      if (!state.orders.has(payload.id)) state.orders.set(payload.id, payload);
      renderOrders();
      refreshBillSoon();
      break;
    case 'ORDER_STATUS_CHANGED': {
      const order = state.orders.get(payload.id);
      if (order && RANK[payload.status] >= RANK[order.status]) order.status = payload.status;
      if (!order) state.orders.set(payload.id, { ...payload, items: [] });
      renderOrders();
      refreshBillSoon();
      break;
    }
    case 'ORDER_UPDATED':
      // A correction at the till (a dish taken off or on the house, a discount, a split bill
      // or an order moved here or away): the whole order.
      if (payload.table_session_id === state.session.id) state.orders.set(payload.id, payload);
      else state.orders.delete(payload.id);
      renderOrders();
      refreshBillSoon();
      break;
    case 'ORDER_PAID':
      refreshBillSoon();
      break;
    case 'PRODUCT_UPDATED': {
      const product = state.products.get(payload.id);
      if (!product) {
        if (payload.available && !payload.deleted) reloadMenuSoon();
        return;
      }
      product.available = Boolean(payload.available) && !payload.deleted;
      if (typeof payload.price === 'number') product.price = payload.price;
      if (payload.name) product.name = payload.name;
      if (payload.deleted) product.deleted = true;
      renderMenu();
      renderCart();
      break;
    }
    case 'TABLE_SESSION_MERGED':
      // Another table joined ours: its orders are on our bill now.
      loadBill().then(() => {
        for (const order of state.bill.orders) state.orders.set(order.id, order);
        renderOrders();
      }, handleGone);
      break;
    case 'TABLE_SESSION_CLOSED':
      if (frame.table_session_id === state.session.id) showClosed();
      break;
    case 'GUEST_REQUEST_ACKNOWLEDGED':
      if (state.calls.has(payload.id)) callStatus('acknowledged', t('guest.call_acknowledged'));
      break;
    default:
      break;
  }
}

// ---- menu ----------------------------------------------------------------------------------

function renderAll() {
  renderMenu();
  renderOrders();
  renderCart();
}

function renderMenu() {
  const sections = state.menu.categories.filter((c) => c.products.some((p) => !p.deleted));
  $('categories').replaceChildren(...sections.map((category, i) => h('a', { href: `#cat-${i}`, class: 'chip' }, category.name || t('guest.menu'))));
  $('categories').hidden = sections.length < 2;
  $('menu').replaceChildren(...sections.map((category, i) => h('section', { id: `cat-${i}`, class: 'category', 'aria-labelledby': `cat-${i}-title` },
    h('h2', { id: `cat-${i}-title` }, category.name || t('guest.menu')),
    h('ul', { class: 'products' }, category.products.filter((p) => !p.deleted).map(productCard)))));
}

function productCard(product) {
  const soldOut = !product.available;
  const photo = Boolean(product.image_url);
  return h('li', { class: `product${soldOut ? ' sold-out' : ''}`, dataset: { productId: product.id } },
    h('button', {
      type: 'button', class: `product-button${photo ? ' has-photo' : ''}`, disabled: soldOut,
      'aria-label': soldOut
        ? t('guest.product_sold_out_label', { name: product.name })
        : t('guest.product_add_label', { name: product.name, price: money(product.price) }),
      onclick: () => openSheet(product),
    },
    // A fixed-size box, so the list does not jump as the photos arrive.
    photo ? h('img', {
      class: 'product-thumb', src: `${product.image_url}&size=thumb`, alt: '', loading: 'lazy',
      width: '72', height: '72', decoding: 'async',
    }) : null,
    h('span', { class: 'product-name' }, product.name),
    product.description ? h('span', { class: 'product-description' }, product.description) : null,
    h('span', { class: 'product-price' }, soldOut ? t('guest.sold_out') : money(product.price))));
}

// ---- product sheet -------------------------------------------------------------------------

function groupRule(group) {
  if (group.min_select === group.max_select) return t('guest.rule_exact', { count: group.min_select });
  if (group.min_select === 0) return t('guest.rule_optional', { max: group.max_select });
  return t('guest.rule_range', { min: group.min_select, max: group.max_select });
}

/** The dish's whole photo atop its sheet; none without one. */
function sheetPhoto(product) {
  const img = $('sheet-photo');
  img.hidden = !product.image_url;
  if (product.image_url) {
    img.src = product.image_url;
  } else {
    img.removeAttribute('src');
  }
}

function openSheet(product) {
  if (!product.available) return;
  state.sheet = { product, quantity: 1 };
  $('sheet-title').textContent = product.name;
  $('sheet-description').textContent = product.description || '';
  sheetPhoto(product);
  $('sheet-note').value = '';
  $('sheet-error').hidden = true;
  $('sheet-groups').replaceChildren(...(product.modifier_groups || []).map((group) => {
    const single = group.min_select === 1 && group.max_select === 1;
    return h('fieldset', { class: 'group', dataset: { groupId: group.id } },
      h('legend', {}, group.name, ' ', h('span', { class: 'hint' }, `(${groupRule(group)})`)),
      group.options.map((option) => {
        const id = `opt-${option.id}`;
        return h('div', { class: `option${option.available ? '' : ' sold-out'}` },
          h('input', {
            id, type: single ? 'radio' : 'checkbox', name: `group-${group.id}`, value: option.id,
            disabled: !option.available, onchange: () => limitGroup(group),
          }),
          h('label', { for: id }, option.name,
            option.price_delta ? ` (+${money(option.price_delta)})` : '',
            option.available ? '' : ` ${t('guest.option_sold_out')}`));
      }));
  }));
  updateSheet();
  $('sheet').showModal();
}

/** Once a group has its maximum, its other boxes are disabled. */
function limitGroup(group) {
  const boxes = [...document.querySelectorAll(`[name="group-${group.id}"]`)];
  const chosen = boxes.filter((b) => b.checked).length;
  for (const box of boxes) {
    const option = group.options.find((o) => o.id === box.value);
    box.disabled = !option.available || (!box.checked && chosen >= group.max_select && box.type === 'checkbox');
  }
  $('sheet-error').hidden = true;
  updateSheet();
}

function chosenOptions() {
  return [...document.querySelectorAll('#sheet-groups input:checked')].map((box) => box.value);
}

function updateSheet() {
  const { product, quantity } = state.sheet;
  $('sheet-qty').textContent = String(quantity);
  $('sheet-minus').disabled = quantity <= 1;
  $('sheet-add').textContent = t('guest.sheet_add', { quantity, price: money(unitPrice(product, chosenOptions()) * quantity) });
}

function addFromSheet(event) {
  event.preventDefault();
  const { product, quantity } = state.sheet;
  const optionIds = chosenOptions();
  for (const group of product.modifier_groups || []) {
    const count = group.options.filter((o) => optionIds.includes(o.id)).length;
    if (count < group.min_select || count > group.max_select) {
      $('sheet-error').textContent = t('guest.group_error', { group: group.name, rule: groupRule(group) });
      $('sheet-error').hidden = false;
      return;
    }
  }
  const note = $('sheet-note').value.trim();
  const same = state.cart.lines.find((line) => line.product_id === product.id && line.note === note
    && line.option_ids.length === optionIds.length && line.option_ids.every((id) => optionIds.includes(id)));
  if (same) same.quantity = Math.min(999, same.quantity + quantity);
  else state.cart.lines.push({ product_id: product.id, option_ids: optionIds, quantity, note });
  cartChanged();
  $('sheet').close();
  toast(t('guest.added', { quantity, name: product.name }));
}

// ---- cart ----------------------------------------------------------------------------------

function loadCart() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(CART_KEY) || 'null');
    if (saved && Array.isArray(saved.lines)) state.cart = saved;
  } catch { /* start empty */ }
}

/** Any change to the cart makes it a new submission, with a new idempotency key. */
function cartChanged() {
  state.cart.key = null;
  sessionStorage.setItem(CART_KEY, JSON.stringify(state.cart));
  $('cart-error').hidden = true;
  renderCart();
}

function cartTotals() {
  let subtotal = 0;
  for (const line of state.cart.lines) {
    const product = state.products.get(line.product_id);
    if (product) subtotal += unitPrice(product, line.option_ids) * line.quantity;
  }
  const service = basisPoints(subtotal, state.menu.service_charge_bp);
  const tax = basisPoints(subtotal + service, state.menu.tax_bp);
  return { subtotal, service, tax, total: subtotal + service + tax };
}

function totalsList(rows) {
  return rows.filter(Boolean).map(([label, amount, kind]) => [
    h('dt', { class: kind || '' }, label), h('dd', { class: kind || '' }, money(amount)),
  ]).flat();
}

function renderCart() {
  if (!state.menu) return;
  const count = state.cart.lines.reduce((sum, line) => sum + line.quantity, 0);
  const totals = cartTotals();
  const bar = $('cart-bar');
  bar.hidden = count === 0 || document.body.dataset.view !== 'menu';
  $('cart-open').textContent = t('guest.view_order', { count, total: money(totals.total) });

  let unavailable = false;
  $('cart-lines').replaceChildren(...state.cart.lines.map((line, index) => {
    const product = state.products.get(line.product_id);
    const gone = !product || !product.available || product.deleted;
    unavailable = unavailable || gone;
    const name = product ? product.name : t('guest.item_gone');
    const mods = product ? optionNames(product, line.option_ids) : [];
    return h('li', { class: `cart-line${gone ? ' sold-out' : ''}`, dataset: { productId: line.product_id } },
      h('div', { class: 'cart-line-main' },
        h('span', { class: 'product-name' }, name),
        mods.length ? h('span', { class: 'mods' }, mods.join(', ')) : null,
        line.note ? h('span', { class: 'note' }, `“${line.note}”`) : null,
        gone ? h('span', { class: 'error' }, t('guest.line_sold_out')) : null),
      h('div', { class: 'stepper', role: 'group', 'aria-label': t('guest.quantity_of', { name }) },
        h('button', { type: 'button', 'aria-label': line.quantity > 1 ? t('guest.one_less') : t('guest.remove', { name }), onclick: () => changeQuantity(index, -1) }, line.quantity > 1 ? '−' : '×'),
        h('output', {}, String(line.quantity)),
        h('button', { type: 'button', 'aria-label': t('guest.one_more'), disabled: line.quantity >= 999 || gone, onclick: () => changeQuantity(index, 1) }, '+')),
      h('span', { class: 'line-total' }, product ? money(unitPrice(product, line.option_ids) * line.quantity) : ''));
  }));
  $('cart-totals').replaceChildren(...totalsList([
    [t('guest.subtotal'), totals.subtotal],
    state.menu.service_charge_bp ? [t('guest.service_pct', { pct: percent(state.menu.service_charge_bp) }), totals.service] : null,
    state.menu.tax_bp ? [t('guest.tax_pct', { pct: percent(state.menu.tax_bp) }), totals.tax] : null,
    [t('guest.total'), totals.total, 'total'],
  ]));
  const button = $('place-order');
  if (!state.sending) {
    button.disabled = count === 0 || unavailable;
    button.textContent = count ? t('guest.place_order_total', { total: money(totals.total) }) : t('guest.place_order');
  }
  if (count === 0 && $('cart').open) $('cart').close();
}

function changeQuantity(index, delta) {
  const line = state.cart.lines[index];
  if (!line) return;
  line.quantity += delta;
  if (line.quantity <= 0) state.cart.lines.splice(index, 1);
  cartChanged();
}

/** POST /orders, retrying a lost connection or a busy server with the same key: the
 *  server answers a repeat with the first order instead of making a second one. */
function sendOrder(body, key) {
  return retryTransient(
    () => api('/orders', { method: 'POST', token: token(), body, headers: { 'Idempotency-Key': key } }),
    4,
  );
}

async function placeOrder() {
  // The button is disabled at once, so a double tap sends one request; the key makes even
  // a retry after a lost answer safe.
  if (state.sending || !state.cart.lines.length) return;
  const button = $('place-order');
  state.sending = true;
  button.disabled = true;
  button.textContent = t('guest.sending');
  $('cart-error').hidden = true;
  if (!state.cart.key) {
    state.cart.key = newKey();
    sessionStorage.setItem(CART_KEY, JSON.stringify(state.cart));
  }
  const body = {
    items: state.cart.lines.map((line) => ({
      product_id: line.product_id,
      quantity: line.quantity,
      note: line.note || undefined,
      modifier_option_ids: line.option_ids,
    })),
  };
  try {
    const order = await sendOrder(body, state.cart.key);
    state.cart = { lines: [], key: null };
    sessionStorage.setItem(CART_KEY, JSON.stringify(state.cart));
    state.orders.set(order.id, order);
    $('cart').close();
    toast(t('guest.order_sent', { number: order.number }));
    refreshBillSoon();
  } catch (err) {
    if (handleGone(err)) return;
    if (err.code === 'IDEMPOTENCY_KEY_REUSED') state.cart.key = null;
    if (err.code === 'PRODUCT_UNAVAILABLE') reloadMenuSoon();
    $('cart-error').textContent = err.status === 0
      ? t('guest.order_offline')
      : t('guest.order_failed', { detail: problemText(err) });
    $('cart-error').hidden = false;
  } finally {
    state.sending = false;
    renderOrders();
    renderCart();
  }
}

// ---- orders and bill -----------------------------------------------------------------------

function itemLine(item) {
  const mods = (item.modifiers || []).map((m) => (typeof m === 'string' ? m : m.option_name));
  const voided = item.voided_quantity || 0;
  const comped = item.comped_quantity || 0;
  return h('li', {}, `${item.quantity - voided}× ${item.name}`,
    voided ? h('s', { class: 'voided' }, ` ${t('guest.item_voided', { count: voided })}`) : null,
    comped ? h('span', { class: 'comped' }, ` ${t('guest.item_comped', { count: comped })}`) : null,
    mods.length ? h('span', { class: 'mods' }, ` (${mods.join(', ')})`) : null,
    item.note ? h('span', { class: 'note' }, ` “${item.note}”`) : null);
}

function renderOrders() {
  if (!state.menu) return;
  const orders = [...state.orders.values()].sort((a, b) => b.number - a.number);
  $('orders-section').hidden = orders.length === 0;
  $('orders').replaceChildren(...orders.map((order) => h('li', { class: 'order', dataset: { orderId: order.id, status: order.status } },
    h('div', { class: 'order-head' },
      h('span', { class: 'number' }, t('guest.order_number', { number: order.number })),
      h('span', { class: `status status-${order.status}` }, statusText(order.status))),
    h('ul', { class: 'order-items' }, (order.items || []).map(itemLine)),
    ...(order.discounts || []).map((d) => h('p', { class: 'order-discount' }, `${d.reason}: −${money(d.amount)}`)),
    typeof order.total_amount === 'number' ? h('p', { class: 'order-total' }, money(order.total_amount)) : null,
    order.receipt_url ? h('p', { class: 'order-receipt' },
      h('a', { href: order.receipt_url, class: 'receipt-link' }, t('guest.view_receipt'))) : null)));
  const bill = state.bill;
  $('bill').replaceChildren(...(bill ? totalsList([
    [t('guest.subtotal'), bill.subtotal],
    bill.discount_amount ? [t('guest.discount'), -bill.discount_amount] : null,
    bill.service_charge_amount ? [t('guest.service'), bill.service_charge_amount] : null,
    bill.tax_amount ? [t('guest.tax'), bill.tax_amount] : null,
    [t('guest.total'), bill.total_amount, 'total'],
    bill.paid_amount ? [t('guest.paid'), bill.paid_amount] : null,
    [t('guest.to_pay'), bill.outstanding, 'outstanding'],
  ]) : []));
}

// ---- calls for staff -----------------------------------------------------------------------

/** The line under the call buttons; `state` (called, acknowledged, wait, error) for styles. */
function callStatus(kind, text) {
  const line = $('call-status');
  line.dataset.state = kind;
  line.textContent = text;
  line.hidden = false;
}

/** POST the call. Its own fetch, not `api()`: a 429 says in `Retry-After` how long to wait. */
async function postCall(kind) {
  let response;
  try {
    response = await fetch(`/api/v1/table-sessions/${state.session.id}/requests`, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', Authorization: `Bearer ${token()}` },
      body: JSON.stringify({ kind }),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, null);
  }
  let body = null;
  try { body = await response.json(); } catch { body = null; }
  if (response.ok) return body;
  const err = new ApiError(response.status, body);
  err.retryAfter = Number(response.headers.get('Retry-After')) || 30;
  throw err;
}

/** Keeps a call button off for `seconds`: the same call again would only be refused. */
function holdButton(button, seconds) {
  clearTimeout(button.holdTimer);
  button.dataset.held = '1';
  button.disabled = true;
  button.holdTimer = setTimeout(() => {
    delete button.dataset.held;
    button.disabled = false;
  }, seconds * 1000);
}

async function callStaff(button) {
  const kind = button.dataset.kind;
  if (button.disabled || !state.session) return;
  button.disabled = true; // a double tap calls once
  try {
    const call = await postCall(kind);
    state.calls.add(call.id);
    callStatus('called', t(kind === 'BILL' ? 'guest.bill_called' : 'guest.waiter_called'));
  } catch (err) {
    if (handleGone(err)) return;
    if (err.status === 429) {
      callStatus('wait', t('guest.call_wait'));
      holdButton(button, err.retryAfter);
      return;
    }
    callStatus('error', t('guest.call_failed', { detail: problemText(err) }));
  } finally {
    if (!button.dataset.held) button.disabled = false;
  }
}

// ---- wiring --------------------------------------------------------------------------------

$('sheet-form').addEventListener('submit', addFromSheet);
$('sheet-cancel').addEventListener('click', () => $('sheet').close());
$('sheet-minus').addEventListener('click', () => {
  state.sheet.quantity = Math.max(1, state.sheet.quantity - 1);
  updateSheet();
});
$('sheet-plus').addEventListener('click', () => {
  state.sheet.quantity = Math.min(999, state.sheet.quantity + 1);
  updateSheet();
});
$('cart-open').addEventListener('click', () => {
  renderCart();
  $('cart').showModal();
});
$('cart-close').addEventListener('click', () => $('cart').close());
$('place-order').addEventListener('click', placeOrder);
for (const button of document.querySelectorAll('#call-bar button')) {
  button.addEventListener('click', () => callStaff(button));
}

// The words first, so nothing shows in the wrong language.
loadLanguage().then(() => {
  mountLanguageSwitch();
  start();
});
