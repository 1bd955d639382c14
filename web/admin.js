// `/admin` (OWNER, MANAGER): outlets and their settings, tables with a printable QR sheet, the
// menu (categories with their stations, products with their photos, modifier groups), the
// printers and their print jobs, staff accounts, shifts and the sales report, and the activity
// (audit) log; above them, the setup checklist of a new outlet.
import {
  ApiError, bpToPercent, formatMoney, h, Live, moneyInput, parseMoney, percentToBp, problemText,
  saveBlob, sendToPrinter, showTableQr, staff, staffAll, staffApi, staffBlob, staffPage, svg, tablet, toast,
  toLogin,
} from './app.js';
import { formatDate, formatDateTime, has, locale, t } from './i18n.js';

const OUTLET_KEY = 'kedai.admin.outlet';
/** Set when the QR sheet of an outlet has been printed (a step of the setup checklist). */
const QR_PRINTED_KEY = (outletId) => `kedai.qr_printed.${outletId}`;
const TABS = ['outlets', 'tables', 'menu', 'printers', 'staff', 'reports', 'activity'];
const ROLES = ['OWNER', 'MANAGER', 'KASIR', 'WAITER', 'KITCHEN'];

const $ = (id) => document.getElementById(id);
const state = {
  me: null,
  outlets: [],
  outlet: null, // the selected outlet
  loadedFor: null, // the outlet whose tables, menu… are loaded
  tables: [],
  categories: [],
  products: [],
  printers: [],
  jobs: [],
  users: [],
  tablets: [],
};

const currency = () => (state.outlet && state.outlet.currency) || 'IDR';
const money = (amount) => formatMoney(amount, currency());
const isOwner = () => state.me && state.me.role === 'OWNER';
const roleName = (role) => (has(`role.${role}`) ? t(`role.${role}`) : role);

/** `key_one` or `key_other` by `n` (Indonesian has the same words for both). */
const plural = (key, n, vars = {}) => t(`${key}_${n === 1 ? 'one' : 'other'}`, { n, ...vars });

/** `t(key)` with its `{name}` placeholders filled by `nodes` (e.g. a bold name), for `h()`. */
function tNodes(key, nodes) {
  return t(key).split(/(\{\w+\})/).filter(Boolean).map((part) => {
    const name = /^\{(\w+)\}$/.exec(part);
    return name && Object.hasOwn(nodes, name[1]) ? nodes[name[1]] : part;
  });
}

/** A `2026-01-04` day in the page's language, read as that local day (not UTC midnight). */
function formatDay(value) {
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value || '');
  return day ? formatDate(new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3]))) : value;
}

/** Shows `err` in the form's error line (or a toast); 401 has already gone to sign-in. */
function fail(err, line) {
  if (err && err.status === 401) return;
  const text = problemText(err);
  if (line) {
    line.textContent = text;
    line.hidden = false;
  } else {
    toast(text, 'error');
  }
}

function clearError(line) {
  if (line) line.hidden = true;
}

/** Runs `work` with `button` disabled; errors go to `line`. Resolves true on success. */
async function busy(button, work, line) {
  if (button) button.disabled = true;
  clearError(line);
  try {
    await work();
    return true;
  } catch (err) {
    fail(err, line);
    return false;
  } finally {
    if (button) button.disabled = false;
  }
}

// ---- tabs ----------------------------------------------------------------------------------

function showTab(name) {
  const tab = TABS.includes(name) ? name : 'outlets';
  document.body.dataset.tab = tab;
  for (const id of TABS) $(`tab-${id}`).hidden = id !== tab;
  $('qr-sheet').hidden = tab !== 'tables';
  for (const link of document.querySelectorAll('#tabs a')) {
    if (link.dataset.tab === tab) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (tab === 'reports') loadShifts();
  if (tab === 'printers') loadJobs();
  if (tab === 'activity') loadActivity();
}

// ---- the setup checklist -------------------------------------------------------------------

/** The first steps of an outlet: `[step, tab it is done on, done]`. */
function setupSteps() {
  const o = state.outlet;
  // Saved once: PATCH moves `updated_at` past `created_at`.
  const saved = Boolean((o.address || '').trim()) || Date.parse(o.updated_at) > Date.parse(o.created_at);
  return [
    ['outlet', 'outlets', saved],
    ['tables', 'tables', state.tables.some((table) => table.active)],
    ['menu', 'menu', state.products.length > 0],
    ['staff', 'staff', state.users.some((u) => u.active && u.role !== 'OWNER' && u.outlet_id === o.id)],
    ['qr', 'tables', localStorage.getItem(QR_PRINTED_KEY(o.id)) === '1'],
  ];
}

/** Shown until every step is done; redrawn whenever the things it counts change. */
function renderChecklist() {
  const box = $('setup-checklist');
  if (!state.outlet || state.loadedFor !== state.outlet.id) {
    box.hidden = true;
    return;
  }
  const steps = setupSteps();
  const done = steps.filter(([, , ok]) => ok).length;
  box.hidden = done === steps.length;
  if (box.hidden) return;
  $('setup-progress').textContent = t('admin.setup.progress', { done, total: steps.length });
  $('setup-steps').replaceChildren(...steps.map(([step, tab, ok]) => h('li', {
    class: 'setup-step',
    dataset: { step, done: ok ? '1' : '0' },
  },
  h('span', { class: 'setup-tick', 'aria-hidden': 'true' }, ok ? '✓' : ''),
  h('span', { class: 'visually-hidden' }, t(ok ? 'admin.setup.done' : 'admin.setup.todo')),
  h('a', { href: `#${tab}` }, t(`admin.setup.step.${step}`)))));
}

/** The QR sheet of this outlet went to a printer (or the print dialog, at least). */
function markQrPrinted() {
  if (!state.outlet || !state.tables.some((table) => table.active)) return;
  localStorage.setItem(QR_PRINTED_KEY(state.outlet.id), '1');
  renderChecklist();
}

// ---- outlets -------------------------------------------------------------------------------

/** This server's latest scheduled backup, as `/health` tells it. */
async function showBackup() {
  const line = $('backup-status');
  try {
    const health = await staffApi('/health');
    const when = health.last_backup_at ? formatDateTime(health.last_backup_at) : '';
    const key = `admin.backup.${health.backup}`;
    line.textContent = has(key) ? t(key, { when }) : health.backup;
    line.classList.toggle('error', health.backup === 'failed' || health.backup === 'skipped');
    line.hidden = false;
  } catch {
    line.hidden = true;
  }
}

async function loadOutlets() {
  state.outlets = await staffAll('/outlets');
  const wanted = localStorage.getItem(OUTLET_KEY);
  state.outlet = state.outlets.find((o) => o.id === wanted)
    || state.outlets.find((o) => o.id === state.me.outlet_id)
    || state.outlets[0] || null;
  renderOutlets();
  showBackup();
}

function renderOutlets() {
  const select = $('outlet-select');
  select.replaceChildren(...state.outlets.map((o) => h('option', { value: o.id }, o.name)));
  if (state.outlet) select.value = state.outlet.id;
  document.body.dataset.hasOutlet = state.outlet ? '1' : '0';
  $('outlet-form').hidden = !state.outlet;
  const o = state.outlet;
  if (o) {
    $('outlet-form-title').textContent = t('admin.outlet.settings_of', { name: o.name });
    $('outlet-name').value = o.name;
    $('outlet-address').value = o.address || '';
    $('outlet-currency').value = o.currency;
    $('outlet-timezone').value = o.timezone;
    $('outlet-service').value = bpToPercent(o.service_charge_bp);
    $('outlet-tax').value = bpToPercent(o.tax_bp);
    $('outlet-auto-lock').value = String(o.auto_lock_minutes ?? 5);
    $('outlet-language').value = o.language || 'id';
    $('outlet-self').checked = o.qr_self_service;
    $('outlet-auto-print').checked = Boolean(o.auto_print_receipt);
    $('outlet-footer').value = o.receipt_footer || '';
  }
  $('outlet-list').replaceChildren(...state.outlets.map((outlet) => h('li', {
    class: `row${state.outlet && outlet.id === state.outlet.id ? ' selected' : ''}`,
    dataset: { outletId: outlet.id },
  },
  h('span', { class: 'row-main' }, h('strong', {}, outlet.name), ' ',
    h('span', { class: 'hint' }, t('admin.outlet.summary', {
      currency: outlet.currency, service: bpToPercent(outlet.service_charge_bp), tax: bpToPercent(outlet.tax_bp),
    }))),
  h('button', { type: 'button', onclick: () => selectOutlet(outlet.id) },
    state.outlet && outlet.id === state.outlet.id ? t('admin.outlet.selected') : t('admin.outlet.select')))));
  if (!state.outlet) {
    $('load-error').textContent = isOwner() ? t('admin.outlet.none_owner') : t('admin.outlet.none');
    $('load-error').hidden = false;
  } else {
    $('load-error').hidden = true;
  }
  renderChecklist();
}

async function selectOutlet(id) {
  state.outlet = state.outlets.find((o) => o.id === id) || null;
  if (state.outlet) localStorage.setItem(OUTLET_KEY, state.outlet.id);
  renderOutlets();
  await loadOutletData();
  if (state.outlet) startLive();
}

async function saveOutlet(event) {
  event.preventDefault();
  const service = percentToBp($('outlet-service').value);
  const tax = percentToBp($('outlet-tax').value);
  const line = $('outlet-error');
  if (service === null || tax === null) {
    fail(new Error(t('admin.outlet.percent_error')), line);
    return;
  }
  const body = {
    name: $('outlet-name').value.trim(),
    address: $('outlet-address').value.trim(),
    currency: $('outlet-currency').value.trim().toUpperCase(),
    timezone: $('outlet-timezone').value.trim(),
    service_charge_bp: service,
    tax_bp: tax,
    qr_self_service: $('outlet-self').checked,
    auto_print_receipt: $('outlet-auto-print').checked,
    receipt_footer: $('outlet-footer').value.trim(),
    language: $('outlet-language').value,
  };
  const minutes = Number($('outlet-auto-lock').value);
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > 240) {
    fail(new Error(t('admin.outlet.auto_lock_error')), line);
    return;
  }
  body.auto_lock_minutes = minutes;
  await busy($('outlet-save'), async () => {
    const updated = await staffApi(`/outlets/${state.outlet.id}`, { method: 'PATCH', body });
    state.outlets = state.outlets.map((o) => (o.id === updated.id ? updated : o));
    state.outlet = updated;
    renderOutlets();
    renderQrSheet();
    toast(t('admin.outlet.saved'));
  }, line);
}

async function createOutlet(event) {
  event.preventDefault();
  const name = $('new-outlet-name').value.trim();
  await busy($('new-outlet-submit'), async () => {
    const outlet = await staffApi('/outlets', { method: 'POST', body: { name } });
    $('new-outlet-name').value = '';
    state.outlets.push(outlet);
    toast(t('admin.outlet.created', { name: outlet.name }));
    await selectOutlet(outlet.id);
  }, $('new-outlet-error'));
}

// ---- tables and the QR sheet ---------------------------------------------------------------

async function loadTables() {
  state.tables = await staffAll(`/outlets/${state.outlet.id}/tables`);
  state.tables.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  renderTables();
  renderQrSheet();
}

function renderTables() {
  $('table-list').replaceChildren(...state.tables.map((table) => {
    const nameId = `table-name-${table.id}`;
    const capId = `table-capacity-${table.id}`;
    const save = async (button) => {
      const capacity = Number($(capId).value);
      const body = { name: $(nameId).value.trim() };
      if (capacity) body.capacity = capacity;
      await busy(button, async () => {
        replaceTable(await staffApi(`/tables/${table.id}`, { method: 'PATCH', body }));
        toast(t('admin.tables.saved'));
      });
    };
    return h('li', { class: `row${table.active ? '' : ' inactive'}`, dataset: { tableId: table.id } },
      h('div', { class: 'row-fields' },
        h('div', {}, h('label', { for: nameId }, t('admin.field.name')), h('input', { id: nameId, value: table.name, maxlength: 100 })),
        h('div', { class: 'narrow-field' }, h('label', { for: capId }, t('admin.tables.seats')),
          h('input', { id: capId, type: 'number', min: 1, max: 100, inputmode: 'numeric', value: String(table.capacity || '') }))),
      h('div', { class: 'button-row' },
        h('button', { type: 'button', onclick: (e) => save(e.currentTarget) }, t('common.save')),
        h('button', {
          type: 'button',
          onclick: (e) => busy(e.currentTarget, async () => {
            replaceTable(await staffApi(`/tables/${table.id}`, { method: 'PATCH', body: { active: !table.active } }));
          }),
        }, table.active ? t('admin.deactivate') : t('admin.activate')),
        h('button', {
          type: 'button',
          onclick: (e) => {
            // A new code makes every printed copy of the old one stop working.
            if (!confirm(t('admin.tables.confirm_new_qr', { name: table.name }))) return;
            busy(e.currentTarget, async () => {
              replaceTable(await staffApi(`/tables/${table.id}/rotate-qr`, { method: 'POST', body: {} }));
              toast(t('admin.tables.new_qr_done', { name: table.name }));
            });
          },
        }, t('admin.tables.new_qr')),
        h('button', {
          type: 'button',
          class: 'danger',
          onclick: (e) => {
            if (!confirm(t('admin.tables.confirm_delete', { name: table.name }))) return;
            busy(e.currentTarget, async () => {
              await staffApi(`/tables/${table.id}`, { method: 'DELETE' });
              await loadTables();
            });
          },
        }, t('admin.delete'))),
      table.active ? null : h('p', { class: 'hint' }, t('admin.tables.inactive')));
  }));
  renderChecklist();
}

function replaceTable(updated) {
  state.tables = state.tables.map((table) => (table.id === updated.id ? updated : table));
  renderTables();
  renderQrSheet();
}

function renderQrSheet() {
  const sheet = $('qr-sheet');
  if (!state.outlet) {
    sheet.replaceChildren();
    return;
  }
  const active = state.tables.filter((table) => table.active);
  sheet.replaceChildren(...active.map((table) => {
    const pickId = `qr-pick-${table.id}`;
    const img = h('img', { class: 'qr-image', alt: t('admin.qr.alt', { name: table.name }), width: 240, height: 240 });
    const card = h('article', {
      class: 'qr-card',
      dataset: { tableId: table.id, qrUrl: table.qr_url },
    },
    h('div', { class: 'qr-pick no-print' },
      h('input', {
        id: pickId,
        type: 'checkbox',
        onchange: (e) => card.classList.toggle('picked', e.target.checked),
      }),
      h('label', { for: pickId }, t('admin.qr.print_one', { name: table.name }))),
    img,
    h('p', { class: 'qr-table' }, table.name),
    h('p', { class: 'qr-outlet' }, state.outlet.name),
    h('p', { class: 'qr-hint' }, t('admin.qr.scan')));
    showTableQr(img, table.id).catch((err) => fail(err));
    return card;
  }));
  if (!active.length) sheet.append(h('p', { class: 'hint no-print' }, t('admin.qr.empty')));
}

function printSheet(onlyPicked) {
  if (onlyPicked && !document.querySelector('.qr-card.picked')) {
    toast(t('admin.qr.tick_first'), 'error');
    return;
  }
  document.body.dataset.print = onlyPicked ? 'picked' : 'all';
  markQrPrinted();
  window.print();
}

async function createTable(event) {
  event.preventDefault();
  const body = { name: $('new-table-name').value.trim() };
  const capacity = Number($('new-table-capacity').value);
  if (capacity) body.capacity = capacity;
  await busy($('new-table-submit'), async () => {
    await staffApi(`/outlets/${state.outlet.id}/tables`, { method: 'POST', body });
    $('new-table-name').value = '';
    $('new-table-capacity').value = '';
    await loadTables();
    toast(t('admin.tables.added', { name: body.name }));
  }, $('new-table-error'));
}

// ---- menu ----------------------------------------------------------------------------------

async function loadMenu() {
  const [categories, products] = await Promise.all([
    staffAll(`/outlets/${state.outlet.id}/categories`),
    staffAll(`/outlets/${state.outlet.id}/products`),
  ]);
  state.categories = categories.sort((a, b) => a.sort - b.sort || a.name.localeCompare(b.name));
  state.products = products.sort((a, b) => a.name.localeCompare(b.name));
  renderCategories();
  renderProducts();
}

function categoryOptions(selected) {
  return [h('option', { value: '' }, t('admin.menu.no_category')),
    ...state.categories.map((c) => h('option', { value: c.id, selected: c.id === selected }, c.name))];
}

/** The stations the categories name ("Bar"), sorted; a category without one is the kitchen's. */
function stations() {
  const names = new Map();
  for (const c of state.categories) {
    const station = (c.station || '').trim();
    if (station && !names.has(station.toLowerCase())) names.set(station.toLowerCase(), station);
  }
  return [...names.values()].sort((a, b) => a.localeCompare(b));
}

/** The kitchen screen of a station (for an owner, of the outlet selected here). */
function stationHref(station) {
  const query = new URLSearchParams({ station });
  if (isOwner() && state.outlet) query.set('outlet', state.outlet.id);
  return `/kitchen?${query}`;
}

function renderStations() {
  const names = stations();
  $('station-names').replaceChildren(...names.map((name) => h('option', { value: name })));
  $('station-links').replaceChildren(...(names.length
    ? names.flatMap((name, i) => [i ? ', ' : '', h('a', { href: stationHref(name) }, `/kitchen?station=${name}`)])
    : ['/kitchen?station=…']));
}

function renderCategories() {
  $('new-product-category').replaceChildren(...categoryOptions(null));
  renderStations();
  renderPrinterCategories();
  $('category-list').replaceChildren(...state.categories.map((category) => {
    const nameId = `category-name-${category.id}`;
    const sortId = `category-sort-${category.id}`;
    const stationId = `category-station-${category.id}`;
    return h('li', { class: 'row', dataset: { categoryId: category.id, station: category.station || '' } },
      h('div', { class: 'row-fields' },
        h('div', {}, h('label', { for: nameId }, t('admin.field.name')), h('input', { id: nameId, value: category.name, maxlength: 100 })),
        h('div', { class: 'narrow-field' }, h('label', { for: sortId }, t('admin.menu.order')),
          h('input', { id: sortId, type: 'number', inputmode: 'numeric', value: String(category.sort) })),
        h('div', { class: 'narrow-field' }, h('label', { for: stationId }, t('admin.menu.station')),
          h('input', {
            id: stationId, maxlength: 60, list: 'station-names', placeholder: t('admin.menu.station_placeholder'), value: category.station || '',
          }))),
      h('div', { class: 'button-row' },
        h('button', {
          type: 'button',
          onclick: (e) => busy(e.currentTarget, async () => {
            await staffApi(`/categories/${category.id}`, {
              method: 'PATCH',
              // A blank station puts the category back in the kitchen.
              body: { name: $(nameId).value.trim(), sort: Number($(sortId).value) || 0, station: $(stationId).value.trim() },
            });
            await loadMenu();
            toast(t('admin.menu.category_saved'));
          }),
        }, t('common.save')),
        h('button', {
          type: 'button',
          class: 'danger',
          onclick: (e) => {
            if (!confirm(t('admin.menu.confirm_delete_category', { name: category.name }))) return;
            busy(e.currentTarget, async () => {
              await staffApi(`/categories/${category.id}`, { method: 'DELETE' });
              await loadMenu();
            });
          },
        }, t('admin.delete'))));
  }));
  renderPrinters(); // their categories' names
}

async function createCategory(event) {
  event.preventDefault();
  const body = {
    name: $('new-category-name').value.trim(),
    sort: Number($('new-category-sort').value) || 0,
    station: $('new-category-station').value.trim() || undefined,
  };
  await busy(event.submitter, async () => {
    await staffApi(`/outlets/${state.outlet.id}/categories`, { method: 'POST', body });
    $('new-category-name').value = '';
    $('new-category-station').value = '';
    await loadMenu();
  });
}

async function createProduct(event) {
  event.preventDefault();
  const line = $('new-product-error');
  const price = parseMoney($('new-product-price').value, currency());
  if (price === null) {
    fail(new Error(t('admin.menu.price_error_example')), line);
    return;
  }
  const body = {
    name: $('new-product-name').value.trim(),
    price,
    description: $('new-product-description').value.trim() || undefined,
    category_id: $('new-product-category').value || undefined,
  };
  await busy($('new-product-submit'), async () => {
    await staffApi(`/outlets/${state.outlet.id}/products`, { method: 'POST', body });
    for (const id of ['new-product-name', 'new-product-price', 'new-product-description']) $(id).value = '';
    await loadMenu();
    toast(t('admin.menu.product_added', { name: body.name }));
  }, line);
}

function renderProducts() {
  const open = new Set([...document.querySelectorAll('#product-list details[open]')].map((d) => d.dataset.productId));
  $('product-list').replaceChildren(...state.products.map((p) => productRow(p, open.has(p.id))));
  renderChecklist();
}

// ---- dish photos ---------------------------------------------------------------------------

const PHOTO_TYPES = 'image/jpeg,image/png,image/webp';
/** The server's limit: a bigger file is refused here, before minutes of uploading on shop Wi-Fi. */
const MAX_PHOTO_BYTES = 5 * 1024 * 1024;

/** The dish's thumbnail (public, cached by its `?v=` version), or an empty frame. */
function productThumb(product) {
  if (!product.image_url) return h('span', { class: 'admin-thumb empty', 'aria-hidden': 'true' });
  return h('img', {
    class: 'admin-thumb', src: `${product.image_url}&size=thumb`, alt: '', width: 56, height: 56,
    loading: 'lazy', decoding: 'async',
  });
}

/** PUTs the file itself as the body; resolves to the product with its new `image_url`. */
async function uploadPhoto(product, file) {
  let response;
  try {
    response = await fetch(`/api/v1/products/${product.id}/image`, {
      method: 'PUT',
      headers: {
        Accept: 'application/json',
        Authorization: `Bearer ${staff.token()}`,
        'Content-Type': file.type || 'application/octet-stream',
      },
      body: file,
    });
  } catch {
    throw new ApiError(0, null);
  }
  let data = null;
  try { data = await response.json(); } catch { data = null; }
  if (!response.ok) {
    if (response.status === 401) toLogin(true);
    throw new ApiError(response.status, data);
  }
  return data;
}

async function choosePhoto(product, input, error) {
  const file = input.files && input.files[0];
  if (!file) return;
  clearError(error);
  if (file.size > MAX_PHOTO_BYTES) {
    input.value = '';
    const size = (file.size / (1024 * 1024)).toLocaleString(locale(), { maximumFractionDigits: 1 });
    fail(new Error(t('admin.photo.too_large', { size })), error);
    return;
  }
  const label = input.nextElementSibling;
  const before = label.textContent;
  label.textContent = t('admin.photo.uploading');
  input.disabled = true;
  try {
    replaceProduct(await uploadPhoto(product, file));
    toast(t('admin.photo.saved', { name: product.name }));
  } catch (err) {
    input.disabled = false;
    input.value = '';
    label.textContent = before;
    fail(err, error);
  }
}

/** Upload (or change) and remove the dish's photo; problems go to the row's `error` line. */
function photoControls(product, error) {
  const inputId = `product-photo-${product.id}`;
  // The label is the visible button; the input stays focusable for the keyboard.
  const input = h('input', {
    id: inputId, type: 'file', accept: PHOTO_TYPES, class: 'visually-hidden photo-input',
    onchange: (e) => choosePhoto(product, e.target, error),
  });
  return h('div', { class: 'photo-controls' },
    input,
    h('label', { for: inputId, class: 'file-button' }, product.image_url ? t('admin.photo.change') : t('admin.photo.upload')),
    product.image_url ? h('button', {
      type: 'button',
      class: 'danger photo-remove',
      onclick: (e) => {
        if (!confirm(t('admin.photo.confirm_remove', { name: product.name }))) return;
        busy(e.currentTarget, async () => {
          await staffApi(`/products/${product.id}/image`, { method: 'DELETE' });
          replaceProduct(await staffApi(`/products/${product.id}`));
          toast(t('admin.photo.removed', { name: product.name }));
        }, error);
      },
    }, t('admin.photo.remove')) : null,
    h('span', { class: 'hint' }, t('admin.photo.hint')));
}

function productRow(product, open) {
  const id = (field) => `product-${field}-${product.id}`;
  const category = state.categories.find((c) => c.id === product.category_id);
  const availId = id('available');
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const save = (button) => {
    const price = parseMoney($(id('price')).value, currency());
    if (price === null) return fail(new Error(t('admin.menu.price_error')), error);
    return busy(button, async () => {
      replaceProduct(await staffApi(`/products/${product.id}`, {
        method: 'PATCH',
        body: {
          name: $(id('name')).value.trim(),
          description: $(id('description')).value.trim(),
          price,
          category_id: $(id('category')).value || undefined,
        },
      }));
      toast(t('admin.menu.product_saved'));
    }, error);
  };
  return h('li', { class: `row product-row${product.available ? '' : ' inactive'}`, dataset: { productId: product.id } },
    h('div', { class: 'row-head' },
      productThumb(product),
      h('span', { class: 'row-main' }, h('strong', {}, product.name), ' ',
        h('span', { class: 'hint' }, `${money(product.price)}${category ? ` · ${category.name}` : ''}`)),
      h('span', { class: 'switch' },
        h('input', {
          id: availId,
          type: 'checkbox',
          role: 'switch',
          checked: product.available,
          onchange: (e) => busy(e.target, async () => {
            replaceProduct(await staffApi(`/products/${product.id}`, { method: 'PATCH', body: { available: e.target.checked } }));
          }),
        }),
        h('label', { for: availId }, product.available ? t('admin.menu.available') : t('admin.menu.sold_out')))),
    h('details', { open, dataset: { productId: product.id } },
      h('summary', {}, t('admin.menu.edit_summary')),
      photoControls(product, error),
      h('div', { class: 'fields' },
        h('div', {}, h('label', { for: id('name') }, t('admin.field.name')), h('input', { id: id('name'), value: product.name, maxlength: 100 })),
        h('div', {}, h('label', { for: id('price') }, t('admin.menu.price')),
          h('input', { id: id('price'), inputmode: 'decimal', value: moneyInput(product.price, currency()) })),
        h('div', {}, h('label', { for: id('category') }, t('admin.menu.category')),
          h('select', { id: id('category') }, categoryOptions(product.category_id))),
        h('div', {}, h('label', { for: id('description') }, t('admin.menu.description')),
          h('textarea', { id: id('description'), rows: 2, maxlength: 500, value: product.description || '' }))),
      error,
      h('div', { class: 'button-row' },
        h('button', { type: 'button', class: 'primary', onclick: (e) => save(e.currentTarget) }, t('admin.menu.save_product')),
        h('button', {
          type: 'button',
          class: 'danger',
          onclick: (e) => {
            if (!confirm(t('admin.menu.confirm_delete_product', { name: product.name }))) return;
            busy(e.currentTarget, async () => {
              await staffApi(`/products/${product.id}`, { method: 'DELETE' });
              await loadMenu();
            });
          },
        }, t('admin.menu.delete_product'))),
      h('h4', {}, t('admin.menu.option_groups')),
      h('div', { class: 'groups' }, (product.modifier_groups || []).map((g) => groupEditor(product, g))),
      h('button', {
        type: 'button',
        onclick: (e) => {
          const holder = e.currentTarget.previousElementSibling;
          holder.append(groupEditor(product, null));
          holder.lastElementChild.querySelector('input').focus();
        },
      }, t('admin.menu.add_group'))));
}

function replaceProduct(updated) {
  state.products = state.products.map((p) => (p.id === updated.id ? updated : p));
  renderProducts();
}

let editorSeq = 0;

/** A modifier group with its options inline; `group` null for a new one. */
function groupEditor(product, group) {
  editorSeq += 1;
  const seq = editorSeq;
  const nameId = `group-name-${seq}`;
  const minId = `group-min-${seq}`;
  const maxId = `group-max-${seq}`;
  const options = h('ul', { class: 'option-rows' });
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  let optionSeq = 0;
  const optionRow = (option) => {
    optionSeq += 1;
    const base = `opt-${seq}-${optionSeq}`;
    return h('li', { class: 'option-row', dataset: { optionId: option ? option.id : '' } },
      h('div', {}, h('label', { for: `${base}-name` }, t('admin.menu.option')),
        h('input', { id: `${base}-name`, class: 'opt-name', maxlength: 100, value: option ? option.name : '' })),
      h('div', { class: 'narrow-field' }, h('label', { for: `${base}-delta` }, t('admin.menu.extra_price')),
        h('input', { id: `${base}-delta`, class: 'opt-delta', inputmode: 'decimal', value: option ? moneyInput(option.price_delta, currency()) : '0' })),
      h('div', { class: 'check-row' },
        h('input', { id: `${base}-avail`, class: 'opt-available', type: 'checkbox', checked: option ? option.available : true }),
        h('label', { for: `${base}-avail` }, t('admin.menu.available'))),
      h('button', {
        type: 'button', class: 'ghost', 'aria-label': t('admin.menu.remove_option'), onclick: (e) => e.currentTarget.closest('li').remove(),
      }, '✕'));
  };
  for (const option of group ? group.options : [null]) options.append(optionRow(option));
  const box = h('fieldset', { class: 'group' },
    h('legend', {}, group ? group.name : t('admin.menu.new_group')),
    h('div', { class: 'fields' },
      h('div', {}, h('label', { for: nameId }, t('admin.menu.group_name')), h('input', { id: nameId, maxlength: 100, value: group ? group.name : '' })),
      h('div', { class: 'narrow-field' }, h('label', { for: minId }, t('admin.menu.min')),
        h('input', { id: minId, type: 'number', min: 0, inputmode: 'numeric', value: String(group ? group.min_select : 0) })),
      h('div', { class: 'narrow-field' }, h('label', { for: maxId }, t('admin.menu.max')),
        h('input', { id: maxId, type: 'number', min: 1, inputmode: 'numeric', value: String(group ? group.max_select : 1) }))),
    options,
    h('button', { type: 'button', onclick: () => options.append(optionRow(null)) }, t('admin.menu.add_option')),
    error,
    h('div', { class: 'button-row' },
      h('button', {
        type: 'button',
        class: 'primary',
        onclick: async (e) => {
          const rows = [...options.children];
          const parsed = rows.map((row) => ({
            id: row.dataset.optionId || undefined,
            name: row.querySelector('.opt-name').value.trim(),
            price_delta: parseMoney(row.querySelector('.opt-delta').value || '0', currency()),
            available: row.querySelector('.opt-available').checked,
          }));
          if (parsed.some((o) => o.price_delta === null)) return fail(new Error(t('admin.menu.extra_price_error')), error);
          const body = {
            name: $(nameId).value.trim(),
            min_select: Number($(minId).value) || 0,
            max_select: Number($(maxId).value) || 1,
            options: parsed,
          };
          return busy(e.currentTarget, async () => {
            if (group) await staffApi(`/modifier-groups/${group.id}`, { method: 'PATCH', body });
            else await staffApi(`/products/${product.id}/modifier-groups`, { method: 'POST', body });
            replaceProduct(await staffApi(`/products/${product.id}`));
            toast(t('admin.menu.group_saved'));
          }, error);
        },
      }, t('admin.menu.save_group')),
      h('button', {
        type: 'button',
        class: 'danger',
        onclick: (e) => {
          if (!group) return box.remove();
          if (!confirm(t('admin.menu.confirm_delete_group', { name: group.name }))) return null;
          return busy(e.currentTarget, async () => {
            await staffApi(`/modifier-groups/${group.id}`, { method: 'DELETE' });
            replaceProduct(await staffApi(`/products/${product.id}`));
          }, error);
        },
      }, t('admin.menu.delete_group'))));
  return box;
}

// ---- printers and their print jobs ---------------------------------------------------------

const PRINTER_KINDS = ['RECEIPT', 'KITCHEN'];
const kindText = (kind) => (has(`admin.printers.kind.${kind}`) ? t(`admin.printers.kind.${kind}`) : kind);
const jobText = (kind) => (has(`admin.job.${kind}`) ? t(`admin.job.${kind}`) : kind);
const jobStatusText = (status) => (has(`admin.job_status.${status}`) ? t(`admin.job_status.${status}`) : status);
const printerStatusText = (status) => (has(`printer_status.${status}`) ? t(`printer_status.${status}`) : status);

/** A printer's last status as a badge: OK green, UNKNOWN (never tried) grey, the rest red. */
function statusBadge(printer) {
  const tone = printer.status === 'OK' ? 'printer-ok' : printer.status === 'UNKNOWN' ? 'printer-unknown' : 'printer-bad';
  return h('span', {
    class: `status printer-status ${tone}`,
    dataset: { status: printer.status },
    title: printer.status_at ? t('admin.printers.since', { at: formatDateTime(printer.status_at) }) : t('admin.printers.not_tried'),
  }, printerStatusText(printer.status));
}

async function loadPrinters() {
  state.printers = await staffApi(`/outlets/${state.outlet.id}/printers`);
  renderPrinters();
}

/** The statuses afresh; the rows are redrawn only when printers came or went. */
async function refreshPrinters() {
  if (!state.outlet) return;
  const printers = await staffApi(`/outlets/${state.outlet.id}/printers`);
  const same = printers.length === state.printers.length && printers.every((p, i) => p.id === state.printers[i].id);
  if (!same) {
    state.printers = printers;
    renderPrinters();
    return;
  }
  for (const printer of printers) {
    const known = state.printers.find((p) => p.id === printer.id);
    if (known.status !== printer.status) {
      known.status = printer.status;
      known.status_at = printer.status_at;
      showStatus(known);
    }
  }
}

/** A `PRINTER_STATUS` frame: the badge changes in place (an edit in progress stays). */
function printerFrame(frame) {
  const payload = frame.payload || {};
  const printer = state.printers.find((p) => p.id === payload.id);
  if (printer) {
    printer.status = payload.status;
    printer.status_at = frame.at;
    showStatus(printer);
  } else {
    loadPrinters().catch(() => {});
  }
  if (document.body.dataset.tab === 'printers') loadJobs();
}

function showStatus(printer) {
  const row = document.querySelector(`#printer-list li[data-printer-id="${printer.id}"]`);
  if (!row) return;
  row.dataset.status = printer.status;
  row.querySelector('.printer-status').replaceWith(statusBadge(printer));
}

/** Tick boxes of the outlet's categories (with their stations); `chosen` are ticked. */
function categoryChecks(prefix, chosen = []) {
  return state.categories.map((c) => {
    const id = `${prefix}-cat-${c.id}`;
    return h('div', { class: 'check-row' },
      h('input', { id, type: 'checkbox', value: c.id, checked: chosen.includes(c.id) }),
      h('label', { for: id }, c.name, c.station ? h('span', { class: 'hint' }, ` (${c.station})`) : null));
  });
}

const ticked = (box) => [...box.querySelectorAll('input[type="checkbox"]:checked')].map((input) => input.value);

/** The new-printer form's categories: shown for a KITCHEN printer. */
function renderPrinterCategories() {
  const box = $('new-printer-categories');
  const chosen = ticked(box);
  box.querySelector('.category-checks').replaceChildren(...categoryChecks('new-printer', chosen));
  box.hidden = $('new-printer-kind').value !== 'KITCHEN' || !state.categories.length;
}

function printerSummary(printer) {
  const names = printer.category_ids
    .map((id) => (state.categories.find((c) => c.id === id) || {}).name)
    .filter(Boolean);
  return [
    kindText(printer.kind),
    printer.address,
    `${printer.paper_width_mm} mm`,
    printer.copies > 1 ? t('admin.printers.copies_n', { n: printer.copies }) : null,
    printer.kind === 'KITCHEN' ? (names.length ? names.join(', ') : t('admin.printers.every_category')) : null,
    printer.active ? null : t('admin.printers.switched_off'),
  ].filter(Boolean).join(' · ');
}

const choices = (values, chosen, text = String) => values.map((v) => h('option', { value: String(v), selected: v === chosen }, text(v)));

function renderPrinters() {
  const open = new Set([...document.querySelectorAll('#printer-list details[open]')].map((d) => d.dataset.printerId));
  $('printer-list').replaceChildren(...state.printers.map((p) => printerRow(p, open.has(p.id))));
  $('printer-empty').hidden = state.printers.length > 0;
}

function printerRow(printer, open) {
  const id = (field) => `printer-${field}-${printer.id}`;
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const categories = h('fieldset', {
    class: 'group printer-categories',
    hidden: printer.kind !== 'KITCHEN' || !state.categories.length,
  },
  h('legend', {}, t('admin.printers.categories')),
  h('p', { class: 'hint' }, t('admin.printers.categories_hint')),
  h('div', { class: 'category-checks' }, categoryChecks(id('edit'), printer.category_ids)));
  const save = (button) => {
    const kind = $(id('kind')).value;
    const body = {
      name: $(id('name')).value.trim(),
      kind,
      address: $(id('address')).value.trim(),
      paper_width_mm: Number($(id('paper')).value),
      copies: Number($(id('copies')).value),
      category_ids: kind === 'KITCHEN' ? ticked(categories) : [],
    };
    return busy(button, async () => {
      replacePrinter(await staffApi(`/printers/${printer.id}`, { method: 'PATCH', body }));
      toast(t('admin.printers.saved'));
    }, error);
  };
  return h('li', {
    class: `row printer-row${printer.active ? '' : ' inactive'}`,
    dataset: { printerId: printer.id, status: printer.status, kind: printer.kind },
  },
  h('div', { class: 'row-head' },
    h('span', { class: 'row-main' }, h('strong', {}, printer.name), ' ', h('span', { class: 'hint' }, printerSummary(printer))),
    statusBadge(printer),
    h('span', { class: 'switch' },
      h('input', {
        id: id('active'),
        type: 'checkbox',
        role: 'switch',
        checked: printer.active,
        onchange: async (e) => {
          const on = e.target.checked;
          const ok = await busy(e.target, async () => {
            replacePrinter(await staffApi(`/printers/${printer.id}`, { method: 'PATCH', body: { active: on } }));
            toast(t(on ? 'admin.printers.on' : 'admin.printers.off', { name: printer.name }));
          });
          if (!ok) renderPrinters();
          loadJobs();
        },
      }),
      h('label', { for: id('active') }, printer.active ? t('admin.printers.active') : t('admin.printers.off_label'))),
    h('button', { type: 'button', class: 'printer-test', onclick: (e) => testPrint(printer, e.currentTarget) }, t('admin.printers.test'))),
  h('details', { open, dataset: { printerId: printer.id } },
    h('summary', {}, t('admin.edit')),
    h('div', { class: 'fields' },
      h('div', {}, h('label', { for: id('name') }, t('admin.field.name')), h('input', { id: id('name'), value: printer.name, maxlength: 100 })),
      h('div', {}, h('label', { for: id('kind') }, t('admin.printers.prints')),
        h('select', {
          id: id('kind'),
          onchange: (e) => { categories.hidden = e.target.value !== 'KITCHEN' || !state.categories.length; },
        }, choices(PRINTER_KINDS, printer.kind, kindText))),
      h('div', {}, h('label', { for: id('address') }, t('admin.outlet.address')),
        h('input', { id: id('address'), value: printer.address, maxlength: 255, autocapitalize: 'none', spellcheck: 'false', autocomplete: 'off' })),
      h('div', {}, h('label', { for: id('paper') }, t('admin.printers.paper')),
        h('select', { id: id('paper') }, choices([80, 58], printer.paper_width_mm, (w) => `${w} mm`))),
      h('div', {}, h('label', { for: id('copies') }, t('admin.printers.copies')),
        h('select', { id: id('copies') }, choices([1, 2, 3], printer.copies)))),
    categories,
    error,
    h('div', { class: 'button-row' },
      h('button', { type: 'button', class: 'primary', onclick: (e) => save(e.currentTarget) }, t('admin.printers.save')),
      h('button', {
        type: 'button',
        class: 'danger',
        onclick: (e) => {
          if (!confirm(t('admin.printers.confirm_delete', { name: printer.name }))) return;
          busy(e.currentTarget, async () => {
            await staffApi(`/printers/${printer.id}`, { method: 'DELETE' });
            await loadPrinters();
            toast(t('admin.printers.deleted', { name: printer.name }));
            loadJobs();
          }, error);
        },
      }, t('admin.printers.delete')))));
}

function replacePrinter(updated) {
  state.printers = state.printers.map((p) => (p.id === updated.id ? updated : p));
  renderPrinters();
}

async function testPrint(printer, button) {
  button.disabled = true;
  const job = await sendToPrinter(`/printers/${printer.id}/test`);
  button.disabled = false;
  if (job) loadJobs();
}

async function createPrinter(event) {
  event.preventDefault();
  const line = $('new-printer-error');
  const kind = $('new-printer-kind').value;
  const body = {
    name: $('new-printer-name').value.trim(),
    kind,
    address: $('new-printer-address').value.trim(),
    paper_width_mm: Number($('new-printer-paper').value),
    copies: Number($('new-printer-copies').value),
    category_ids: kind === 'KITCHEN' ? ticked($('new-printer-categories')) : [],
    active: true,
  };
  if (!body.name) return fail(new Error(t('admin.printers.name_error')), line);
  if (!body.address) return fail(new Error(t('admin.printers.address_error')), line);
  return busy($('new-printer-submit'), async () => {
    await staffApi(`/outlets/${state.outlet.id}/printers`, { method: 'POST', body });
    $('new-printer-name').value = '';
    $('new-printer-address').value = '';
    for (const box of $('new-printer-categories').querySelectorAll('input')) box.checked = false;
    await loadPrinters();
    toast(t('admin.printers.added', { name: body.name }));
  }, line);
}

let jobsSeq = 0;

/** The outlet's latest print jobs (of the status chosen), newest first. */
async function loadJobs() {
  if (!state.outlet) return;
  jobsSeq += 1;
  const seq = jobsSeq;
  const query = new URLSearchParams({ outlet_id: state.outlet.id, limit: '50' });
  if ($('job-filter').value) query.set('status', $('job-filter').value);
  try {
    const jobs = await staffApi(`/print-jobs?${query}`);
    if (seq !== jobsSeq) return; // a newer read (another filter, another outlet) is on its way
    state.jobs = jobs;
    renderJobs();
  } catch (err) {
    if (seq !== jobsSeq || err.status === 401) return;
    $('job-list').replaceChildren(h('li', { class: 'hint error' }, t('admin.jobs.read_error', { problem: problemText(err) })));
  }
}

function renderJobs() {
  const printerName = (id) => (state.printers.find((p) => p.id === id) || {}).name || t('admin.jobs.deleted_printer');
  const list = $('job-list');
  // The list is redrawn every few seconds: a focused Retry keeps the focus.
  const active = document.activeElement;
  const focused = active && list.contains(active) ? active.closest('[data-job-id]').dataset.jobId : null;
  list.replaceChildren(...state.jobs.map((job) => h('li', {
    class: 'row job-row',
    dataset: { jobId: job.id, status: job.status, kind: job.kind },
  },
  h('div', { class: 'row-main' },
    h('span', {},
      h('strong', { class: 'job-kind' }, jobText(job.kind),
        job.reprint ? t(job.kind === 'RECEIPT' ? 'admin.jobs.copy' : 'admin.jobs.again') : ''),
      ' · ', h('span', { class: 'job-printer' }, printerName(job.printer_id))),
    h('span', { class: 'hint' },
      h('span', { class: 'job-created' }, formatDateTime(job.created_at)), ' · ',
      h('span', { class: 'job-attempts' }, plural('admin.jobs.attempts', job.attempts)),
      job.printed_at ? ` · ${t('admin.jobs.printed', { at: formatDateTime(job.printed_at) })}` : ''),
    job.last_error && job.status !== 'DONE' ? h('span', { class: 'job-error' }, job.last_error) : null),
  h('span', { class: `status job-status job-${job.status}` }, jobStatusText(job.status)),
  job.status === 'FAILED'
    ? h('button', { type: 'button', class: 'job-retry', onclick: (e) => retryJob(job, e.currentTarget) }, t('admin.jobs.retry'))
    : null)));
  if (!state.jobs.length) list.append(h('li', { class: 'hint' }, t('admin.jobs.empty')));
  if (focused) list.querySelector(`[data-job-id="${focused}"] button`)?.focus();
}

async function retryJob(job, button) {
  await busy(button, async () => {
    await staffApi(`/print-jobs/${job.id}/retry`, { method: 'POST' });
    toast(t('admin.jobs.sent_again'));
  });
  await loadJobs();
}

/** Every 5 s while the Printers tab shows: the jobs and the printers' statuses. */
function pollPrinters() {
  if (document.body.dataset.tab !== 'printers' || document.visibilityState !== 'visible' || !state.outlet) return;
  loadJobs();
  refreshPrinters().catch(() => {});
}

/** The live socket, for `PRINTER_STATUS` frames (an OWNER's carries every outlet's). */
let live = null;

function startLive() {
  if (live) return;
  let opened = false;
  live = new Live({
    token: staff.token(),
    onFrame: (frame) => {
      if (frame.type === 'PRINTER_STATUS' && state.outlet && frame.outlet_id === state.outlet.id) printerFrame(frame);
    },
    // After a gap (not the first time): what the frames missed.
    onOpen: ({ resumed }) => {
      if (opened && !resumed) refreshPrinters().catch(() => {});
      opened = true;
    },
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

// ---- staff ---------------------------------------------------------------------------------

/** The roles this account may hand out: a MANAGER creates only floor and kitchen staff. */
function grantable() {
  return isOwner() ? ROLES : ['KASIR', 'WAITER', 'KITCHEN'];
}

async function loadUsers() {
  state.users = await staffAll('/users');
  state.users.sort((a, b) => a.username.localeCompare(b.username));
  renderUsers();
  renderActivityActors();
}

function renderUsers() {
  const outletName = (id) => (state.outlets.find((o) => o.id === id) || {}).name || '';
  $('user-list').replaceChildren(...state.users.map((user) => {
    const roleId = `user-role-${user.id}`;
    const self = user.id === state.me.id;
    const roles = grantable().includes(user.role) ? grantable() : [user.role];
    return h('li', { class: `row${user.active ? '' : ' inactive'}`, dataset: { userId: user.id } },
      h('span', { class: 'row-main' }, h('strong', {}, user.username), ' ',
        h('span', { class: 'hint' }, [
          user.outlet_id ? outletName(user.outlet_id) : t('admin.staff.all_outlets'),
          user.active ? '' : t('admin.staff.deactivated'),
        ].filter(Boolean).join(' · '))),
      h('div', { class: 'row-fields' },
        h('div', { class: 'narrow-field' }, h('label', { for: roleId }, t('admin.staff.role')),
          h('select', {
            id: roleId,
            disabled: self || !grantable().includes(user.role),
            onchange: (e) => busy(e.target, async () => {
              replaceUser(await staffApi(`/users/${user.id}`, { method: 'PATCH', body: { role: e.target.value } }));
              toast(t('admin.staff.role_changed', { name: user.username, role: roleName(e.target.value) }));
            }),
          }, roles.map((r) => h('option', { value: r, selected: r === user.role }, roleName(r)))))),
      pinField(user),
      self ? h('span', { class: 'hint' }, t('admin.staff.you')) : h('button', {
        type: 'button',
        class: user.active ? 'danger' : '',
        onclick: (e) => busy(e.currentTarget, async () => {
          replaceUser(await staffApi(`/users/${user.id}`, { method: 'PATCH', body: { active: !user.active } }));
        }),
      }, user.active ? t('admin.deactivate') : t('admin.activate')));
  }));
  renderChecklist();
}

/** Sets a person's PIN for the tablets' lock screen (4–8 digits). */
function pinField(user) {
  const id = `user-pin-${user.id}`;
  const input = h('input', {
    id, type: 'password', inputmode: 'numeric', autocomplete: 'new-password', maxlength: '8',
    placeholder: user.has_pin ? t('admin.staff.pin_set') : t('admin.staff.no_pin'),
  });
  return h('div', { class: 'narrow-field user-pin' },
    h('label', { for: id }, t('admin.staff.tablet_pin')),
    input,
    h('button', {
      type: 'button',
      class: 'set-pin',
      onclick: (e) => {
        if (!/^\d{4,8}$/.test(input.value)) {
          toast(t('lock.pin_format'), 'error');
          return;
        }
        busy(e.currentTarget, async () => {
          await staffApi(`/users/${user.id}/pin`, { method: 'PUT', body: { pin: input.value } });
          input.value = '';
          replaceUser({ ...user, has_pin: true });
          toast(t('admin.staff.pin_saved', { name: user.username }));
        });
      },
    }, t('admin.staff.set_pin')));
}

function replaceUser(updated) {
  state.users = state.users.map((u) => (u.id === updated.id ? updated : u));
  renderUsers();
}

async function createUser(event) {
  event.preventDefault();
  const role = $('new-user-role').value;
  const body = {
    username: $('new-user-name').value.trim(),
    password: $('new-user-password').value,
    role,
    outlet_id: role === 'OWNER' ? undefined : state.outlet && state.outlet.id,
  };
  await busy($('new-user-submit'), async () => {
    await staffApi('/auth/register', { method: 'POST', body });
    $('new-user-name').value = '';
    $('new-user-password').value = '';
    await loadUsers();
    toast(t('admin.staff.created', { name: body.username }));
  }, $('new-user-error'));
}

// ---- tablets --------------------------------------------------------------------------------

async function loadTablets() {
  if (!state.outlet) return;
  state.tablets = await staffApi(`/outlets/${state.outlet.id}/devices`);
  renderTablets();
}

function renderTablets() {
  const here = (tablet.get() || {}).id;
  const when = (at) => (at ? formatDateTime(at) : t('admin.tablets.never'));
  $('tablet-list').replaceChildren(...state.tablets.map((device) => {
    const status = device.revoked
      ? t('admin.tablets.revoked')
      : device.locked ? t('admin.tablets.locked') : t('admin.tablets.last_used', { at: when(device.last_seen_at) });
    return h('li', { class: `row${device.revoked ? ' inactive' : ''}`, dataset: { deviceId: device.id } },
      h('span', { class: 'row-main' }, h('strong', {}, device.name), ' ',
        h('span', { class: 'hint' }, [device.id === here ? t('admin.tablets.this_browser') : '', status].filter(Boolean).join(' · '))),
      device.locked && !device.revoked ? h('button', {
        type: 'button',
        class: 'unlock',
        onclick: (e) => busy(e.currentTarget, async () => {
          await staffApi(`/devices/${device.id}/unlock`, { method: 'POST' });
          await loadTablets();
          toast(t('admin.tablets.unlocked', { name: device.name }));
        }),
      }, t('admin.tablets.unlock')) : null,
      device.revoked ? null : h('button', {
        type: 'button',
        class: 'danger revoke',
        onclick: (e) => {
          if (!confirm(t('admin.tablets.confirm_revoke', { name: device.name }))) return;
          busy(e.currentTarget, async () => {
            await staffApi(`/devices/${device.id}`, { method: 'DELETE' });
            if (device.id === here) tablet.forget();
            await loadTablets();
          });
        },
      }, t('admin.tablets.revoke')));
  }));
}

async function enrolTablet(event) {
  event.preventDefault();
  const name = $('new-tablet-name').value.trim();
  if (!name) {
    fail(new Error(t('admin.tablets.name_error')), $('new-tablet-error'));
    return;
  }
  await busy($('new-tablet-submit'), async () => {
    const enrolled = await staffApi(`/outlets/${state.outlet.id}/devices`, { method: 'POST', body: { name } });
    $('new-tablet-name').value = '';
    $('tablet-enrolled-text').replaceChildren(...tNodes('admin.tablets.enrolled', {
      name: h('strong', { id: 'tablet-enrolled-name' }, enrolled.device.name),
    }));
    $('tablet-secret').textContent = enrolled.device_secret;
    $('tablet-enrolled').hidden = false;
    $('tablet-use-here').onclick = () => {
      tablet.save({ id: enrolled.device.id, name: enrolled.device.name, secret: enrolled.device_secret });
      $('tablet-enrolled').hidden = true;
      renderTablets();
      toast(t('admin.tablets.now_this', { name: enrolled.device.name }));
    };
    await loadTablets();
  }, $('new-tablet-error'));
}

// ---- shifts and the sales report -----------------------------------------------------------

const SHIFT_COLUMNS = ['cashier', 'opened', 'closed', 'start', 'expected', 'counted', 'difference'];

async function loadShifts() {
  if (!state.outlet) return;
  try {
    const shifts = await staffAll(`/shifts?outlet_id=${state.outlet.id}`);
    const name = (id) => (state.users.find((u) => u.id === id) || {}).username || '—';
    const when = (at) => (at ? formatDateTime(at) : '—');
    const amount = (v) => (v === null || v === undefined ? '—' : money(v));
    shifts.sort((a, b) => Date.parse(b.opened_at) - Date.parse(a.opened_at));
    $('shift-table').replaceChildren(
      h('thead', {}, h('tr', {}, SHIFT_COLUMNS.map((column) => h('th', { scope: 'col' }, t(`admin.shifts.col.${column}`))))),
      h('tbody', {}, shifts.length ? shifts.map((s) => h('tr', { dataset: { shiftId: s.id } },
        h('td', {}, name(s.user_id)), h('td', {}, when(s.opened_at)),
        h('td', {}, s.status === 'OPEN' ? t('admin.shifts.open') : when(s.closed_at)),
        h('td', { class: 'num' }, amount(s.start_cash)), h('td', { class: 'num' }, amount(s.expected_cash)),
        h('td', { class: 'num' }, amount(s.end_cash)),
        h('td', { class: `num${s.cash_difference < 0 ? ' negative' : ''}` }, amount(s.cash_difference))))
        : h('tr', {}, h('td', { colspan: 7 }, t('admin.shifts.empty')))),
    );
  } catch (err) {
    fail(err);
  }
}

function reportQuery(format) {
  const params = new URLSearchParams({ outlet_id: state.outlet.id, group_by: $('report-group').value });
  if ($('report-from').value) params.set('from', $('report-from').value);
  if ($('report-to').value) params.set('to', $('report-to').value);
  if (format) params.set('format', format);
  return `/reports/sales?${params}`;
}

async function showReport(event) {
  event.preventDefault();
  await busy($('report-show'), async () => {
    const report = await staffApi(reportQuery());
    renderReport(report);
  }, $('report-error'));
}

/** A row's key as people read it: days in the page's language, payment methods by name. */
function reportKey(report, key) {
  if (report.group_by === 'day') return formatDay(key);
  if (report.group_by === 'method' && has(`admin.pay_method.${key}`)) return t(`admin.pay_method.${key}`);
  return key;
}

function renderReport(report) {
  const cur = report.currency || currency();
  const m = (v) => formatMoney(v, cur);
  const key = (k) => reportKey(report, k);
  $('report').hidden = false;
  $('report-chart').replaceChildren(chart(report.rows, m, key));
  const totals = report.totals;
  $('report-totals').textContent = t('admin.reports.totals', {
    from: formatDay(report.from), to: formatDay(report.to), orders: totals.orders,
    gross: m(totals.gross_sales), refunds: m(totals.refunds), net: m(totals.net_sales),
  });
  const group = has(`admin.reports.col.${report.group_by}`) ? t(`admin.reports.col.${report.group_by}`) : report.group_by;
  $('report-table').replaceChildren(
    h('thead', {}, h('tr', {}, [group, ...['orders', 'qty', 'gross', 'refunds', 'net'].map((c) => t(`admin.reports.col.${c}`))]
      .map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, report.rows.map((r) => h('tr', {},
      h('th', { scope: 'row' }, key(r.key)), h('td', { class: 'num' }, String(r.orders)), h('td', { class: 'num' }, String(r.quantity)),
      h('td', { class: 'num' }, m(r.gross_sales)), h('td', { class: 'num' }, m(r.refunds)), h('td', { class: 'num' }, m(r.net_sales))))),
  );
}

/** Horizontal bars of net sales, one per row, drawn as SVG with DOM calls. */
function chart(rows, m, key) {
  if (!rows.length) return h('p', { class: 'hint' }, t('admin.reports.no_sales'));
  const barHeight = 22;
  const gap = 6;
  const labelWidth = 120;
  const width = 600;
  const max = Math.max(1, ...rows.map((r) => r.net_sales));
  const height = rows.length * (barHeight + gap);
  return svg('svg', {
    viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'bars',
    'aria-label': t('admin.reports.chart_label', { rows: rows.map((r) => `${key(r.key)} ${m(r.net_sales)}`).join(', ') }),
  }, rows.map((r, i) => {
    const y = i * (barHeight + gap);
    const w = Math.max(0, (r.net_sales / max) * (width - labelWidth - 130));
    return svg('g', {},
      svg('text', { x: 0, y: y + barHeight * 0.7, class: 'bar-label' }, key(r.key).slice(0, 16)),
      svg('rect', { x: labelWidth, y, width: w.toFixed(1), height: barHeight, rx: 3, class: 'bar' }),
      svg('text', { x: labelWidth + w + 6, y: y + barHeight * 0.7, class: 'bar-value' }, m(r.net_sales)));
  }));
}

async function downloadCsv() {
  await busy($('report-csv'), async () => {
    const blob = await staffBlob(reportQuery('csv'), { accept: 'text/csv' });
    const from = $('report-from').value || 'today';
    saveBlob(blob, `sales-${from}-${$('report-group').value}.csv`);
  }, $('report-error'));
}

// ---- activity: the audit log -----------------------------------------------------------------

/** The audit log's actions, grouped as the filter lists them (labels: `admin.action.*`). */
const ACTIVITY_GROUPS = [
  ['signing_in', ['SIGN_IN', 'SIGN_IN_FAILED', 'PIN_SIGN_IN', 'PIN_SIGN_IN_FAILED']],
  ['orders_money', [
    'ORDER_VOIDED', 'ITEM_VOIDED', 'ITEM_COMPED', 'DISCOUNT_GIVEN', 'DISCOUNT_REMOVED',
    'PAYMENT_REFUNDED', 'DRAWER_OPENED', 'RECEIPT_REPRINTED', 'SHIFT_CLOSED',
  ]],
  ['menu_printers', ['PRODUCT_CHANGED', 'PRINTER_ADDED', 'PRINTER_CHANGED', 'PRINTER_REMOVED']],
  ['staff_devices', ['USER_CREATED', 'USER_CHANGED', 'PIN_CHANGED', 'DEVICE_ENROLLED', 'DEVICE_REVOKED', 'DEVICE_UNLOCKED']],
];
const actionText = (action) => (has(`admin.action.${action}`) ? t(`admin.action.${action}`) : action);
/** A red edge for what needs a second look, amber for money and cash. */
const ACTIVITY_TONE = {
  SIGN_IN_FAILED: 'alert', PIN_SIGN_IN_FAILED: 'alert', ORDER_VOIDED: 'alert', ITEM_VOIDED: 'alert',
  PAYMENT_REFUNDED: 'alert', ITEM_COMPED: 'money', DISCOUNT_GIVEN: 'money', DISCOUNT_REMOVED: 'money',
  DRAWER_OPENED: 'money', SHIFT_CLOSED: 'money', PRODUCT_CHANGED: 'money',
};
const FAILED_SIGN_INS = ['SIGN_IN_FAILED', 'PIN_SIGN_IN_FAILED'];
const methodText = (method) => (has(`admin.method.${method}`) ? t(`admin.method.${method}`) : method);
const ACTIVITY_PAGE = 50;

const activity = {
  items: [],
  cursor: null,
  seq: 0,
  allowed: true,
  actors: new Map(), // user id → username: the staff list, and whoever the log names
};

/** The chosen days as instants: `from` the start of its day, `to` the start of the day after
 *  (the API's `to` is exclusive), both at the device's local midnight. Null when reversed. */
function activityRange() {
  const day = (value, plus = 0) => {
    const [y, m, d] = value.split('-').map(Number);
    return new Date(y, m - 1, d + plus).toISOString();
  };
  const from = $('activity-from').value;
  const to = $('activity-to').value;
  if (from && to && from > to) return null;
  return { from: from ? day(from) : null, to: to ? day(to, 1) : null };
}

function activityAllOutlets() {
  return isOwner() && $('activity-scope').value === 'all';
}

/** The `/audit` query of the filters chosen, for one page. */
function activityQuery(range, { limit = ACTIVITY_PAGE, cursor = null, format = null } = {}) {
  const query = new URLSearchParams({ limit: String(limit) });
  if (!activityAllOutlets()) query.set('outlet_id', state.outlet.id);
  if ($('activity-action').value) query.set('action', $('activity-action').value);
  if ($('activity-actor').value) query.set('actor', $('activity-actor').value);
  if (range.from) query.set('from', range.from);
  if (range.to) query.set('to', range.to);
  if (cursor) query.set('cursor', cursor);
  if (format) query.set('format', format);
  return `/audit?${query}`;
}

function renderActivityActions() {
  $('activity-action').replaceChildren(h('option', { value: '' }, t('admin.activity.all_actions')),
    ...ACTIVITY_GROUPS.map(([group, actions]) => h('optgroup', { label: t(`admin.activity.group.${group}`) },
      actions.map((value) => h('option', { value }, actionText(value))))));
}

/** The person filter: everyone on the staff list, and anyone else the log has named (an
 *  owner is not on a manager's list). The choice stays. */
function renderActivityActors() {
  for (const user of state.users) activity.actors.set(user.id, user.username);
  const select = $('activity-actor');
  const chosen = select.value;
  const people = [...activity.actors].sort((a, b) => a[1].localeCompare(b[1]));
  select.replaceChildren(h('option', { value: '' }, t('admin.activity.everyone')),
    ...people.map(([id, name]) => h('option', { value: id, selected: id === chosen }, name)));
  select.value = activity.actors.has(chosen) ? chosen : '';
}

/** Hides the tab for good when this account may not read the log. */
function activityRefused() {
  activity.allowed = false;
  document.querySelector('#tabs a[data-tab="activity"]').hidden = true;
  if (document.body.dataset.tab === 'activity') location.hash = '#outlets';
}

/** The first page for the filters chosen (`more`: the next page, added below). */
async function loadActivity({ more = false } = {}) {
  if (!state.outlet || !activity.allowed) return;
  const line = $('activity-error');
  const range = activityRange();
  if (!range) {
    fail(new Error(t('admin.activity.range_error')), line);
    return;
  }
  clearError(line);
  activity.seq += 1;
  const seq = activity.seq;
  const button = $('activity-more');
  if (more) button.disabled = true;
  try {
    const page = await staffApi(activityQuery(range, { cursor: more ? activity.cursor : null }));
    if (seq !== activity.seq) return; // other filters (or another outlet) were chosen since
    activity.items = more ? activity.items.concat(page.items) : page.items;
    activity.cursor = page.next_cursor || null;
    renderActivity(more ? page.items : null);
  } catch (err) {
    if (seq !== activity.seq) return;
    if (err.status === 403) activityRefused();
    else fail(err, line);
  } finally {
    if (seq === activity.seq) button.disabled = false;
  }
}

/** Draws the list, or (`added`) appends a page to it. */
function renderActivity(added = null) {
  let named = false;
  for (const entry of activity.items) {
    if (entry.actor_id && !activity.actors.has(entry.actor_id)) {
      activity.actors.set(entry.actor_id, entry.actor_name);
      named = true;
    }
  }
  if (named) renderActivityActors();
  const list = $('activity-list');
  if (added) {
    list.append(...added.map(activityRow));
    // Load more leaves the focus on the first new row, not at the top of the page.
    const first = list.querySelector(`[data-id="${added[0] && added[0].id}"]`);
    if (first && !activity.cursor) first.focus({ preventScroll: true });
  } else {
    list.replaceChildren(...activity.items.map(activityRow));
  }
  if (!activity.items.length) list.replaceChildren(h('li', { class: 'hint' }, t('admin.activity.empty')));
  const n = activity.items.length;
  $('activity-count').textContent = n
    ? plural(activity.cursor ? 'admin.activity.count_more' : 'admin.activity.count', n)
    : '';
  $('activity-more').hidden = !activity.cursor;
}

/** An amount as the entry's outlet writes it; negative ones with a true minus sign. */
function activityMoney(entry, amount, { signed = false } = {}) {
  const outlet = state.outlets.find((o) => o.id === entry.outlet_id) || state.outlet;
  const cur = (outlet && outlet.currency) || 'IDR';
  const value = Number(amount) || 0;
  const text = formatMoney(Math.abs(value), cur);
  if (value < 0) return `\u2212${text}`;
  return signed && value > 0 ? `+${text}` : text;
}

/** One line saying what happened, from the entry's details. */
function activitySummary(entry) {
  const d = entry.details && typeof entry.details === 'object' ? entry.details : {};
  const m = (amount, options) => activityMoney(entry, amount, options);
  // Pieces the sentences below place where their language wants them.
  const from = entry.client_address ? t('admin.sum.from', { address: entry.client_address }) : '';
  const reason = d.reason ? `: ${d.reason}` : '';
  const order = d.number !== undefined && d.number !== null ? t('admin.sum.order', { number: d.number }) : t('admin.sum.an_order');
  const target = d.item_id ? t('admin.sum.item_of', { order }) : order;
  const device = d.device || t('admin.sum.a_device');
  const name = (id) => (id && activity.actors.get(id)) || null;
  const outletName = (id) => (state.outlets.find((o) => o.id === id) || {}).name || null;
  switch (entry.action) {
    case 'SIGN_IN': return t('admin.sum.sign_in', { from });
    case 'SIGN_IN_FAILED': return t(entry.actor_id ? 'admin.sum.refused_wrong' : 'admin.sum.refused_unknown', { from });
    case 'PIN_SIGN_IN': return t('admin.sum.pin_sign_in', { device, from });
    case 'PIN_SIGN_IN_FAILED': return t(entry.actor_id ? 'admin.sum.pin_wrong' : 'admin.sum.pin_wrong_unknown', { device, from });
    case 'ORDER_VOIDED': return t('admin.sum.order_voided', { order, amount: m(d.total_amount), reason });
    case 'ITEM_VOIDED':
    case 'ITEM_COMPED':
      return t(entry.action === 'ITEM_VOIDED' ? 'admin.sum.item_voided' : 'admin.sum.item_comped', {
        quantity: d.quantity || '', order, amount: m(d.amount), reason,
      });
    case 'DISCOUNT_GIVEN': return t('admin.sum.discount_given', { amount: m(d.amount), target, reason });
    case 'DISCOUNT_REMOVED':
      // The removal's amount is the discount's, negated.
      return t('admin.sum.discount_removed', { amount: m(Math.abs(Number(d.amount) || 0)), target, reason });
    case 'PAYMENT_REFUNDED':
      return d.method
        ? t('admin.sum.refunded_method', { amount: m(d.amount), method: methodText(d.method), reason })
        : t('admin.sum.refunded', { amount: m(d.amount), reason });
    case 'DRAWER_OPENED':
      return t('admin.sum.drawer', {
        at: d.printer ? t('admin.sum.at_printer', { printer: d.printer }) : '',
        no_sale: d.sale === false ? t('admin.sum.no_sale') : '',
      });
    case 'RECEIPT_REPRINTED':
      return t('admin.sum.reprint', { on: d.printer ? t('admin.sum.on_printer', { printer: d.printer }) : '' });
    case 'SHIFT_CLOSED': {
      const whose = d.cashier_id && d.cashier_id !== entry.actor_id
        ? t('admin.sum.whose', { name: name(d.cashier_id) || t('admin.sum.another_cashier') })
        : '';
      return t('admin.sum.shift_closed', {
        whose, expected: m(d.expected_cash), counted: m(d.end_cash), difference: m(d.cash_difference, { signed: true }),
      });
    }
    case 'PRODUCT_CHANGED': {
      const changes = [];
      const [oldPrice, newPrice] = Array.isArray(d.price) ? d.price : [];
      const [was, now] = Array.isArray(d.available) ? d.available : [];
      if (oldPrice !== newPrice) changes.push(t('admin.sum.price', { old: m(oldPrice), new: m(newPrice) }));
      if (was !== now) changes.push(now ? t('admin.sum.back_on_sale') : t('admin.menu.sold_out'));
      return [d.name, changes.join(', ') || t('admin.sum.changed')].filter(Boolean).join(': ');
    }
    case 'PRINTER_ADDED':
    case 'PRINTER_CHANGED':
    case 'PRINTER_REMOVED': {
      const about = [
        d.kind ? kindText(d.kind) : null,
        d.address,
        d.paper_width_mm ? `${d.paper_width_mm} mm` : null,
        d.copies > 1 ? t('admin.printers.copies_n', { n: d.copies }) : null,
        d.active === false && entry.action !== 'PRINTER_REMOVED' ? t('admin.printers.switched_off') : null,
      ].filter(Boolean).join(' · ');
      return `${d.name || t('admin.sum.a_printer')}${about ? ` (${about})` : ''}`;
    }
    case 'USER_CREATED':
    case 'USER_CHANGED': {
      const where = d.outlet_id ? outletName(d.outlet_id) : d.role === 'OWNER' ? t('admin.staff.all_outlets') : null;
      const parts = [d.role ? roleName(d.role) : null, where ? t('admin.sum.at_outlet', { outlet: where }) : null];
      if (entry.action === 'USER_CHANGED') {
        parts.push(d.active === false ? t('admin.staff.deactivated') : t('admin.sum.active'));
        if (d.password_changed) parts.push(t('admin.sum.new_password'));
      }
      return `${d.username || t('admin.sum.an_account')}: ${parts.filter(Boolean).join(', ')}`;
    }
    case 'PIN_CHANGED': return t('admin.sum.pin_set', { name: d.username || t('admin.sum.an_account_lower') });
    case 'DEVICE_ENROLLED': return t('admin.sum.device_enrolled', { name: d.name || t('admin.sum.a_device_cap') });
    case 'DEVICE_REVOKED': return t('admin.sum.device_revoked', { name: d.name || t('admin.sum.a_device_cap') });
    case 'DEVICE_UNLOCKED': return t('admin.sum.device_unlocked', { name: d.name || t('admin.sum.a_device_cap') });
    default: {
      const shown = Object.entries(d).map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
      return shown.join(', ') || (entry.object_type ? `${entry.object_type} ${entry.object_id || ''}`.trim() : '');
    }
  }
}

function activityRow(entry) {
  // The server names the approver (`approved_by_name`); older rows fall back to the staff list.
  const approver = entry.approved_by
    ? entry.approved_by_name || activity.actors.get(entry.approved_by) || t('admin.activity.a_manager')
    : null;
  const outlet = activityAllOutlets()
    ? (state.outlets.find((o) => o.id === entry.outlet_id) || {}).name
      || (entry.outlet_id ? t('admin.activity.another_outlet') : t('admin.activity.no_outlet'))
    : null;
  const tone = ACTIVITY_TONE[entry.action];
  const actor = h('span', { class: 'activity-actor' }, entry.actor_name || '—');
  return h('li', {
    class: `row activity-row${tone ? ` activity-${tone}` : ''}`,
    tabindex: '-1',
    dataset: { id: entry.id, action: entry.action },
  },
  h('div', { class: 'row-main' },
    h('div', { class: 'activity-head' },
      h('strong', { class: 'activity-label' }, actionText(entry.action)),
      // A failed sign-in names whom someone tried to sign in as.
      h('span', { class: 'activity-by' },
        tNodes(FAILED_SIGN_INS.includes(entry.action) ? 'admin.activity.as' : 'admin.activity.by', { name: actor })),
      h('time', { class: 'activity-when', datetime: entry.at, title: new Date(entry.at).toLocaleString(locale()) },
        formatDateTime(entry.at))),
    h('span', { class: 'activity-summary' }, activitySummary(entry)),
    approver || outlet
      ? h('span', { class: 'hint' }, [outlet, approver ? t('admin.activity.approved_by', { name: approver }) : null]
        .filter(Boolean).join(' · '))
      : null));
}

/** Every page of the filters chosen as one CSV file. The CSV of a page has no ids, so the
 *  JSON of the same page says where the next one starts (read after it: a row added in
 *  between is then at worst listed twice, never missed). */
async function downloadActivity() {
  const line = $('activity-error');
  const range = activityRange();
  if (!range) {
    fail(new Error(t('admin.activity.range_error')), line);
    return;
  }
  const MAX_PAGES = 50;
  await busy($('activity-csv'), async () => {
    const parts = [];
    let cursor = null;
    let pages = 0;
    do {
      const blob = await staffBlob(activityQuery(range, { limit: 200, cursor, format: 'csv' }), { accept: 'text/csv' });
      const text = await blob.text();
      parts.push(pages ? text.slice(text.indexOf('\n') + 1) : text); // one header line
      const page = await staffApi(activityQuery(range, { limit: 200, cursor }));
      cursor = page.next_cursor || null;
      pages += 1;
    } while (cursor && pages < MAX_PAGES);
    const where = activityAllOutlets() ? 'all-outlets' : (state.outlet.name || 'outlet').toLowerCase().replace(/[^a-z0-9]+/g, '-');
    const days = [$('activity-from').value, $('activity-to').value].filter(Boolean).join('_to_') || new Date().toISOString().slice(0, 10);
    saveBlob(new Blob(parts, { type: 'text/csv;charset=utf-8' }), `activity-${where}-${days}.csv`);
    toast(cursor ? t('admin.activity.downloaded_partial', { count: MAX_PAGES * 200 }) : t('admin.activity.downloaded'));
  }, line);
}

// ---- page setup ----------------------------------------------------------------------------

async function loadOutletData() {
  if (!state.outlet) return;
  try {
    $('tablet-enrolled').hidden = true; // a secret belongs to the outlet it was made at
    const outletId = state.outlet.id;
    await Promise.all([loadTables(), loadMenu(), loadPrinters(), loadTablets()]);
    if (state.outlet && state.outlet.id === outletId) state.loadedFor = outletId;
    renderChecklist();
    renderPrinters(); // with the categories' names
    if (document.body.dataset.tab === 'reports') loadShifts();
    if (document.body.dataset.tab === 'printers') loadJobs();
    if (document.body.dataset.tab === 'activity') loadActivity();
  } catch (err) {
    fail(err);
  }
}

async function main() {
  try {
    state.me = await staffPage(['OWNER', 'MANAGER']);
  } catch (err) {
    fail(err, $('load-error'));
    return;
  }
  if (!state.me) return;
  $('new-user-role').replaceChildren(...grantable().map((r) => h('option', { value: r, selected: r === 'KASIR' }, roleName(r))));
  $('new-printer-kind').replaceChildren(...choices(PRINTER_KINDS, 'RECEIPT', kindText));
  $('new-outlet-form').hidden = !isOwner();
  $('outlet-select').addEventListener('change', (e) => selectOutlet(e.target.value));
  $('outlet-form').addEventListener('submit', saveOutlet);
  $('new-outlet-form').addEventListener('submit', createOutlet);
  $('new-table-form').addEventListener('submit', createTable);
  $('new-category-form').addEventListener('submit', createCategory);
  $('new-product-form').addEventListener('submit', createProduct);
  $('new-user-form').addEventListener('submit', createUser);
  $('new-tablet-form').addEventListener('submit', enrolTablet);
  $('new-printer-form').addEventListener('submit', createPrinter);
  $('new-printer-kind').addEventListener('change', renderPrinterCategories);
  $('job-filter').addEventListener('change', loadJobs);
  setInterval(pollPrinters, 5000);
  $('report-form').addEventListener('submit', showReport);
  $('report-csv').addEventListener('click', downloadCsv);
  renderActivityActions();
  $('activity-scope-field').hidden = !isOwner();
  for (const id of ['activity-action', 'activity-actor', 'activity-from', 'activity-to', 'activity-scope']) {
    $(id).addEventListener('change', () => loadActivity());
  }
  $('activity-form').addEventListener('submit', (e) => { e.preventDefault(); loadActivity(); });
  $('activity-more').addEventListener('click', () => loadActivity({ more: true }));
  $('activity-csv').addEventListener('click', downloadActivity);
  $('print-all').addEventListener('click', () => printSheet(false));
  $('print-selected').addEventListener('click', () => printSheet(true));
  window.addEventListener('afterprint', () => {
    // Printed from the browser's own menu while the sheet showed: that counts too.
    if (document.body.dataset.tab === 'tables') markQrPrinted();
    delete document.body.dataset.print;
  });
  window.addEventListener('hashchange', () => showTab(location.hash.slice(1)));
  showTab(location.hash.slice(1));
  try {
    await Promise.all([loadOutlets(), loadUsers()]);
    await loadOutletData();
  } catch (err) {
    fail(err, $('load-error'));
  }
  document.body.dataset.ready = '1';
  if (state.outlet) startLive();
}

main();
