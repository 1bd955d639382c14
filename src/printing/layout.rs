//! What a printout says, independent of the printer: documents made of blocks, the layouts of
//! the kitchen ticket, the bill and receipt and the test page, and the plain-text rendering.
//! `Block::lines` is the one wrapping both renderings print.

use unicode_normalization::UnicodeNormalization;

use super::escpos::transliterate;

/// Where a text block's lines sit on the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// How big a text block prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Normal,
    /// Double width and height: half the columns.
    Double,
}

/// One piece of a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Wraps at word boundaries to the columns (halved for `Double`). Leading spaces indent
    /// every wrapped line.
    Text {
        text: String,
        align: Align,
        bold: bool,
        size: Size,
    },
    /// Left text and a right-aligned amount on one line; when they do not fit, the left text
    /// wraps and the right goes on its last line (or one of its own), right-aligned.
    Row {
        left: String,
        right: String,
        bold: bool,
    },
    /// A full line of `-`.
    Rule,
    /// Blank lines.
    Feed(u8),
    /// A QR code of a URL; the text rendering prints the URL instead.
    Qr(String),
}

/// A printout: its blocks, then whether to cut the paper and open the cash drawer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub blocks: Vec<Block>,
    pub cut: bool,
    pub kick_drawer: bool,
}

/// Paper roll width, in characters of the printer's normal font.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paper {
    pub columns: usize,
}

impl Paper {
    /// 58 mm roll.
    pub const NARROW: Paper = Paper { columns: 32 };
    /// 80 mm roll.
    pub const WIDE: Paper = Paper { columns: 48 };

    /// The paper of a roll `mm` wide: 80 mm rolls are wide, anything narrower is 58 mm.
    pub fn from_width_mm(mm: u32) -> Paper {
        if mm >= 76 {
            Paper::WIDE
        } else {
            Paper::NARROW
        }
    }
}

impl Block {
    /// The lines this block prints, without the padding its alignment adds; both renderings
    /// print exactly these. Widths count characters as the printer gets them (transliterated).
    pub fn lines(&self, paper: Paper) -> Vec<String> {
        let columns = paper.columns.max(1);
        match self {
            Block::Text { text, size, .. } => wrap(text, width_of(*size, columns)),
            Block::Row { left, right, .. } => row(left, right, columns),
            Block::Rule => vec!["-".repeat(columns)],
            Block::Feed(n) => vec![String::new(); usize::from(*n)],
            Block::Qr(url) => wrap(url, columns),
        }
    }
}

impl Document {
    /// Plain text with the printout's line breaks, `\n` after every line.
    pub fn to_text(&self, paper: Paper) -> String {
        let columns = paper.columns.max(1);
        let mut out = String::new();
        for block in &self.blocks {
            let align = match block {
                Block::Text { align, .. } => *align,
                Block::Qr(_) => Align::Center,
                _ => Align::Left,
            };
            for line in block.lines(paper) {
                let room = columns.saturating_sub(width(&line));
                let pad = match align {
                    Align::Left => 0,
                    Align::Center => room / 2,
                    Align::Right => room,
                };
                if !line.is_empty() {
                    out.push_str(&" ".repeat(pad));
                    out.push_str(&line);
                }
                out.push('\n');
            }
        }
        out
    }
}

fn width_of(size: Size, columns: usize) -> usize {
    match size {
        Size::Normal => columns,
        Size::Double => (columns / 2).max(1),
    }
}

/// Printed width: what the printer gets, after transliteration.
fn width(text: &str) -> usize {
    transliterate(text).len()
}

/// `text` in lines of at most `columns`: as it is when it fits, otherwise broken at spaces
/// (and inside words longer than a line). Leading spaces indent every line.
fn wrap(text: &str, columns: usize) -> Vec<String> {
    // Control characters would break lines of their own in the text rendering.
    let text: String = text
        .nfc()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.trim_end();
    if width(text) <= columns {
        return vec![text.to_string()];
    }
    let body = text.trim_start_matches(' ');
    let mut indent = " ".repeat(text.len() - body.len());
    if indent.len() * 2 > columns {
        indent.clear();
    }
    let room = columns - indent.len();
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in body.split_whitespace() {
        let joined = width(&line) + usize::from(!line.is_empty()) + width(word);
        if joined <= room {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        for c in word.chars() {
            if !line.is_empty() && width(&line) + width(c.encode_utf8(&mut [0; 4])) > room {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines.into_iter().map(|l| format!("{indent}{l}")).collect()
}

fn row(left: &str, right: &str, columns: usize) -> Vec<String> {
    let right = right.trim();
    let mut lines = wrap(left, columns);
    if right.is_empty() {
        return lines;
    }
    let right_width = width(right);
    let fits_on_last = lines
        .last()
        .is_some_and(|last| width(last) + 1 + right_width <= columns);
    if !fits_on_last {
        lines.push(String::new());
    }
    if let Some(last) = lines.last_mut() {
        let pad = columns.saturating_sub(width(last) + right_width);
        last.push_str(&" ".repeat(pad));
        last.push_str(right);
    }
    lines
}

/// `Rp50.000`, `-Rp5.000`, `Rp0`.
pub fn rupiah(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut grouped = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push('.');
        }
        grouped.push(digit);
    }
    let sign = if amount < 0 { "-" } else { "" };
    format!("{sign}Rp{grouped}")
}

/// Basis points as a percentage the Indonesian way: 500 → `5%`, 550 → `5,5%`, 125 → `1,25%`.
pub fn percent(bp: i32) -> String {
    let sign = if bp < 0 { "-" } else { "" };
    let bp = bp.unsigned_abs();
    let (whole, hundredths) = (bp / 100, bp % 100);
    match hundredths {
        0 => format!("{sign}{whole}%"),
        h if h % 10 == 0 => format!("{sign}{whole},{}%", h / 10),
        h => format!("{sign}{whole},{h:02}%"),
    }
}

/// Every fixed word a layout prints, in one language.
#[derive(Debug, PartialEq, Eq)]
pub struct Labels {
    pub order: &'static str,
    pub takeaway: &'static str,
    /// Who ordered, when a guest did from the table's QR code.
    pub guest: &'static str,
    pub void: &'static str,
    pub reprint: &'static str,
    pub by: &'static str,
    pub note: &'static str,
    pub bill: &'static str,
    pub receipt: &'static str,
    pub copy: &'static str,
    pub time: &'static str,
    pub cashier: &'static str,
    pub comped: &'static str,
    pub discount: &'static str,
    pub line_discounts: &'static str,
    pub subtotal: &'static str,
    pub service: &'static str,
    pub tax: &'static str,
    pub total: &'static str,
    pub paid: &'static str,
    pub change: &'static str,
    pub outstanding: &'static str,
    pub cash: &'static str,
    pub qris: &'static str,
    pub card: &'static str,
    pub transfer: &'static str,
    pub other: &'static str,
    pub test_page: &'static str,
    pub printer: &'static str,
    pub address: &'static str,
    pub columns: &'static str,
    pub characters: &'static str,
    pub test_ok: &'static str,
}

/// English.
pub const EN: Labels = Labels {
    order: "Order",
    takeaway: "Takeaway",
    guest: "Guest (QR)",
    void: "VOID",
    reprint: "REPRINT",
    by: "By",
    note: "Note",
    bill: "BILL",
    receipt: "RECEIPT",
    copy: "COPY",
    time: "Time",
    cashier: "Cashier",
    comped: "Complimentary",
    discount: "Discount",
    line_discounts: "Item discounts",
    subtotal: "Subtotal",
    service: "Service",
    tax: "Tax",
    total: "Total",
    paid: "Paid",
    change: "Change",
    outstanding: "Outstanding",
    cash: "Cash",
    qris: "QRIS",
    card: "Card",
    transfer: "Transfer",
    other: "Other",
    test_page: "PRINTER TEST",
    printer: "Printer",
    address: "Address",
    columns: "Columns",
    characters: "Characters",
    test_ok: "If you can read this, the printer works.",
};

/// Bahasa Indonesia, as restaurant staff say it.
pub const ID: Labels = Labels {
    order: "Pesanan",
    takeaway: "Dibawa pulang",
    guest: "Tamu (QR)",
    void: "BATAL",
    reprint: "CETAK ULANG",
    by: "Oleh",
    note: "Catatan",
    bill: "TAGIHAN",
    receipt: "STRUK",
    copy: "SALINAN",
    time: "Waktu",
    cashier: "Kasir",
    comped: "Gratis",
    discount: "Diskon",
    line_discounts: "Diskon item",
    subtotal: "Subtotal",
    service: "Layanan",
    tax: "Pajak",
    total: "Total",
    paid: "Bayar",
    change: "Kembalian",
    outstanding: "Sisa",
    cash: "Tunai",
    qris: "QRIS",
    card: "Kartu",
    transfer: "Transfer",
    other: "Lainnya",
    test_page: "TES PRINTER",
    printer: "Printer",
    address: "Alamat",
    columns: "Kolom",
    characters: "Karakter",
    test_ok: "Jika tulisan ini terbaca, printer siap dipakai.",
};

impl Labels {
    /// `en` for English; anything else is Bahasa Indonesia.
    pub fn for_language(language: &str) -> &'static Labels {
        if language.eq_ignore_ascii_case("en") {
            &EN
        } else {
            &ID
        }
    }

    /// The word for a payment method (`CASH`, `QRIS`, `CARD`, `TRANSFER`, `OTHER`); an unknown
    /// method prints as it is.
    pub fn method<'a>(&'a self, method: &'a str) -> &'a str {
        match method {
            "CASH" => self.cash,
            "QRIS" => self.qris,
            "CARD" => self.card,
            "TRANSFER" => self.transfer,
            "OTHER" => self.other,
            other => other,
        }
    }
}

fn text(text: impl Into<String>, align: Align, bold: bool, size: Size) -> Block {
    Block::Text {
        text: text.into(),
        align,
        bold,
        size,
    }
}

fn plain(line: impl Into<String>) -> Block {
    text(line, Align::Left, false, Size::Normal)
}

fn row_of(left: impl Into<String>, right: impl Into<String>) -> Block {
    Block::Row {
        left: left.into(),
        right: right.into(),
        bold: false,
    }
}

/// A kitchen ticket: an order (or what was voided of it) for one station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitchenTicket {
    pub void: bool,
    pub reprint: bool,
    pub station: Option<String>,
    pub number: i64,
    /// `None`: takeaway.
    pub table: Option<String>,
    /// Local time, already formatted.
    pub at: String,
    /// Staff name, or the guest's label for a QR order.
    pub by: String,
    pub lines: Vec<KitchenLine>,
    pub note: Option<String>,
}

/// One dish on a kitchen ticket; on a void ticket `quantity` is what was voided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KitchenLine {
    pub quantity: i32,
    pub name: String,
    pub options: Vec<String>,
    pub note: Option<String>,
}

/// The kitchen ticket's layout.
pub fn kitchen_ticket(t: &KitchenTicket, labels: &Labels) -> Document {
    let mut blocks = Vec::new();
    let banner = |blocks: &mut Vec<Block>, word: &str| {
        blocks.push(text(word, Align::Center, true, Size::Double));
    };
    if t.void {
        banner(&mut blocks, labels.void);
    }
    if t.reprint {
        banner(&mut blocks, labels.reprint);
    }
    let place = t.table.as_deref().unwrap_or(labels.takeaway);
    blocks.push(text(
        format!("#{}  {place}", t.number),
        Align::Left,
        true,
        Size::Double,
    ));
    if let Some(station) = &t.station {
        blocks.push(text(station, Align::Left, true, Size::Normal));
    }
    blocks.push(plain(&t.at));
    blocks.push(plain(format!("{}: {}", labels.by, t.by)));
    blocks.push(Block::Rule);
    for line in &t.lines {
        blocks.push(text(
            format!("{}x {}", line.quantity, line.name),
            Align::Left,
            true,
            Size::Normal,
        ));
        blocks.extend(line.options.iter().map(|o| plain(format!("  {o}"))));
        if let Some(note) = &line.note {
            blocks.push(plain(format!("  \"{note}\"")));
        }
    }
    if let Some(note) = &t.note {
        blocks.push(Block::Rule);
        blocks.push(text(
            format!("{}: {note}", labels.note),
            Align::Left,
            true,
            Size::Normal,
        ));
    }
    if t.void {
        blocks.push(Block::Rule);
        banner(&mut blocks, labels.void);
    }
    Document {
        blocks,
        cut: true,
        kick_drawer: false,
    }
}

/// Which paper a receipt layout prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptKind {
    /// Before payment: what is owed.
    Bill,
    /// After payment: what was paid.
    Receipt,
}

/// A bill or receipt: one order or every order of a table. Money in Rupiah.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub kind: ReceiptKind,
    pub copy: bool,
    pub outlet_name: String,
    pub outlet_address: String,
    /// `None`: takeaway.
    pub table: Option<String>,
    pub numbers: Vec<i64>,
    /// Local time, already formatted.
    pub at: String,
    pub cashier: Option<String>,
    pub lines: Vec<ReceiptLine>,
    /// Order-level discounts; line discounts are on their lines.
    pub discounts: Vec<ReceiptDiscount>,
    /// Before any discount.
    pub subtotal: i64,
    /// Line and order discounts together.
    pub discount_total: i64,
    pub service_charge_bp: i32,
    pub service_charge: i64,
    pub tax_bp: i32,
    pub tax: i64,
    pub total: i64,
    pub payments: Vec<ReceiptPayment>,
    pub paid: i64,
    pub outstanding: i64,
    pub footer: Option<String>,
    pub qr_url: Option<String>,
    pub kick_drawer: bool,
}

/// One line of a bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptLine {
    /// What is charged for.
    pub quantity: i32,
    pub name: String,
    /// Including options.
    pub unit_price: i64,
    pub options: Vec<String>,
    /// `unit_price × quantity`, before the line's discount.
    pub total: i64,
    /// Made and given away at no charge.
    pub comped: i32,
    /// This line's discount, 0 if none.
    pub discount: i64,
}

/// An order-level discount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptDiscount {
    /// E.g. `10%` or `Rp5.000`, and the reason.
    pub label: String,
    pub amount: i64,
}

/// One payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptPayment {
    /// `CASH`, `QRIS`, `CARD`, `TRANSFER` or `OTHER`.
    pub method: String,
    pub amount: i64,
    /// Cash handed over, when it was more than the amount.
    pub tendered: Option<i64>,
    pub change: i64,
}

/// The bill's and the receipt's layout.
pub fn receipt(r: &Receipt, labels: &Labels) -> Document {
    let mut blocks = vec![text(&r.outlet_name, Align::Center, true, Size::Double)];
    if !r.outlet_address.trim().is_empty() {
        blocks.push(text(&r.outlet_address, Align::Center, false, Size::Normal));
    }
    blocks.push(Block::Feed(1));
    let title = match r.kind {
        ReceiptKind::Bill => labels.bill,
        ReceiptKind::Receipt => labels.receipt,
    };
    blocks.push(text(title, Align::Center, true, Size::Normal));
    if r.copy {
        blocks.push(text(labels.copy, Align::Center, true, Size::Normal));
    }
    blocks.push(plain(r.table.as_deref().unwrap_or(labels.takeaway)));
    if !r.numbers.is_empty() {
        let numbers: Vec<String> = r.numbers.iter().map(|n| format!("#{n}")).collect();
        blocks.push(row_of(labels.order, numbers.join(", ")));
    }
    blocks.push(row_of(labels.time, &r.at));
    if let Some(cashier) = &r.cashier {
        blocks.push(row_of(labels.cashier, cashier));
    }
    blocks.push(Block::Rule);

    for line in &r.lines {
        blocks.push(plain(&line.name));
        blocks.extend(line.options.iter().map(|o| plain(format!("  {o}"))));
        let each = rupiah(line.unit_price);
        if line.quantity > 0 || line.comped == 0 {
            blocks.push(row_of(
                format!("  {} x {each}", line.quantity),
                rupiah(line.total),
            ));
        }
        if line.comped > 0 {
            blocks.push(row_of(format!("  {} x {each}", line.comped), labels.comped));
        }
        if line.discount != 0 {
            blocks.push(row_of(
                format!("  {}", labels.discount),
                rupiah(-line.discount),
            ));
        }
    }
    blocks.push(Block::Rule);

    blocks.push(row_of(labels.subtotal, rupiah(r.subtotal)));
    let line_discounts: i64 = r.lines.iter().map(|l| l.discount).sum();
    if line_discounts != 0 {
        blocks.push(row_of(labels.line_discounts, rupiah(-line_discounts)));
    }
    for discount in &r.discounts {
        blocks.push(row_of(
            format!("{} {}", labels.discount, discount.label),
            rupiah(-discount.amount),
        ));
    }
    if r.service_charge_bp != 0 || r.service_charge != 0 {
        blocks.push(row_of(
            format!("{} {}", labels.service, percent(r.service_charge_bp)),
            rupiah(r.service_charge),
        ));
    }
    if r.tax_bp != 0 || r.tax != 0 {
        blocks.push(row_of(
            format!("{} {}", labels.tax, percent(r.tax_bp)),
            rupiah(r.tax),
        ));
    }
    blocks.push(Block::Row {
        left: labels.total.into(),
        right: rupiah(r.total),
        bold: true,
    });

    if !r.payments.is_empty() {
        blocks.push(Block::Rule);
        for payment in &r.payments {
            blocks.push(row_of(
                labels.method(&payment.method),
                rupiah(payment.tendered.unwrap_or(payment.amount)),
            ));
            if payment.change != 0 {
                blocks.push(row_of(labels.change, rupiah(payment.change)));
            }
        }
        if r.outstanding > 0 {
            blocks.push(row_of(labels.paid, rupiah(r.paid)));
            blocks.push(Block::Row {
                left: labels.outstanding.into(),
                right: rupiah(r.outstanding),
                bold: true,
            });
        }
    }

    if let Some(footer) = &r.footer {
        blocks.push(Block::Feed(1));
        blocks.push(text(footer, Align::Center, false, Size::Normal));
    }
    if let Some(url) = &r.qr_url {
        blocks.push(Block::Feed(1));
        blocks.push(Block::Qr(url.clone()));
    }
    blocks.push(Block::Feed(2));
    Document {
        blocks,
        cut: true,
        kick_drawer: r.kick_drawer,
    }
}

/// A page to check a printer: who it is, its width, and how it prints text.
pub fn test_page(
    printer_name: &str,
    address: &str,
    paper: Paper,
    at: &str,
    labels: &Labels,
) -> Document {
    let ruler: String = "1234567890".chars().cycle().take(paper.columns).collect();
    let blocks = vec![
        text(labels.test_page, Align::Center, true, Size::Double),
        Block::Feed(1),
        row_of(labels.printer, printer_name),
        row_of(labels.address, address),
        row_of(labels.columns, paper.columns.to_string()),
        row_of(labels.time, at),
        Block::Rule,
        plain(ruler),
        Block::Rule,
        text(labels.characters, Align::Left, true, Size::Normal),
        plain("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
        plain("abcdefghijklmnopqrstuvwxyz"),
        plain("0123456789 !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
        plain("Café – naïve “quoted” 2×3 …"),
        text("Bold", Align::Left, true, Size::Normal),
        text("Double", Align::Left, false, Size::Double),
        Block::Rule,
        text(labels.test_ok, Align::Center, false, Size::Normal),
        Block::Feed(2),
    ];
    Document {
        blocks,
        cut: true,
        kick_drawer: false,
    }
}

/// Opens the cash drawer: nothing printed, no cut.
pub fn drawer_kick() -> Document {
    Document {
        blocks: Vec::new(),
        cut: false,
        kick_drawer: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(block: Block, columns: usize) -> Vec<String> {
        block.lines(Paper { columns })
    }

    #[test]
    fn paper_widths() {
        assert_eq!(Paper::from_width_mm(58), Paper { columns: 32 });
        assert_eq!(Paper::from_width_mm(80), Paper { columns: 48 });
    }

    #[test]
    fn a_long_name_wraps_at_word_boundaries() {
        let name = "Nasi Goreng Spesial Kampung dengan Telur Mata Sapi";
        assert_eq!(
            lines(plain(name), 32),
            ["Nasi Goreng Spesial Kampung", "dengan Telur Mata Sapi"]
        );
        assert_eq!(lines(plain("  a b c"), 4), ["  a", "  b", "  c"]);
        assert_eq!(lines(plain("abcdefghij"), 4), ["abcd", "efgh", "ij"]);
        assert_eq!(lines(plain("#12  Meja 3"), 32), ["#12  Meja 3"]);
        assert_eq!(lines(plain(""), 32), [""]);
    }

    #[test]
    fn a_row_with_a_long_left_part_puts_the_amount_on_its_last_line() {
        assert_eq!(
            lines(row_of("Subtotal", "Rp65.000"), 32),
            ["Subtotal                Rp65.000"]
        );
        assert_eq!(
            lines(
                row_of("Diskon 10% ulang tahun pelanggan setia", "-Rp6.500"),
                32
            ),
            [
                "Diskon 10% ulang tahun pelanggan",
                "setia                   -Rp6.500"
            ]
        );
        assert_eq!(
            lines(row_of("Diskon ulang tahun pelanggan xx", "-Rp6.500"), 32),
            [
                "Diskon ulang tahun pelanggan xx",
                "                        -Rp6.500"
            ]
        );
    }

    #[test]
    fn double_size_halves_the_width() {
        let title = text("Warung Kedai Bandung", Align::Center, true, Size::Double);
        assert_eq!(lines(title.clone(), 32), ["Warung Kedai", "Bandung"]);
        assert_eq!(lines(title, 48), ["Warung Kedai Bandung"]);
    }

    #[test]
    fn widths_count_what_the_printer_gets() {
        // "…" prints as three characters.
        assert_eq!(lines(plain("ab… cd"), 5), ["ab…", "cd"]);
        assert_eq!(lines(plain("ab…"), 4), ["ab", "…"]);
    }

    #[test]
    fn rupiah_formatting() {
        assert_eq!(rupiah(0), "Rp0");
        assert_eq!(rupiah(500), "Rp500");
        assert_eq!(rupiah(50_000), "Rp50.000");
        assert_eq!(rupiah(-5_000), "-Rp5.000");
        assert_eq!(rupiah(1_234_567), "Rp1.234.567");
        assert_eq!(rupiah(i64::MIN), "-Rp9.223.372.036.854.775.808");
    }

    #[test]
    fn basis_points_as_percent() {
        assert_eq!(percent(500), "5%");
        assert_eq!(percent(550), "5,5%");
        assert_eq!(percent(1000), "10%");
        assert_eq!(percent(125), "1,25%");
        assert_eq!(percent(5), "0,05%");
    }

    #[test]
    fn labels_have_no_empty_field() {
        for labels in [&EN, &ID] {
            // Destructured without `..`: a new label cannot be left out of this test.
            let Labels {
                order,
                takeaway,
                guest,
                void,
                reprint,
                by,
                note,
                bill,
                receipt,
                copy,
                time,
                cashier,
                comped,
                discount,
                line_discounts,
                subtotal,
                service,
                tax,
                total,
                paid,
                change,
                outstanding,
                cash,
                qris,
                card,
                transfer,
                other,
                test_page,
                printer,
                address,
                columns,
                characters,
                test_ok,
            } = labels;
            for field in [
                order,
                takeaway,
                guest,
                void,
                reprint,
                by,
                note,
                bill,
                receipt,
                copy,
                time,
                cashier,
                comped,
                discount,
                line_discounts,
                subtotal,
                service,
                tax,
                total,
                paid,
                change,
                outstanding,
                cash,
                qris,
                card,
                transfer,
                other,
                test_page,
                printer,
                address,
                columns,
                characters,
                test_ok,
            ] {
                assert!(!field.trim().is_empty());
            }
        }
        assert_eq!(Labels::for_language("en"), &EN);
        assert_eq!(Labels::for_language("id"), &ID);
        assert_eq!(Labels::for_language("fr"), &ID);
        assert_eq!(ID.method("CASH"), "Tunai");
        assert_eq!(ID.method("GOPAY"), "GOPAY");
    }
}
