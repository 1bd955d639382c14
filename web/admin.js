// `/admin` (OWNER, MANAGER): outlets and their settings, tables with a printable QR sheet, the
// menu (categories with their stations, products, modifier groups), the printers and their
// print jobs, staff accounts, shifts and the sales report, and the activity (audit) log.
import {
  bpToPercent, formatMoney, h, Live, moneyInput, parseMoney, percentToBp, problemText,
  saveBlob, sendToPrinter, showTableQr, staff, staffAll, staffApi, staffBlob, staffPage, svg, tablet, toast,
} from './app.js';

const OUTLET_KEY = 'kedai.admin.outlet';
const TABS = ['outlets', 'tables', 'menu', 'printers', 'staff', 'reports', 'activity'];
const ROLES = ['OWNER', 'MANAGER', 'KASIR', 'WAITER', 'KITCHEN'];

const $ = (id) => document.getElementById(id);
const state = {
  me: null,
  outlets: [],
  outlet: null, // the selected outlet
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

// ---- outlets -------------------------------------------------------------------------------

async function loadOutlets() {
  state.outlets = await staffAll('/outlets');
  const wanted = localStorage.getItem(OUTLET_KEY);
  state.outlet = state.outlets.find((o) => o.id === wanted)
    || state.outlets.find((o) => o.id === state.me.outlet_id)
    || state.outlets[0] || null;
  renderOutlets();
}

function renderOutlets() {
  const select = $('outlet-select');
  select.replaceChildren(...state.outlets.map((o) => h('option', { value: o.id }, o.name)));
  if (state.outlet) select.value = state.outlet.id;
  document.body.dataset.hasOutlet = state.outlet ? '1' : '0';
  $('outlet-form').hidden = !state.outlet;
  const o = state.outlet;
  if (o) {
    $('outlet-form-title').textContent = `Settings of ${o.name}`;
    $('outlet-name').value = o.name;
    $('outlet-address').value = o.address || '';
    $('outlet-currency').value = o.currency;
    $('outlet-timezone').value = o.timezone;
    $('outlet-service').value = bpToPercent(o.service_charge_bp);
    $('outlet-tax').value = bpToPercent(o.tax_bp);
    $('outlet-auto-lock').value = String(o.auto_lock_minutes ?? 5);
    $('outlet-self').checked = o.qr_self_service;
    $('outlet-auto-print').checked = Boolean(o.auto_print_receipt);
    $('outlet-footer').value = o.receipt_footer || '';
  }
  $('outlet-list').replaceChildren(...state.outlets.map((outlet) => h('li', {
    class: `row${state.outlet && outlet.id === state.outlet.id ? ' selected' : ''}`,
    dataset: { outletId: outlet.id },
  },
  h('span', { class: 'row-main' }, h('strong', {}, outlet.name), ' ',
    h('span', { class: 'hint' }, `${outlet.currency} · service ${bpToPercent(outlet.service_charge_bp)}% · tax ${bpToPercent(outlet.tax_bp)}%`)),
  h('button', { type: 'button', onclick: () => selectOutlet(outlet.id) },
    state.outlet && outlet.id === state.outlet.id ? 'Selected' : 'Select'))));
  if (!state.outlet) {
    $('load-error').textContent = isOwner()
      ? 'No outlet yet: create the first one below.'
      : 'Your account has no outlet.';
    $('load-error').hidden = false;
  } else {
    $('load-error').hidden = true;
  }
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
    fail(new Error('Service charge and tax are percentages, e.g. 10 or 11.5.'), line);
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
  };
  const minutes = Number($('outlet-auto-lock').value);
  if (!Number.isInteger(minutes) || minutes < 0 || minutes > 240) {
    fail(new Error('Lock tablets after: whole minutes from 0 (never) to 240.'), line);
    return;
  }
  body.auto_lock_minutes = minutes;
  await busy($('outlet-save'), async () => {
    const updated = await staffApi(`/outlets/${state.outlet.id}`, { method: 'PATCH', body });
    state.outlets = state.outlets.map((o) => (o.id === updated.id ? updated : o));
    state.outlet = updated;
    renderOutlets();
    renderQrSheet();
    toast('Outlet saved.');
  }, line);
}

async function createOutlet(event) {
  event.preventDefault();
  const name = $('new-outlet-name').value.trim();
  await busy($('new-outlet-submit'), async () => {
    const outlet = await staffApi('/outlets', { method: 'POST', body: { name } });
    $('new-outlet-name').value = '';
    state.outlets.push(outlet);
    toast(`Outlet ${outlet.name} created.`);
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
        toast('Table saved.');
      });
    };
    return h('li', { class: `row${table.active ? '' : ' inactive'}`, dataset: { tableId: table.id } },
      h('div', { class: 'row-fields' },
        h('div', {}, h('label', { for: nameId }, 'Name'), h('input', { id: nameId, value: table.name, maxlength: 100 })),
        h('div', { class: 'narrow-field' }, h('label', { for: capId }, 'Seats'),
          h('input', { id: capId, type: 'number', min: 1, max: 100, inputmode: 'numeric', value: String(table.capacity || '') }))),
      h('div', { class: 'button-row' },
        h('button', { type: 'button', onclick: (e) => save(e.currentTarget) }, 'Save'),
        h('button', {
          type: 'button',
          onclick: (e) => busy(e.currentTarget, async () => {
            replaceTable(await staffApi(`/tables/${table.id}`, { method: 'PATCH', body: { active: !table.active } }));
          }),
        }, table.active ? 'Deactivate' : 'Activate'),
        h('button', {
          type: 'button',
          onclick: (e) => {
            // A new code makes every printed copy of the old one stop working.
            if (!confirm(`Issue a new QR code for ${table.name}? The printed one stops working.`)) return;
            busy(e.currentTarget, async () => {
              replaceTable(await staffApi(`/tables/${table.id}/rotate-qr`, { method: 'POST', body: {} }));
              toast(`New QR code for ${table.name}: print it again.`);
            });
          },
        }, 'New QR'),
        h('button', {
          type: 'button',
          class: 'danger',
          onclick: (e) => {
            if (!confirm(`Delete ${table.name}? A table with history is deactivated instead.`)) return;
            busy(e.currentTarget, async () => {
              await staffApi(`/tables/${table.id}`, { method: 'DELETE' });
              await loadTables();
            });
          },
        }, 'Delete')),
      table.active ? null : h('p', { class: 'hint' }, 'Inactive: not on the QR sheet.'));
  }));
}

function replaceTable(updated) {
  state.tables = state.tables.map((t) => (t.id === updated.id ? updated : t));
  renderTables();
  renderQrSheet();
}

function renderQrSheet() {
  const sheet = $('qr-sheet');
  if (!state.outlet) {
    sheet.replaceChildren();
    return;
  }
  const active = state.tables.filter((t) => t.active);
  sheet.replaceChildren(...active.map((table) => {
    const pickId = `qr-pick-${table.id}`;
    const img = h('img', { class: 'qr-image', alt: `QR code of ${table.name}`, width: 240, height: 240 });
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
      h('label', { for: pickId }, `Print ${table.name}`)),
    img,
    h('p', { class: 'qr-table' }, table.name),
    h('p', { class: 'qr-outlet' }, state.outlet.name),
    h('p', { class: 'qr-hint' }, 'Scan to order'));
    showTableQr(img, table.id).catch((err) => fail(err));
    return card;
  }));
  if (!active.length) sheet.append(h('p', { class: 'hint no-print' }, 'Add a table to get its QR code.'));
}

function printSheet(onlyPicked) {
  if (onlyPicked && !document.querySelector('.qr-card.picked')) {
    toast('Tick the tables to print first.', 'error');
    return;
  }
  document.body.dataset.print = onlyPicked ? 'picked' : 'all';
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
    toast(`Table ${body.name} added.`);
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
  return [h('option', { value: '' }, '(no category)'),
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
        h('div', {}, h('label', { for: nameId }, 'Name'), h('input', { id: nameId, value: category.name, maxlength: 100 })),
        h('div', { class: 'narrow-field' }, h('label', { for: sortId }, 'Order'),
          h('input', { id: sortId, type: 'number', inputmode: 'numeric', value: String(category.sort) })),
        h('div', { class: 'narrow-field' }, h('label', { for: stationId }, 'Station'),
          h('input', { id: stationId, maxlength: 60, list: 'station-names', placeholder: 'Kitchen', value: category.station || '' }))),
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
            toast('Category saved.');
          }),
        }, 'Save'),
        h('button', {
          type: 'button',
          class: 'danger',
          onclick: (e) => {
            if (!confirm(`Delete the category ${category.name}?`)) return;
            busy(e.currentTarget, async () => {
              await staffApi(`/categories/${category.id}`, { method: 'DELETE' });
              await loadMenu();
            });
          },
        }, 'Delete')));
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
    fail(new Error('Enter the price as a number, e.g. 25000.'), line);
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
    toast(`${body.name} added to the menu.`);
  }, line);
}

function renderProducts() {
  const open = new Set([...document.querySelectorAll('#product-list details[open]')].map((d) => d.dataset.productId));
  $('product-list').replaceChildren(...state.products.map((p) => productRow(p, open.has(p.id))));
}

function productRow(product, open) {
  const id = (field) => `product-${field}-${product.id}`;
  const category = state.categories.find((c) => c.id === product.category_id);
  const availId = id('available');
  const error = h('p', { class: 'error', role: 'alert', hidden: true });
  const save = (button) => {
    const price = parseMoney($(id('price')).value, currency());
    if (price === null) return fail(new Error('Enter the price as a number.'), error);
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
      toast('Product saved.');
    }, error);
  };
  return h('li', { class: `row product-row${product.available ? '' : ' inactive'}`, dataset: { productId: product.id } },
    h('div', { class: 'row-head' },
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
        h('label', { for: availId }, product.available ? 'Available' : 'Sold out'))),
    h('details', { open, dataset: { productId: product.id } },
      h('summary', {}, 'Edit, options…'),
      h('div', { class: 'fields' },
        h('div', {}, h('label', { for: id('name') }, 'Name'), h('input', { id: id('name'), value: product.name, maxlength: 100 })),
        h('div', {}, h('label', { for: id('price') }, 'Price'),
          h('input', { id: id('price'), inputmode: 'decimal', value: moneyInput(product.price, currency()) })),
        h('div', {}, h('label', { for: id('category') }, 'Category'),
          h('select', { id: id('category') }, categoryOptions(product.category_id))),
        h('div', {}, h('label', { for: id('description') }, 'Description'),
          h('textarea', { id: id('description'), rows: 2, maxlength: 500, value: product.description || '' }))),
      error,
      h('div', { class: 'button-row' },
        h('button', { type: 'button', class: 'primary', onclick: (e) => save(e.currentTarget) }, 'Save product'),
        h('button', {
          type: 'button',
          class: 'danger',
          onclick: (e) => {
            if (!confirm(`Delete ${product.name} from the menu?`)) return;
            busy(e.currentTarget, async () => {
              await staffApi(`/products/${product.id}`, { method: 'DELETE' });
              await loadMenu();
            });
          },
        }, 'Delete product')),
      h('h4', {}, 'Option groups'),
      h('div', { class: 'groups' }, (product.modifier_groups || []).map((g) => groupEditor(product, g))),
      h('button', {
        type: 'button',
        onclick: (e) => {
          const holder = e.currentTarget.previousElementSibling;
          holder.append(groupEditor(product, null));
          holder.lastElementChild.querySelector('input').focus();
        },
      }, 'Add option group')));
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
      h('div', {}, h('label', { for: `${base}-name` }, 'Option'),
        h('input', { id: `${base}-name`, class: 'opt-name', maxlength: 100, value: option ? option.name : '' })),
      h('div', { class: 'narrow-field' }, h('label', { for: `${base}-delta` }, 'Extra price'),
        h('input', { id: `${base}-delta`, class: 'opt-delta', inputmode: 'decimal', value: option ? moneyInput(option.price_delta, currency()) : '0' })),
      h('div', { class: 'check-row' },
        h('input', { id: `${base}-avail`, class: 'opt-available', type: 'checkbox', checked: option ? option.available : true }),
        h('label', { for: `${base}-avail` }, 'Available')),
      h('button', { type: 'button', class: 'ghost', 'aria-label': 'Remove this option', onclick: (e) => e.currentTarget.closest('li').remove() }, '✕'));
  };
  for (const option of group ? group.options : [null]) options.append(optionRow(option));
  const box = h('fieldset', { class: 'group' },
    h('legend', {}, group ? group.name : 'New option group'),
    h('div', { class: 'fields' },
      h('div', {}, h('label', { for: nameId }, 'Group name'), h('input', { id: nameId, maxlength: 100, value: group ? group.name : '' })),
      h('div', { class: 'narrow-field' }, h('label', { for: minId }, 'Choose at least'),
        h('input', { id: minId, type: 'number', min: 0, inputmode: 'numeric', value: String(group ? group.min_select : 0) })),
      h('div', { class: 'narrow-field' }, h('label', { for: maxId }, 'At most'),
        h('input', { id: maxId, type: 'number', min: 1, inputmode: 'numeric', value: String(group ? group.max_select : 1) }))),
    options,
    h('button', { type: 'button', onclick: () => options.append(optionRow(null)) }, 'Add option'),
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
          if (parsed.some((o) => o.price_delta === null)) return fail(new Error('Extra prices are numbers, e.g. 2000.'), error);
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
            toast('Option group saved.');
          }, error);
        },
      }, 'Save group'),
      h('button', {
        type: 'button',
        class: 'danger',
        onclick: (e) => {
          if (!group) return box.remove();
          if (!confirm(`Delete the option group ${group.name}?`)) return null;
          return busy(e.currentTarget, async () => {
            await staffApi(`/modifier-groups/${group.id}`, { method: 'DELETE' });
            replaceProduct(await staffApi(`/products/${product.id}`));
          }, error);
        },
      }, 'Delete group')));
  return box;
}

// ---- printers and their print jobs ---------------------------------------------------------

const KIND_TEXT = { RECEIPT: 'Receipts and bills', KITCHEN: 'Kitchen tickets' };
const JOB_TEXT = {
  KITCHEN_TICKET: 'Kitchen ticket', VOID_TICKET: 'Void ticket', BILL: 'Bill', RECEIPT: 'Receipt', TEST: 'Test page',
  DRAWER: 'Open drawer',
};
const JOB_STATUS_TEXT = { QUEUED: 'Queued', PRINTING: 'Printing', DONE: 'Done', FAILED: 'Failed' };

/** A printer's last status as a badge: OK green, UNKNOWN (never tried) grey, the rest red. */
function statusBadge(printer) {
  const tone = printer.status === 'OK' ? 'printer-ok' : printer.status === 'UNKNOWN' ? 'printer-unknown' : 'printer-bad';
  return h('span', {
    class: `status printer-status ${tone}`,
    title: printer.status_at ? `Since ${new Date(printer.status_at).toLocaleString()}` : 'Not tried yet',
  }, printer.status);
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
    KIND_TEXT[printer.kind] || printer.kind,
    printer.address,
    `${printer.paper_width_mm} mm`,
    printer.copies > 1 ? `${printer.copies} copies` : null,
    printer.kind === 'KITCHEN' ? (names.length ? names.join(', ') : 'every category') : null,
    printer.active ? null : 'switched off',
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
  h('legend', {}, 'Categories it prints'),
  h('p', { class: 'hint' }, 'None ticked: every category.'),
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
      toast('Printer saved.');
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
            toast(on ? `${printer.name} is on.` : `${printer.name} is off: its waiting jobs failed (retry them once it is back).`);
          });
          if (!ok) renderPrinters();
          loadJobs();
        },
      }),
      h('label', { for: id('active') }, printer.active ? 'Active' : 'Off')),
    h('button', { type: 'button', class: 'printer-test', onclick: (e) => testPrint(printer, e.currentTarget) }, 'Test print')),
  h('details', { open, dataset: { printerId: printer.id } },
    h('summary', {}, 'Edit'),
    h('div', { class: 'fields' },
      h('div', {}, h('label', { for: id('name') }, 'Name'), h('input', { id: id('name'), value: printer.name, maxlength: 100 })),
      h('div', {}, h('label', { for: id('kind') }, 'Prints'),
        h('select', {
          id: id('kind'),
          onchange: (e) => { categories.hidden = e.target.value !== 'KITCHEN' || !state.categories.length; },
        }, choices(['RECEIPT', 'KITCHEN'], printer.kind, (k) => `${KIND_TEXT[k]} (${k})`))),
      h('div', {}, h('label', { for: id('address') }, 'Address'),
        h('input', { id: id('address'), value: printer.address, maxlength: 255, autocapitalize: 'none', spellcheck: 'false', autocomplete: 'off' })),
      h('div', {}, h('label', { for: id('paper') }, 'Paper'),
        h('select', { id: id('paper') }, choices([80, 58], printer.paper_width_mm, (w) => `${w} mm`))),
      h('div', {}, h('label', { for: id('copies') }, 'Copies'),
        h('select', { id: id('copies') }, choices([1, 2, 3], printer.copies)))),
    categories,
    error,
    h('div', { class: 'button-row' },
      h('button', { type: 'button', class: 'primary', onclick: (e) => save(e.currentTarget) }, 'Save printer'),
      h('button', {
        type: 'button',
        class: 'danger',
        onclick: (e) => {
          if (!confirm(`Delete the printer ${printer.name}? Its print jobs go with it.`)) return;
          busy(e.currentTarget, async () => {
            await staffApi(`/printers/${printer.id}`, { method: 'DELETE' });
            await loadPrinters();
            toast(`Printer ${printer.name} deleted.`);
            loadJobs();
          }, error);
        },
      }, 'Delete printer'))));
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
  if (!body.name) return fail(new Error('Give the printer a name, e.g. Kasir or Bar.'), line);
  if (!body.address) return fail(new Error('Enter the printer\'s address, e.g. 192.168.1.50:9100.'), line);
  return busy($('new-printer-submit'), async () => {
    await staffApi(`/outlets/${state.outlet.id}/printers`, { method: 'POST', body });
    $('new-printer-name').value = '';
    $('new-printer-address').value = '';
    for (const box of $('new-printer-categories').querySelectorAll('input')) box.checked = false;
    await loadPrinters();
    toast(`Printer ${body.name} added: try Test print.`);
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
    $('job-list').replaceChildren(h('li', { class: 'hint error' }, `Could not read the print jobs: ${problemText(err)}`));
  }
}

function renderJobs() {
  const printerName = (id) => (state.printers.find((p) => p.id === id) || {}).name || 'a deleted printer';
  const when = (at) => new Date(at).toLocaleString([], { dateStyle: 'short', timeStyle: 'short' });
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
      h('strong', { class: 'job-kind' }, JOB_TEXT[job.kind] || job.kind, job.reprint ? (job.kind === 'RECEIPT' ? ' (copy)' : ' (again)') : ''),
      ' · ', h('span', { class: 'job-printer' }, printerName(job.printer_id))),
    h('span', { class: 'hint' },
      h('span', { class: 'job-created' }, when(job.created_at)), ' · ',
      h('span', { class: 'job-attempts' }, `${job.attempts} ${job.attempts === 1 ? 'attempt' : 'attempts'}`),
      job.printed_at ? ` · printed ${when(job.printed_at)}` : ''),
    job.last_error && job.status !== 'DONE' ? h('span', { class: 'job-error' }, job.last_error) : null),
  h('span', { class: `status job-status job-${job.status}` }, JOB_STATUS_TEXT[job.status] || job.status),
  job.status === 'FAILED'
    ? h('button', { type: 'button', class: 'job-retry', onclick: (e) => retryJob(job, e.currentTarget) }, 'Retry')
    : null)));
  if (!state.jobs.length) list.append(h('li', { class: 'hint' }, 'No print jobs here.'));
  if (focused) list.querySelector(`[data-job-id="${focused}"] button`)?.focus();
}

async function retryJob(job, button) {
  await busy(button, async () => {
    await staffApi(`/print-jobs/${job.id}/retry`, { method: 'POST' });
    toast('Sent to printer again.');
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
        h('span', { class: 'hint' }, [user.outlet_id ? outletName(user.outlet_id) : 'all outlets', user.active ? '' : 'deactivated'].filter(Boolean).join(' · '))),
      h('div', { class: 'row-fields' },
        h('div', { class: 'narrow-field' }, h('label', { for: roleId }, 'Role'),
          h('select', {
            id: roleId,
            disabled: self || !grantable().includes(user.role),
            onchange: (e) => busy(e.target, async () => {
              replaceUser(await staffApi(`/users/${user.id}`, { method: 'PATCH', body: { role: e.target.value } }));
              toast(`${user.username} is now ${e.target.value}.`);
            }),
          }, roles.map((r) => h('option', { value: r, selected: r === user.role }, r))))),
      pinField(user),
      self ? h('span', { class: 'hint' }, 'you') : h('button', {
        type: 'button',
        class: user.active ? 'danger' : '',
        onclick: (e) => busy(e.currentTarget, async () => {
          replaceUser(await staffApi(`/users/${user.id}`, { method: 'PATCH', body: { active: !user.active } }));
        }),
      }, user.active ? 'Deactivate' : 'Activate'));
  }));
}

/** Sets a person's PIN for the tablets' lock screen (4–8 digits). */
function pinField(user) {
  const id = `user-pin-${user.id}`;
  const input = h('input', {
    id, type: 'password', inputmode: 'numeric', autocomplete: 'new-password', maxlength: '8',
    placeholder: user.has_pin ? 'PIN set' : 'no PIN yet',
  });
  return h('div', { class: 'narrow-field user-pin' },
    h('label', { for: id }, 'Tablet PIN'),
    input,
    h('button', {
      type: 'button',
      class: 'set-pin',
      onclick: (e) => {
        if (!/^\d{4,8}$/.test(input.value)) {
          toast('A PIN is 4 to 8 digits.', 'error');
          return;
        }
        busy(e.currentTarget, async () => {
          await staffApi(`/users/${user.id}/pin`, { method: 'PUT', body: { pin: input.value } });
          input.value = '';
          replaceUser({ ...user, has_pin: true });
          toast(`PIN of ${user.username} saved.`);
        });
      },
    }, 'Set PIN'));
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
    toast(`Account ${body.username} created.`);
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
  const when = (at) => (at ? new Date(at).toLocaleString() : 'never');
  $('tablet-list').replaceChildren(...state.tablets.map((device) => {
    const status = device.revoked ? 'revoked' : device.locked ? 'locked: too many wrong PINs' : `last used ${when(device.last_seen_at)}`;
    return h('li', { class: `row${device.revoked ? ' inactive' : ''}`, dataset: { deviceId: device.id } },
      h('span', { class: 'row-main' }, h('strong', {}, device.name), ' ',
        h('span', { class: 'hint' }, [device.id === here ? 'this browser' : '', status].filter(Boolean).join(' · '))),
      device.locked && !device.revoked ? h('button', {
        type: 'button',
        class: 'unlock',
        onclick: (e) => busy(e.currentTarget, async () => {
          await staffApi(`/devices/${device.id}/unlock`, { method: 'POST' });
          await loadTablets();
          toast(`${device.name} unlocked.`);
        }),
      }, 'Unlock') : null,
      device.revoked ? null : h('button', {
        type: 'button',
        class: 'danger revoke',
        onclick: (e) => {
          if (!confirm(`Revoke ${device.name}? Whoever is signed in on it is signed out at once.`)) return;
          busy(e.currentTarget, async () => {
            await staffApi(`/devices/${device.id}`, { method: 'DELETE' });
            if (device.id === here) tablet.forget();
            await loadTablets();
          });
        },
      }, 'Revoke'));
  }));
}

async function enrolTablet(event) {
  event.preventDefault();
  const name = $('new-tablet-name').value.trim();
  if (!name) {
    fail(new Error('Give the tablet a name, e.g. Kasir depan.'), $('new-tablet-error'));
    return;
  }
  await busy($('new-tablet-submit'), async () => {
    const enrolled = await staffApi(`/outlets/${state.outlet.id}/devices`, { method: 'POST', body: { name } });
    $('new-tablet-name').value = '';
    $('tablet-enrolled-name').textContent = enrolled.device.name;
    $('tablet-secret').textContent = enrolled.device_secret;
    $('tablet-enrolled').hidden = false;
    $('tablet-use-here').onclick = () => {
      tablet.save({ id: enrolled.device.id, name: enrolled.device.name, secret: enrolled.device_secret });
      $('tablet-enrolled').hidden = true;
      renderTablets();
      toast(`This browser is now ${enrolled.device.name}: the cashier and kitchen pages open on its lock screen.`);
    };
    await loadTablets();
  }, $('new-tablet-error'));
}

// ---- shifts and the sales report -----------------------------------------------------------

async function loadShifts() {
  if (!state.outlet) return;
  try {
    const shifts = await staffAll(`/shifts?outlet_id=${state.outlet.id}`);
    const name = (id) => (state.users.find((u) => u.id === id) || {}).username || '—';
    const when = (at) => (at ? new Date(at).toLocaleString() : '—');
    const amount = (v) => (v === null || v === undefined ? '—' : money(v));
    shifts.sort((a, b) => Date.parse(b.opened_at) - Date.parse(a.opened_at));
    $('shift-table').replaceChildren(
      h('thead', {}, h('tr', {}, ['Cashier', 'Opened', 'Closed', 'Start', 'Expected', 'Counted', 'Difference']
        .map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, shifts.length ? shifts.map((s) => h('tr', { dataset: { shiftId: s.id } },
        h('td', {}, name(s.user_id)), h('td', {}, when(s.opened_at)), h('td', {}, s.status === 'OPEN' ? 'open' : when(s.closed_at)),
        h('td', { class: 'num' }, amount(s.start_cash)), h('td', { class: 'num' }, amount(s.expected_cash)),
        h('td', { class: 'num' }, amount(s.end_cash)),
        h('td', { class: `num${s.cash_difference < 0 ? ' negative' : ''}` }, amount(s.cash_difference))))
        : h('tr', {}, h('td', { colspan: 7 }, 'No shifts yet.'))),
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

function renderReport(report) {
  const cur = report.currency || currency();
  const m = (v) => formatMoney(v, cur);
  $('report').hidden = false;
  $('report-chart').replaceChildren(chart(report.rows, m));
  const t = report.totals;
  $('report-totals').textContent = `${report.from} – ${report.to}: ${t.orders} orders · gross ${m(t.gross_sales)} · refunds ${m(t.refunds)} · net ${m(t.net_sales)}`;
  $('report-table').replaceChildren(
    h('thead', {}, h('tr', {}, [report.group_by, 'Orders', 'Qty', 'Gross', 'Refunds', 'Net']
      .map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, report.rows.map((r) => h('tr', {},
      h('th', { scope: 'row' }, r.key), h('td', { class: 'num' }, String(r.orders)), h('td', { class: 'num' }, String(r.quantity)),
      h('td', { class: 'num' }, m(r.gross_sales)), h('td', { class: 'num' }, m(r.refunds)), h('td', { class: 'num' }, m(r.net_sales))))),
  );
}

/** Horizontal bars of net sales, one per row, drawn as SVG with DOM calls. */
function chart(rows, m) {
  if (!rows.length) return h('p', { class: 'hint' }, 'No sales in this period.');
  const barHeight = 22;
  const gap = 6;
  const labelWidth = 120;
  const width = 600;
  const max = Math.max(1, ...rows.map((r) => r.net_sales));
  const height = rows.length * (barHeight + gap);
  return svg('svg', {
    viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'bars',
    'aria-label': `Net sales: ${rows.map((r) => `${r.key} ${m(r.net_sales)}`).join(', ')}`,
  }, rows.map((r, i) => {
    const y = i * (barHeight + gap);
    const w = Math.max(0, (r.net_sales / max) * (width - labelWidth - 130));
    return svg('g', {},
      svg('text', { x: 0, y: y + barHeight * 0.7, class: 'bar-label' }, r.key.slice(0, 16)),
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

/** The audit log's actions, grouped as the filter lists them, with their readable labels. */
const ACTIVITY_GROUPS = [
  ['Signing in', [
    ['SIGN_IN', 'Signed in'], ['SIGN_IN_FAILED', 'Sign-in failed'],
    ['PIN_SIGN_IN', 'Signed in with PIN'], ['PIN_SIGN_IN_FAILED', 'Wrong PIN'],
  ]],
  ['Orders and money', [
    ['ORDER_VOIDED', 'Order voided'], ['ITEM_VOIDED', 'Item voided'], ['ITEM_COMPED', 'Item comped'],
    ['DISCOUNT_GIVEN', 'Discount given'], ['DISCOUNT_REMOVED', 'Discount removed'],
    ['PAYMENT_REFUNDED', 'Payment refunded'], ['DRAWER_OPENED', 'Drawer opened'],
    ['RECEIPT_REPRINTED', 'Receipt reprinted'], ['SHIFT_CLOSED', 'Shift closed'],
  ]],
  ['Menu and printers', [
    ['PRODUCT_CHANGED', 'Price or stock changed'],
    ['PRINTER_ADDED', 'Printer added'], ['PRINTER_CHANGED', 'Printer changed'], ['PRINTER_REMOVED', 'Printer removed'],
  ]],
  ['Staff and devices', [
    ['USER_CREATED', 'Account created'], ['USER_CHANGED', 'Account changed'], ['PIN_CHANGED', 'PIN changed'],
    ['DEVICE_ENROLLED', 'Device enrolled'], ['DEVICE_REVOKED', 'Device removed'], ['DEVICE_UNLOCKED', 'Device unlocked'],
  ]],
];
const ACTIVITY_TEXT = Object.fromEntries(ACTIVITY_GROUPS.flatMap(([, actions]) => actions));
/** A red edge for what needs a second look, amber for money and cash. */
const ACTIVITY_TONE = {
  SIGN_IN_FAILED: 'alert', PIN_SIGN_IN_FAILED: 'alert', ORDER_VOIDED: 'alert', ITEM_VOIDED: 'alert',
  PAYMENT_REFUNDED: 'alert', ITEM_COMPED: 'money', DISCOUNT_GIVEN: 'money', DISCOUNT_REMOVED: 'money',
  DRAWER_OPENED: 'money', SHIFT_CLOSED: 'money', PRODUCT_CHANGED: 'money',
};
const FAILED_SIGN_INS = ['SIGN_IN_FAILED', 'PIN_SIGN_IN_FAILED'];
const METHOD_TEXT = { CASH: 'cash', CARD: 'card', QRIS: 'QRIS', TRANSFER: 'transfer', OTHER: 'other' };
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
  $('activity-action').replaceChildren(h('option', { value: '' }, 'All actions'),
    ...ACTIVITY_GROUPS.map(([group, actions]) => h('optgroup', { label: group },
      actions.map(([value, text]) => h('option', { value }, text)))));
}

/** The person filter: everyone on the staff list, and anyone else the log has named (an
 *  owner is not on a manager's list). The choice stays. */
function renderActivityActors() {
  for (const user of state.users) activity.actors.set(user.id, user.username);
  const select = $('activity-actor');
  const chosen = select.value;
  const people = [...activity.actors].sort((a, b) => a[1].localeCompare(b[1]));
  select.replaceChildren(h('option', { value: '' }, 'Everyone'),
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
    fail(new Error('The From day is after the To day.'), line);
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
  if (!activity.items.length) list.replaceChildren(h('li', { class: 'hint' }, 'Nothing recorded for this choice.'));
  const n = activity.items.length;
  $('activity-count').textContent = n
    ? `${n} ${n === 1 ? 'entry' : 'entries'}${activity.cursor ? ' shown, more below' : ''}`
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
  const from = entry.client_address ? ` from ${entry.client_address}` : '';
  const reason = d.reason ? `: ${d.reason}` : '';
  const order = d.number !== undefined && d.number !== null ? `order #${d.number}` : 'an order';
  const name = (id) => (id && activity.actors.get(id)) || null;
  const outletName = (id) => (state.outlets.find((o) => o.id === id) || {}).name || null;
  switch (entry.action) {
    case 'SIGN_IN': return `Signed in${from}`;
    case 'SIGN_IN_FAILED':
      return `Refused${from}${entry.actor_id ? ': wrong password, or the account is off' : ': no account has this name'}`;
    case 'PIN_SIGN_IN': return `With a PIN on ${d.device || 'a device'}${from}`;
    case 'PIN_SIGN_IN_FAILED':
      return `Wrong PIN on ${d.device || 'a device'}${from}${entry.actor_id ? '' : ': no account has this name'}`;
    case 'ORDER_VOIDED': return `Voided ${order} (${m(d.total_amount)})${reason}`;
    case 'ITEM_VOIDED':
    case 'ITEM_COMPED': {
      const verb = entry.action === 'ITEM_VOIDED' ? 'Voided' : 'Comped';
      return `${verb} ${d.quantity || ''} × on ${order} (${m(d.amount)})${reason}`;
    }
    case 'DISCOUNT_GIVEN':
      return `Discount of ${m(d.amount)} on ${d.item_id ? `an item of ${order}` : order}${reason}`;
    case 'DISCOUNT_REMOVED':
      // The removal's amount is the discount's, negated.
      return `Discount of ${m(Math.abs(Number(d.amount) || 0))} taken off ${d.item_id ? `an item of ${order}` : order}${reason}`;
    case 'PAYMENT_REFUNDED':
      return `Refunded ${m(d.amount)}${d.method ? ` ${METHOD_TEXT[d.method] || d.method}` : ''}${reason}`;
    case 'DRAWER_OPENED':
      return `Drawer opened${d.printer ? ` at ${d.printer}` : ''}${d.sale === false ? ', no sale' : ''}`;
    case 'RECEIPT_REPRINTED': return `Copy of a receipt${d.printer ? ` on ${d.printer}` : ''}`;
    case 'SHIFT_CLOSED': {
      const whose = d.cashier_id && d.cashier_id !== entry.actor_id ? ` (${name(d.cashier_id) || 'another cashier'}'s)` : '';
      return `Shift closed${whose}: expected ${m(d.expected_cash)}, counted ${m(d.end_cash)}, difference ${m(d.cash_difference, { signed: true })}`;
    }
    case 'PRODUCT_CHANGED': {
      const changes = [];
      const [oldPrice, newPrice] = Array.isArray(d.price) ? d.price : [];
      const [was, now] = Array.isArray(d.available) ? d.available : [];
      if (oldPrice !== newPrice) changes.push(`Price ${m(oldPrice)} → ${m(newPrice)}`);
      if (was !== now) changes.push(now ? 'Back on sale' : 'Sold out');
      return [d.name, changes.join(', ') || 'changed'].filter(Boolean).join(': ');
    }
    case 'PRINTER_ADDED':
    case 'PRINTER_CHANGED':
    case 'PRINTER_REMOVED': {
      const about = [
        KIND_TEXT[d.kind] || d.kind,
        d.address,
        d.paper_width_mm ? `${d.paper_width_mm} mm` : null,
        d.copies > 1 ? `${d.copies} copies` : null,
        d.active === false && entry.action !== 'PRINTER_REMOVED' ? 'switched off' : null,
      ].filter(Boolean).join(' · ');
      return `${d.name || 'A printer'}${about ? ` (${about})` : ''}`;
    }
    case 'USER_CREATED':
    case 'USER_CHANGED': {
      const where = d.outlet_id ? outletName(d.outlet_id) : d.role === 'OWNER' ? 'all outlets' : null;
      const parts = [d.role, where ? `at ${where}` : null];
      if (entry.action === 'USER_CHANGED') {
        parts.push(d.active === false ? 'deactivated' : 'active');
        if (d.password_changed) parts.push('new password');
      }
      return `${d.username || 'An account'}: ${parts.filter(Boolean).join(', ')}`;
    }
    case 'PIN_CHANGED': return `PIN set for ${d.username || 'an account'}`;
    case 'DEVICE_ENROLLED': return `${d.name || 'A device'} may now take PIN sign-ins`;
    case 'DEVICE_REVOKED': return `${d.name || 'A device'} no longer signs anyone in`;
    case 'DEVICE_UNLOCKED': return `${d.name || 'A device'} unlocked after wrong PINs`;
    default: {
      const shown = Object.entries(d).map(([k, v]) => `${k} ${typeof v === 'object' ? JSON.stringify(v) : v}`);
      return shown.join(', ') || (entry.object_type ? `${entry.object_type} ${entry.object_id || ''}`.trim() : '');
    }
  }
}

function activityRow(entry) {
  const at = new Date(entry.at);
  // The server names the approver (`approved_by_name`); older rows fall back to the staff list.
  const approver = entry.approved_by
    ? entry.approved_by_name || activity.actors.get(entry.approved_by) || 'a manager'
    : null;
  const outlet = activityAllOutlets()
    ? (state.outlets.find((o) => o.id === entry.outlet_id) || {}).name || (entry.outlet_id ? 'another outlet' : 'not at an outlet')
    : null;
  const tone = ACTIVITY_TONE[entry.action];
  return h('li', {
    class: `row activity-row${tone ? ` activity-${tone}` : ''}`,
    tabindex: '-1',
    dataset: { id: entry.id, action: entry.action },
  },
  h('div', { class: 'row-main' },
    h('div', { class: 'activity-head' },
      h('strong', { class: 'activity-label' }, ACTIVITY_TEXT[entry.action] || entry.action),
      // A failed sign-in names whom someone tried to sign in as.
      h('span', { class: 'activity-by' }, FAILED_SIGN_INS.includes(entry.action) ? 'as ' : 'by ',
        h('span', { class: 'activity-actor' }, entry.actor_name || '—')),
      h('time', { class: 'activity-when', datetime: entry.at, title: at.toLocaleString() },
        at.toLocaleString([], { dateStyle: 'short', timeStyle: 'short' }))),
    h('span', { class: 'activity-summary' }, activitySummary(entry)),
    approver || outlet
      ? h('span', { class: 'hint' }, [outlet, approver ? `approved by ${approver}` : null].filter(Boolean).join(' · '))
      : null));
}

/** Every page of the filters chosen as one CSV file. The CSV of a page has no ids, so the
 *  JSON of the same page says where the next one starts (read after it: a row added in
 *  between is then at worst listed twice, never missed). */
async function downloadActivity() {
  const line = $('activity-error');
  const range = activityRange();
  if (!range) {
    fail(new Error('The From day is after the To day.'), line);
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
    toast(cursor ? `Downloaded the newest ${MAX_PAGES * 200} entries: choose days for older ones.` : 'Activity downloaded.');
  }, line);
}

// ---- page setup ----------------------------------------------------------------------------

async function loadOutletData() {
  if (!state.outlet) return;
  try {
    $('tablet-enrolled').hidden = true; // a secret belongs to the outlet it was made at
    await Promise.all([loadTables(), loadMenu(), loadPrinters(), loadTablets()]);
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
  $('new-user-role').replaceChildren(...grantable().map((r) => h('option', { value: r, selected: r === 'KASIR' }, r)));
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
  window.addEventListener('afterprint', () => { delete document.body.dataset.print; });
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
