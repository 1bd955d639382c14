//! ESC/POS bytes for a document, written by hand: the few commands every thermal printer
//! knows, and text transliterated to ASCII so any code page prints it.

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

use super::layout::{Align, Block, Document, Paper, Size};

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const LF: u8 = 0x0A;

/// `ESC @`: back to the power-on settings.
const INIT: [u8; 2] = [ESC, b'@'];
/// `ESC t 0`: code page PC437, whose lower half is ASCII.
const CODE_PAGE_PC437: [u8; 3] = [ESC, b't', 0];
/// `GS V 66 0`: feed to the cutter and cut, leaving a hinge.
const CUT: [u8; 4] = [GS, b'V', 66, 0];
/// `ESC p 0 25 250`: pulse drawer pin 2 for 50 ms on, 500 ms off.
const DRAWER_KICK: [u8; 5] = [ESC, b'p', 0, 25, 250];
/// `GS ( k` function 165: QR model 2.
const QR_MODEL_2: [u8; 9] = [GS, b'(', b'k', 4, 0, 49, 65, 50, 0];
/// `GS ( k` function 167: 6-dot modules.
const QR_MODULE_SIZE: [u8; 8] = [GS, b'(', b'k', 3, 0, 49, 67, 6];
/// `GS ( k` function 169: error correction M.
const QR_ERROR_M: [u8; 8] = [GS, b'(', b'k', 3, 0, 49, 69, 49];
/// `GS ( k` function 181: print the stored symbol.
const QR_PRINT: [u8; 8] = [GS, b'(', b'k', 3, 0, 49, 81, 48];
/// The most bytes a QR code holds at error correction M (version 40).
const QR_MAX_BYTES: usize = 2331;

/// `ESC a n`.
fn align(align: Align) -> [u8; 3] {
    let n = match align {
        Align::Left => 0,
        Align::Center => 1,
        Align::Right => 2,
    };
    [ESC, b'a', n]
}

/// `ESC E n`.
fn bold(on: bool) -> [u8; 3] {
    [ESC, b'E', u8::from(on)]
}

/// `GS ! n`: width and height multipliers in the high and low nibble.
fn size(size: Size) -> [u8; 3] {
    let n = match size {
        Size::Normal => 0x00,
        Size::Double => 0x11,
    };
    [GS, b'!', n]
}

/// `ESC d n`: print and feed `n` lines.
fn feed(lines: u8) -> [u8; 3] {
    [ESC, b'd', lines]
}

/// `GS ( k` function 180: store `data` for the next QR print; `None` when it cannot fit.
fn qr_store(data: &[u8]) -> Option<Vec<u8>> {
    if data.is_empty() || data.len() > QR_MAX_BYTES {
        return None;
    }
    let [low, high] = u16::try_from(data.len() + 3).ok()?.to_le_bytes();
    let mut out = vec![GS, b'(', b'k', low, high, 49, 80, 48];
    out.extend_from_slice(data);
    Some(out)
}

/// The bytes that print `doc` on `paper`. The same document always gives the same bytes.
pub fn encode(doc: &Document, paper: Paper) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&INIT);
    out.extend_from_slice(&CODE_PAGE_PC437);
    for block in &doc.blocks {
        match block {
            Block::Text {
                align, bold, size, ..
            } => styled(&mut out, *align, *bold, *size, &block.lines(paper)),
            Block::Row { bold, .. } => styled(
                &mut out,
                Align::Left,
                *bold,
                Size::Normal,
                &block.lines(paper),
            ),
            Block::Rule => styled(
                &mut out,
                Align::Left,
                false,
                Size::Normal,
                &block.lines(paper),
            ),
            Block::Feed(lines) => out.extend_from_slice(&feed(*lines)),
            Block::Qr(url) => match qr_store(url.as_bytes()) {
                Some(store) => {
                    out.extend_from_slice(&align(Align::Center));
                    for part in [
                        &QR_MODEL_2[..],
                        &QR_MODULE_SIZE,
                        &QR_ERROR_M,
                        &store,
                        &QR_PRINT,
                    ] {
                        out.extend_from_slice(part);
                    }
                    out.extend_from_slice(&align(Align::Left));
                }
                // Too long for a code: the URL itself still gets the guest there.
                None => styled(
                    &mut out,
                    Align::Center,
                    false,
                    Size::Normal,
                    &block.lines(paper),
                ),
            },
        }
    }
    if doc.cut {
        out.extend_from_slice(&CUT);
    }
    if doc.kick_drawer {
        out.extend_from_slice(&DRAWER_KICK);
    }
    out
}

/// Lines in one style, then back to left, not bold, normal size.
fn styled(out: &mut Vec<u8>, a: Align, b: bool, s: Size, lines: &[String]) {
    out.extend_from_slice(&align(a));
    out.extend_from_slice(&bold(b));
    out.extend_from_slice(&size(s));
    for line in lines {
        out.extend_from_slice(transliterate(line).as_bytes());
        out.push(LF);
    }
    out.extend_from_slice(&align(Align::Left));
    out.extend_from_slice(&bold(false));
    out.extend_from_slice(&size(Size::Normal));
}

/// `text` in printable ASCII: accents stripped (é → e), typographic punctuation made plain
/// (“ ” → ", – → -, … → ...), a few letters spelled out (ß → ss, € → EUR), control characters
/// dropped, and anything else (emoji, CJK) printed as `?`.
pub fn transliterate(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        if c.is_ascii() {
            if !c.is_ascii_control() {
                out.push(c);
            }
            continue;
        }
        let plain = match c {
            c if is_combining_mark(c) || c.is_control() => "",
            '“' | '”' | '„' | '«' | '»' => "\"",
            '‘' | '’' | '‚' => "'",
            '–' | '—' | '‐' | '‑' | '−' => "-",
            '…' => "...",
            '×' => "x",
            '€' => "EUR",
            'ß' => "ss",
            'æ' => "ae",
            'Æ' => "AE",
            'ø' => "o",
            'Ø' => "O",
            c if c.is_whitespace() => " ",
            _ => "?",
        };
        out.push_str(plain);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliteration_samples() {
        assert_eq!(transliterate("Café – naïve"), "Cafe - naive");
        assert_eq!(
            transliterate("“Señor” ‘ok’ … 2×3 €5"),
            "\"Senor\" 'ok' ... 2x3 EUR5"
        );
        assert_eq!(
            transliterate("Straße Æble Smørrebrød"),
            "Strasse AEble Smorrebrod"
        );
        assert_eq!(transliterate("a\u{a0}b\tc\u{7}d"), "a bcd");
        assert_eq!(transliterate("Sate 🍢 麻辣"), "Sate ? ??");
        // Already decomposed input prints the same.
        assert_eq!(transliterate("Cafe\u{301}"), "Cafe");
    }

    #[test]
    fn qr_store_length_is_data_plus_three_little_endian() {
        let url = format!("http://192.168.1.10:8080/r/{}", "x".repeat(273));
        assert_eq!(url.len(), 300);
        let store = qr_store(url.as_bytes()).unwrap();
        assert_eq!(
            &store[..8],
            &[0x1D, 0x28, 0x6B, 0x2F, 0x01, 0x31, 0x50, 0x30]
        );
        assert_eq!(&store[8..], url.as_bytes());
        assert_eq!(qr_store(&[b'x'; QR_MAX_BYTES + 1]), None);
    }

    #[test]
    fn a_drawer_kick_prints_nothing() {
        let bytes = encode(&super::super::layout::drawer_kick(), Paper::NARROW);
        assert_eq!(
            bytes,
            [0x1B, 0x40, 0x1B, 0x74, 0x00, 0x1B, 0x70, 0x00, 0x19, 0xFA]
        );
    }

    #[test]
    fn a_text_block_sets_its_style_and_resets_it() {
        let doc = Document {
            blocks: vec![Block::Text {
                text: "Hi".into(),
                align: Align::Center,
                bold: true,
                size: Size::Double,
            }],
            cut: true,
            kick_drawer: false,
        };
        let bytes = encode(&doc, Paper::NARROW);
        let expected: Vec<u8> = [
            &[0x1B, 0x40, 0x1B, 0x74, 0x00][..],
            &[0x1B, 0x61, 1, 0x1B, 0x45, 1, 0x1D, 0x21, 0x11],
            b"Hi\n",
            &[0x1B, 0x61, 0, 0x1B, 0x45, 0, 0x1D, 0x21, 0x00],
            &[0x1D, 0x56, 0x42, 0x00],
        ]
        .concat();
        assert_eq!(bytes, expected);
    }
}
