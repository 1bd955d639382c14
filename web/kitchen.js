// `/kitchen`: the ticket board. Loads the open orders, then follows the live socket; a tap
// moves a ticket one step on. Also the sold-out switches for the outlet's dishes, and a banner
// when a printer needs a hand. `/kitchen?station=Bar` is one station's screen: only the dishes
// of categories with that station (without `?station`, every dish, as the kitchen has it).
import {
  audioReady, beep, chooseOutlet, h, Live, PrinterWatch, problemText, staff, staffAll, staffApi, staffPage,
  toast, unlockAudio,
} from './app.js';
import { t } from './i18n.js';

const BOARD = ['NEW', 'ACCEPTED', 'COOKING', 'READY'];
const RANK = { NEW: 0, ACCEPTED: 1, COOKING: 2, READY: 3, DONE: 4, VOIDED: 4 };
const NEXT = { NEW: 'ACCEPTED', ACCEPTED: 'COOKING', COOKING: 'READY', READY: 'DONE' };
/** The bump button's words for a ticket in `status`. */
const action = (status) => t(`kitchen.action.${status}`);
const WARN_AFTER_MIN = 10;
const LATE_AFTER_MIN = 20;
const SOUND_KEY = 'kedai.kitchen.sound';
const STATION = (new URLSearchParams(location.search).get('station') || '').trim();
const sameStation = (a, b) => (a || '').trim().toLowerCase() === (b || '').trim().toLowerCase();

const $ = (id) => document.getElementById(id);
const state = {
  me: null,
  outletId: null,
  orders: new Map(), // id → ticket
  tables: new Map(), // table id → name
  sessionTables: new Map(), // table session id → table id (or a pending promise)
  products: new Map(), // id → {id, name, available}
  categories: new Map(), // id → {name, station}
  productCategory: new Map(), // product id → its category id (or null)
  looked: new Set(), // product ids not known yet, looked up once
  printers: null, // PrinterWatch: the banner
  busy: new Set(), // order ids with a request in flight
  fresh: new Set(), // ids of tickets that just arrived (highlighted for a few seconds)
  loading: 0,
  pending: [], // frames that arrived during a reload, applied after it
  alerts: 0,
};

// ---- tickets -------------------------------------------------------------------------------

/** An order from the API or a NEW_ORDER payload, as the board keeps it. */
function ticket(order) {
  return {
    id: order.id,
    number: order.number,
    status: order.status,
    version: order.version,
    table_session_id: order.table_session_id || null,
    note: order.note || '',
    created_at: order.created_at,
    items: (order.items || []).map((item) => ({
      product_id: item.product_id,
      name: item.name,
      quantity: item.quantity,
      voided: item.voided_quantity || 0,
      comped: item.comped_quantity || 0,
      note: item.note || '',
      modifiers: (item.modifiers || []).map((m) => (typeof m === 'string' ? m : m.option_name)),
    })),
  };
}

/** Whether this screen shows the item: every one, or (`?station=`) its category's station's. */
function forStation(item) {
  if (!STATION) return true;
  if (!state.productCategory.has(item.product_id)) {
    catalogSoon(item.product_id); // a dish added to the menu after the page loaded
    return false;
  }
  const category = state.categories.get(state.productCategory.get(item.product_id));
  return Boolean(category && sameStation(category.station, STATION));
}

function terminal(status) {
  return !BOARD.includes(status);
}

/** Adds or updates a ticket; never moves one backwards (frames may repeat what a reload saw). */
function upsert(next, { authoritative = false } = {}) {
  const known = state.orders.get(next.id);
  if (known && !authoritative && RANK[next.status] < RANK[known.status]) return;
  if (terminal(next.status)) {
    state.orders.delete(next.id);
  } else {
    state.orders.set(next.id, known ? { ...known, ...next, items: next.items.length ? next.items : known.items } : next);
  }
}

function canAdvance(order) {
  return !(order.status === 'READY' && state.me.role === 'KITCHEN');
}

function tableLabel(order) {
  if (!order.table_session_id) return t('kitchen.takeaway');
  const tableId = state.sessionTables.get(order.table_session_id);
  if (typeof tableId === 'string') return state.tables.get(tableId) || t('kitchen.table');
  if (!tableId) lookUpTable(order.table_session_id);
  return t('kitchen.table_loading');
}

/** Finds a session's table name once, then redraws. */
function lookUpTable(sessionId) {
  const lookup = staffApi(`/table-sessions/${sessionId}`)
    .then(async (session) => {
      state.sessionTables.set(sessionId, session.table_id);
      if (!state.tables.has(session.table_id)) await loadTables();
      render();
    })
    .catch(() => state.sessionTables.delete(sessionId));
  state.sessionTables.set(sessionId, lookup);
}

function age(createdAt) {
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(createdAt)) / 1000));
  const minutes = Math.floor(seconds / 60);
  const text = minutes >= 60
    ? t('kitchen.age_hours', { hours: Math.floor(minutes / 60), minutes: String(minutes % 60).padStart(2, '0') })
    : `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
  const level = minutes >= LATE_AFTER_MIN ? 'late' : minutes >= WARN_AFTER_MIN ? 'warn' : 'ok';
  return { text, level };
}

/** A ticket with the `items` this screen makes; `others` more are for other stations. */
function ticketElement(order, items = order.items, others = 0) {
  const { text, level } = age(order.created_at);
  const movable = canAdvance(order);
  const busy = state.busy.has(order.id);
  const li = h('li', {
    class: `ticket age-${level}${busy ? ' busy' : ''}${movable ? ' movable' : ''}${state.fresh.has(order.id) ? ' fresh' : ''}`,
    dataset: { orderId: order.id, status: order.status, number: String(order.number) },
    onclick: (event) => {
      unlockAudio();
      if (!event.target.closest('button')) advance(order.id);
    },
  },
  h('div', { class: 'ticket-head' },
    h('span', { class: 'number' }, `#${order.number}`),
    h('span', { class: 'where' }, tableLabel(order)),
    h('span', { class: 'age', dataset: { created: order.created_at }, title: t('kitchen.waiting_for') }, text)),
  h('ul', { class: 'items' }, items.map((item) => h('li', { class: item.voided >= item.quantity ? 'all-voided' : '' },
    h('span', { class: 'qty' }, `${item.quantity - item.voided}×`), ' ',
    h('span', { class: 'name' }, item.name),
    item.voided ? h('s', { class: 'voided', title: t('kitchen.voided_title') }, t('kitchen.voided', { count: item.voided })) : null,
    item.comped ? h('span', { class: 'comped', title: t('kitchen.comped_title') }, t('kitchen.comped', { count: item.comped })) : null,
    item.modifiers.length ? h('span', { class: 'mods' }, item.modifiers.join(', ')) : null,
    item.note ? h('span', { class: 'note' }, `“${item.note}”`) : null))),
  others ? h('p', { class: 'other-stations' }, t('kitchen.other_stations', { count: others })) : null,
  order.note ? h('p', { class: 'order-note' }, t('kitchen.order_note', { note: order.note })) : null,
  movable
    ? h('button', {
      type: 'button',
      class: 'advance',
      disabled: busy,
      'aria-label': t('kitchen.advance_label', { number: order.number, action: action(order.status) }),
      onclick: () => advance(order.id),
    }, busy ? t('kitchen.saving') : `${action(order.status)} →`)
    : h('p', { class: 'waiting' }, t('kitchen.waiting_pickup')));
  return li;
}

function render() {
  const focused = document.activeElement && document.activeElement.closest('.ticket');
  const focusedId = focused && focused.dataset.orderId;
  const sorted = [...state.orders.values()].sort(
    (a, b) => Date.parse(a.created_at) - Date.parse(b.created_at) || a.number - b.number,
  );
  // A station's screen leaves out the tickets with nothing for it.
  const shown = sorted.map((order) => {
    const items = order.items.filter(forStation);
    return { order, items, others: order.items.length - items.length };
  }).filter((t) => !STATION || t.items.length);
  for (const column of document.querySelectorAll('.column')) {
    const mine = shown.filter((t) => t.order.status === column.dataset.status);
    column.querySelector('.tickets').replaceChildren(...mine.map((t) => ticketElement(t.order, t.items, t.others)));
    column.querySelector('.count').textContent = String(mine.length);
  }
  if (focusedId) {
    const again = document.querySelector(`.ticket[data-order-id="${focusedId}"] .advance`);
    if (again) again.focus();
  }
}

function tickAges() {
  for (const li of document.querySelectorAll('.ticket')) {
    const label = li.querySelector('.age');
    const { text, level } = age(label.dataset.created);
    label.textContent = text;
    li.classList.remove('age-ok', 'age-warn', 'age-late');
    li.classList.add(`age-${level}`);
  }
}

async function advance(id) {
  const order = state.orders.get(id);
  if (!order || state.busy.has(id) || !canAdvance(order)) return;
  state.busy.add(id);
  render();
  try {
    const updated = await staffApi(`/orders/${id}/status`, {
      method: 'PATCH',
      body: { status: NEXT[order.status], version: order.version },
    });
    upsert(ticket(updated), { authoritative: true });
  } catch (err) {
    if (err.status === 409 || err.status === 404) {
      await refreshOrder(id);
      toast(t('kitchen.changed_elsewhere', { number: order.number }));
    } else if (err.status === 403) {
      toast(t('kitchen.role_cannot'), 'error');
    } else if (err.status !== 401) {
      toast(t('kitchen.update_failed', { number: order.number, detail: problemText(err) }), 'error');
    }
  } finally {
    state.busy.delete(id);
    render();
  }
}

async function refreshOrder(id) {
  try {
    upsert(ticket(await staffApi(`/orders/${id}`)), { authoritative: true });
  } catch (err) {
    if (err.status === 404) state.orders.delete(id);
  }
}

// ---- loading and live events ---------------------------------------------------------------

async function loadTables() {
  const tables = await staffAll(`/outlets/${state.outletId}/tables`);
  for (const table of tables) state.tables.set(table.id, table.name);
}

/** Which table each open session is at (later ones arrive as TABLE_SESSION_OPENED). */
async function loadSessions() {
  const sessions = await staffAll(`/table-sessions?outlet_id=${state.outletId}&status=OPEN`);
  for (const session of sessions) state.sessionTables.set(session.id, session.table_id);
}

/** Everything afresh: open orders of every column. Frames arriving meanwhile wait. */
async function reload() {
  state.loading += 1;
  document.body.dataset.loads = String(Number(document.body.dataset.loads || 0) + 1);
  try {
    const [lists] = await Promise.all([
      Promise.all(BOARD.map((status) => staffAll(`/orders?outlet_id=${state.outletId}&status=${status}`))),
      loadTables(),
      loadSessions(),
      // A station's screen needs the menu to sort the dishes; the whole kitchen does not.
      loadCatalog().catch((err) => { if (STATION) throw err; }),
    ]);
    state.orders.clear();
    for (const order of lists.flat()) upsert(ticket(order));
    $('load-error').hidden = true;
  } catch (err) {
    if (err.status === 401) return; // staffAll went back to sign-in
    $('load-error').textContent = t('kitchen.load_failed', { detail: problemText(err) });
    $('load-error').hidden = false;
  } finally {
    state.loading -= 1;
  }
  if (state.loading === 0) {
    const frames = state.pending.splice(0);
    frames.forEach((frame) => apply(frame, false));
    render();
    document.body.dataset.ready = '1';
  }
}

function onFrame(frame) {
  if (frame.outlet_id && frame.outlet_id !== state.outletId) return;
  if (state.loading) {
    state.pending.push(frame);
    return;
  }
  apply(frame, true);
  render();
}

function apply(frame, live) {
  const payload = frame.payload || {};
  switch (frame.type) {
    case 'NEW_ORDER': {
      const fresh = !state.orders.has(payload.id);
      const next = ticket({ ...payload, table_session_id: payload.table_session_id || frame.table_session_id });
      upsert(next);
      // A station chimes only for orders with something for it.
      if (fresh && live && payload.status === 'NEW' && next.items.some(forStation)) announce(payload.id);
      break;
    }
    case 'ORDER_UPDATED':
      // A correction: the payload is the whole order as it is now.
      upsert(ticket(payload), { authoritative: true });
      break;
    case 'ORDER_STATUS_CHANGED': {
      const known = state.orders.get(payload.id);
      if (known) {
        upsert({ ...known, status: payload.status, version: undefined });
      } else if (!terminal(payload.status)) {
        refreshOrder(payload.id).then(render);
      }
      break;
    }
    case 'TABLE_SESSION_OPENED':
      state.sessionTables.set(payload.id, payload.table_id);
      if (payload.table_name) state.tables.set(payload.table_id, payload.table_name);
      break;
    case 'TABLE_SESSION_MOVED':
      // The guests moved: their tickets now show the new table.
      state.sessionTables.set(payload.id, payload.table_id);
      if (payload.table_name) state.tables.set(payload.table_id, payload.table_name);
      break;
    case 'TABLE_SESSION_MERGED':
      for (const id of payload.order_ids || []) {
        const known = state.orders.get(id);
        if (known) known.table_session_id = payload.id;
      }
      state.sessionTables.set(payload.id, payload.table_id);
      break;
    case 'PRODUCT_UPDATED':
      if (payload.deleted) {
        state.products.delete(payload.id);
      } else {
        state.products.set(payload.id, { id: payload.id, name: payload.name, available: payload.available });
        state.productCategory.set(payload.id, payload.category_id || null);
      }
      renderProducts();
      break;
    case 'PRINTER_STATUS':
      if (state.printers) state.printers.onFrame(frame);
      break;
    default:
      break;
  }
}

/** A new ticket: chime (when sound is on) and count it. */
function announce(id) {
  state.fresh.add(id);
  setTimeout(() => state.fresh.delete(id), 4000);
  state.alerts += 1;
  document.body.dataset.alerts = String(state.alerts);
  if (localStorage.getItem(SOUND_KEY) !== '0') beep();
}

// ---- the menu: sold out, and which station makes what ---------------------------------------

/** The outlet's categories (with their stations) and dishes (with their categories). */
async function loadCatalog() {
  const [categories, products] = await Promise.all([
    staffAll(`/outlets/${state.outletId}/categories`),
    staffAll(`/outlets/${state.outletId}/products`),
  ]);
  state.categories = new Map(categories.map((c) => [c.id, { name: c.name, station: c.station || null }]));
  state.productCategory = new Map(products.map((p) => [p.id, p.category_id || null]));
  state.products = new Map(products.map((p) => [p.id, { id: p.id, name: p.name, available: p.available }]));
  renderProducts();
  renderStations();
}

let catalogTimer = null;
/** Reads the menu again soon for a dish not known yet (once per dish). */
function catalogSoon(productId) {
  if (state.looked.has(productId) || state.loading) return;
  state.looked.add(productId);
  clearTimeout(catalogTimer);
  catalogTimer = setTimeout(() => loadCatalog().then(render).catch(() => {}), 300);
}

/** The header names the station shown; links go to each station's screen and to all. */
function renderStations() {
  const names = [...new Set([...state.categories.values()].map((c) => (c.station || '').trim()).filter(Boolean))]
    .filter((name, i, all) => all.findIndex((other) => sameStation(other, name)) === i)
    .sort((a, b) => a.localeCompare(b));
  const known = names.find((name) => sameStation(name, STATION));
  const title = STATION ? known || STATION : t('kitchen.title');
  $('station-name').textContent = title;
  document.title = STATION ? t('kitchen.page_title_station', { station: title }) : t('kitchen.page_title');
  const missing = $('station-missing');
  missing.hidden = !STATION || Boolean(known);
  missing.textContent = t('kitchen.station_missing', { station: STATION });
  const link = (station, text) => {
    const query = new URLSearchParams(location.search);
    if (station) query.set('station', station);
    else query.delete('station');
    const search = query.toString();
    return h('a', {
      href: `/kitchen${search ? `?${search}` : ''}`,
      class: 'chip',
      'aria-current': sameStation(station, STATION) ? 'page' : undefined,
    }, text);
  };
  $('stations').replaceChildren(link('', t('kitchen.all_stations')), ...names.map((name) => link(name, name)));
  $('stations').hidden = !names.length && !STATION;
}

function renderProducts() {
  const products = [...state.products.values()].sort((a, b) => a.name.localeCompare(b.name));
  const soldOut = products.filter((p) => !p.available).length;
  $('soldout-toggle').textContent = soldOut ? t('kitchen.sold_out_toggle_count', { count: soldOut }) : t('kitchen.sold_out_toggle');
  $('soldout-list').replaceChildren(...products.map((product) => {
    const id = `product-${product.id}`;
    return h('li', { class: product.available ? '' : 'off', dataset: { productId: product.id } },
      h('input', {
        id, type: 'checkbox', role: 'switch', checked: product.available,
        onchange: (event) => setAvailable(product, event.target),
      }),
      h('label', { for: id }, product.name, ' ',
        h('span', { class: 'state' }, product.available ? t('kitchen.on_menu') : t('kitchen.sold_out'))));
  }));
}

async function setAvailable(product, box) {
  box.disabled = true;
  try {
    const updated = await staffApi(`/products/${product.id}`, { method: 'PATCH', body: { available: box.checked } });
    state.products.set(updated.id, { id: updated.id, name: updated.name, available: updated.available });
  } catch (err) {
    if (err.status !== 401) toast(t('kitchen.change_failed', { name: product.name, detail: problemText(err) }), 'error');
  }
  renderProducts();
}

// ---- page setup ----------------------------------------------------------------------------

function soundLabel() {
  const on = localStorage.getItem(SOUND_KEY) !== '0';
  const button = $('sound');
  button.setAttribute('aria-pressed', String(on));
  button.textContent = t(!on ? 'kitchen.sound_off' : audioReady() ? 'kitchen.sound_on' : 'kitchen.sound_tap');
}

function setUpControls() {
  $('sound').addEventListener('click', () => {
    const on = localStorage.getItem(SOUND_KEY) !== '0';
    if (on && !audioReady()) {
      unlockAudio();
    } else {
      localStorage.setItem(SOUND_KEY, on ? '0' : '1');
      unlockAudio();
    }
    setTimeout(soundLabel, 100);
  });
  // Browsers allow sound only after the page is touched once.
  document.addEventListener('pointerdown', () => { unlockAudio(); setTimeout(soundLabel, 100); });
  $('soldout-toggle').addEventListener('click', () => {
    const panel = $('soldout');
    panel.hidden = !panel.hidden;
    $('soldout-toggle').setAttribute('aria-expanded', String(!panel.hidden));
  });
}

async function main() {
  setUpControls();
  try {
    state.me = await staffPage(['OWNER', 'MANAGER', 'KASIR', 'WAITER', 'KITCHEN']);
    // The words are loaded now (staffPage did it): the labels this page sets itself.
    soundLabel();
    if (STATION) $('station-name').textContent = STATION;
    if (!state.me) return;
    const outlet = await chooseOutlet(state.me);
    if (!outlet) {
      $('load-error').textContent = t('kitchen.no_outlet');
      $('load-error').hidden = false;
      return;
    }
    state.outletId = outlet.id;
    $('outlet-name').textContent = `· ${outlet.name}`;
    state.printers = new PrinterWatch(outlet.id, $('printer-banner')).watch();
  } catch (err) {
    if (err.status !== 401) {
      $('load-error').textContent = t('kitchen.start_failed', { detail: problemText(err) });
      $('load-error').hidden = false;
    }
    return;
  }
  // Waiters see the board but do not switch dishes off.
  const soldOutPanel = state.me.role !== 'WAITER';
  $('soldout-toggle').hidden = !soldOutPanel;
  const reloadAll = () => {
    reload();
    // The board works without its printers: a failed read leaves the banner as it was.
    state.printers.load().catch(() => {});
  };

  reloadAll();
  new Live({
    token: staff.token(),
    query: state.me.outlet_id ? {} : { outlet_id: state.outletId },
    onFrame,
    // A fresh (not resumed) stream may have missed menu changes as well as orders.
    onOpen: ({ resumed }) => { if (!resumed) reloadAll(); },
    canReconnect: async () => {
      try {
        await staffApi('/auth/me');
        return true;
      } catch (err) {
        return err.status !== 401; // staffApi went back to sign-in
      }
    },
  }).start();
  setInterval(tickAges, 1000);
}

main();
