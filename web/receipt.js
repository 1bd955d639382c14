// `/r/<token>`: a paid order's digital receipt, public (the token in the address is its key):
// what the printed receipt says, on a phone, with a Print button for 58 or 80 mm paper.
import { api, formatMoney, h, problemText } from './app.js';
import { loadLanguage, locale, mountLanguageSwitch, t } from './i18n.js';

const token = decodeURIComponent(location.pathname.split('/')[2] || '');
const PAPER_KEY = 'kedai.receipt.paper';
const METHODS = ['CASH', 'QRIS', 'CARD', 'TRANSFER', 'OTHER'];

const $ = (id) => document.getElementById(id);
const money = (amount) => formatMoney(amount, 'IDR');
/** Basis points as the receipt prints them: `1000` → `10%`, `1150` → `11.5%` (`11,5%`). */
const percent = (bp) => `${(Number(bp || 0) / 100).toLocaleString(locale())}%`;

function view(name) {
  document.body.dataset.view = name;
  $('receipt-loading').hidden = name !== 'loading';
  $('receipt-message').hidden = name !== 'message';
  $('receipt-main').hidden = name !== 'receipt';
}

function showMessage(title, text, retry = false) {
  $('receipt-message-title').textContent = title;
  $('receipt-message-text').textContent = text;
  $('receipt-retry').hidden = !retry;
  view('message');
}

/** A label and an amount on one line (`id` on the amount, for tests and styles). */
function row(label, value, { id, kind } = {}) {
  return [
    h('dt', { class: kind || undefined }, label),
    h('dd', { id, class: kind || undefined }, value),
  ];
}

/** One line: the name, its options, `qty x price` with the total on the right; comped
 *  dishes "Gratis"; the line's discount. */
function line(l) {
  const each = money(l.unit_price);
  return h('li', { class: `receipt-line${l.quantity ? '' : ' all-comped'}` },
    h('span', { class: 'receipt-line-name' }, l.name),
    l.options.length ? h('span', { class: 'receipt-line-options' }, l.options.join(', ')) : null,
    l.quantity > 0 || !l.comped
      ? h('span', { class: 'receipt-line-row' },
        h('span', { class: 'receipt-qty' }, `${l.quantity} x ${each}`),
        h('span', { class: 'receipt-amount' }, money(l.total)))
      : null,
    l.comped > 0
      ? h('span', { class: 'receipt-line-row receipt-comped' },
        h('span', { class: 'receipt-qty' }, `${l.comped} x ${each}`),
        h('span', { class: 'receipt-amount' }, t('receipt.comped')))
      : null,
    l.discount
      ? h('span', { class: 'receipt-line-row receipt-discount' },
        h('span', { class: 'receipt-qty' }, t('receipt.discount')),
        h('span', { class: 'receipt-amount' }, money(-l.discount)))
      : null);
}

function render(r) {
  document.title = t('receipt.title_of', { outlet: r.outlet_name });
  $('receipt-outlet').textContent = r.outlet_name;
  $('receipt-address').textContent = r.outlet_address || '';
  $('receipt-address').hidden = !(r.outlet_address || '').trim();

  const numbers = (r.numbers || []).map((n) => `#${n}`).join(', ');
  $('receipt-meta').replaceChildren(...[
    // The table's name (or takeaway) with the order numbers, as on the printed receipt.
    [h('dt', { id: 'receipt-table', class: 'receipt-where' }, r.table || t('receipt.takeaway')), h('dd', { id: 'receipt-numbers' }, numbers)],
    row(t('receipt.date'), r.at, { id: 'receipt-at' }),
    r.cashier ? row(t('receipt.cashier'), r.cashier, { id: 'receipt-cashier' }) : null,
  ].filter(Boolean).flat());

  $('receipt-lines').replaceChildren(...r.lines.map(line));

  const lineDiscounts = r.lines.reduce((sum, l) => sum + (l.discount || 0), 0);
  $('receipt-totals').replaceChildren(...[
    row(t('receipt.subtotal'), money(r.subtotal), { id: 'receipt-subtotal' }),
    lineDiscounts ? row(t('receipt.item_discounts'), money(-lineDiscounts), { kind: 'r-discount' }) : null,
    ...r.discounts.map((d) => row(
      (d.label || '').trim() ? t('receipt.discount_named', { label: d.label.trim() }) : t('receipt.discount'),
      money(-d.amount), { kind: 'r-discount' },
    )),
    row(r.service_charge_bp ? t('receipt.service_pct', { pct: percent(r.service_charge_bp) }) : t('receipt.service'), money(r.service_charge), { id: 'receipt-service' }),
    row(r.tax_bp ? t('receipt.tax_pct', { pct: percent(r.tax_bp) }) : t('receipt.tax'), money(r.tax), { id: 'receipt-tax' }),
    row(t('receipt.total'), money(r.total), { id: 'receipt-total', kind: 'r-total' }),
  ].filter(Boolean).flat());

  // One payment: "Paid (Cash)" with the cash received; several: each, then what they make.
  const change = r.payments.reduce((sum, p) => sum + (p.change || 0), 0);
  const single = r.payments.length === 1 ? r.payments[0] : null;
  const method = (p) => (METHODS.includes(p.method) ? t(`receipt.method.${p.method}`) : p.method);
  $('receipt-payments').replaceChildren(...[
    single ? null : r.payments.map((p) => [
      row(method(p), money(p.amount), { kind: 'r-payment' }),
      p.tendered ? row(t('receipt.received'), money(p.tendered), { kind: 'r-tender' }) : null,
      p.change ? row(t('receipt.change'), money(p.change), { kind: 'r-tender' }) : null,
    ]),
    row(single ? t('receipt.paid_by', { method: method(single) }) : t('receipt.paid'), money(r.paid), { id: 'receipt-paid' }),
    single && single.tendered ? row(t('receipt.received'), money(single.tendered), { kind: 'r-tender' }) : null,
    row(t('receipt.change'), money(change), { id: 'receipt-change', kind: 'r-change' }),
    r.outstanding > 0 ? row(t('receipt.outstanding'), money(r.outstanding), { id: 'receipt-outstanding', kind: 'r-total' }) : null,
  ].flat(Infinity).filter(Boolean));

  $('receipt-footer').textContent = r.footer || '';
  $('receipt-footer').hidden = !(r.footer || '').trim();
  view('receipt');
}

async function load() {
  view('loading');
  if (!token) {
    showMessage(t('receipt.none_title'), t('receipt.none_text'));
    return;
  }
  try {
    render(await api(`/receipts/${encodeURIComponent(token)}`));
  } catch (err) {
    if (err.status === 404 || err.status === 400) {
      showMessage(t('receipt.not_found_title'), t('receipt.not_found_text'));
    } else if (err.status === 429) {
      showMessage(t('receipt.wait_title'), problemText(err), true);
    } else {
      showMessage(t('receipt.failed_title'),
        err.status === 0 ? t('receipt.offline_text') : t('receipt.failed_text', { detail: problemText(err) }),
        true);
    }
  }
}

/** 58 or 80 mm: how wide the receipt prints (remembered on this device). */
function setPaper(width) {
  const paper = width === '58' ? '58' : '80';
  document.body.dataset.paper = paper;
  localStorage.setItem(PAPER_KEY, paper);
  for (const button of $('receipt-paper').querySelectorAll('button')) {
    button.setAttribute('aria-pressed', String(button.dataset.paper === paper));
  }
}

for (const button of $('receipt-paper').querySelectorAll('button')) {
  button.addEventListener('click', () => setPaper(button.dataset.paper));
}
setPaper(localStorage.getItem(PAPER_KEY) || '80');
$('receipt-print').addEventListener('click', () => window.print());
$('receipt-retry').addEventListener('click', load);
// The words first, so nothing shows in the wrong language.
loadLanguage().then(() => {
  mountLanguageSwitch();
  load();
});
