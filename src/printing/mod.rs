//! Printing on network thermal printers: a document's layout (`layout`), its ESC/POS bytes
//! (`escpos`), one job sent to one printer over raw TCP (`transport`), and the worker that
//! sends the queued jobs (`worker`).

pub mod escpos;
pub mod layout;
pub mod transport;
pub mod worker;

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{escpos::encode, layout::*};

    fn kitchen(void: bool) -> KitchenTicket {
        KitchenTicket {
            void,
            reprint: false,
            station: Some("Dapur".into()),
            number: 12,
            table: Some("Meja 3".into()),
            at: "03/12/2026 19:45".into(),
            by: "Budi".into(),
            lines: vec![
                KitchenLine {
                    quantity: 2,
                    name: "Nasi Goreng Spesial".into(),
                    options: vec!["Pedas".into()],
                    note: Some("tanpa bawang".into()),
                },
                KitchenLine {
                    quantity: if void { 1 } else { 3 },
                    name: "Es Teh Manis".into(),
                    options: vec![],
                    note: None,
                },
                KitchenLine {
                    quantity: 1,
                    name: "Sate Ayam".into(),
                    options: vec![],
                    note: None,
                },
            ],
            note: Some("Tamu alergi kacang, tolong dipisah".into()),
        }
    }

    // 2 × 25.000 + 3 × 5.000 = 65.000; 10% off = 6.500; service 5% of 58.500 = 2.925;
    // tax 10% of 61.425 = 6.143 (half up); total 67.568.
    fn bill(kind: ReceiptKind) -> Receipt {
        let paid = kind == ReceiptKind::Receipt;
        Receipt {
            kind,
            copy: false,
            outlet_name: "Warung Kedai".into(),
            outlet_address: "Jl. Merdeka No. 10, Bandung".into(),
            table: Some("Meja 3".into()),
            numbers: vec![12],
            at: "03/12/2026 20:30".into(),
            cashier: Some("Sari".into()),
            lines: vec![
                ReceiptLine {
                    quantity: 2,
                    name: "Nasi Goreng Spesial".into(),
                    unit_price: 25_000,
                    options: vec!["Pedas".into()],
                    total: 50_000,
                    comped: 0,
                    discount: 0,
                },
                ReceiptLine {
                    quantity: 3,
                    name: "Es Teh Manis".into(),
                    unit_price: 5_000,
                    options: vec![],
                    total: 15_000,
                    comped: 0,
                    discount: 0,
                },
                ReceiptLine {
                    quantity: 0,
                    name: "Sate Ayam".into(),
                    unit_price: 30_000,
                    options: vec![],
                    total: 0,
                    comped: 1,
                    discount: 0,
                },
            ],
            discounts: vec![ReceiptDiscount {
                label: "10% Pelanggan setia".into(),
                amount: 6_500,
            }],
            subtotal: 65_000,
            discount_total: 6_500,
            service_charge_bp: 500,
            service_charge: 2_925,
            tax_bp: 1000,
            tax: 6_143,
            total: 67_568,
            payments: if paid {
                vec![ReceiptPayment {
                    method: "CASH".into(),
                    amount: 67_568,
                    tendered: Some(100_000),
                    change: 32_432,
                }]
            } else {
                vec![]
            },
            paid: if paid { 67_568 } else { 0 },
            outstanding: if paid { 0 } else { 67_568 },
            footer: Some("Terima kasih!".into()),
            qr_url: paid.then(|| "http://192.168.1.10:8080/r/abc123".into()),
            kick_drawer: paid,
        }
    }

    fn samples() -> Vec<(&'static str, Document)> {
        vec![
            ("kitchen", kitchen_ticket(&kitchen(false), &ID)),
            ("void", kitchen_ticket(&kitchen(true), &ID)),
            ("bill", receipt(&bill(ReceiptKind::Bill), &ID)),
            ("receipt", receipt(&bill(ReceiptKind::Receipt), &ID)),
        ]
    }

    /// Compares `bytes` with `tests/golden/<name>`; with `KEDAI_BLESS=1` rewrites the file.
    fn golden(name: &str, bytes: &[u8]) {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name);
        if std::env::var("KEDAI_BLESS").is_ok_and(|v| v == "1") {
            std::fs::write(&path, bytes).unwrap();
            return;
        }
        let expected = std::fs::read(&path).unwrap_or_default();
        assert!(
            expected == bytes,
            "{name} differs from tests/golden/{name}; if the change is intended, rerun with \
             KEDAI_BLESS=1 to rewrite the golden files"
        );
    }

    #[test]
    fn samples_match_the_golden_files() {
        for (name, doc) in samples() {
            for paper in [Paper::NARROW, Paper::WIDE] {
                let stem = format!("{name}-{}", paper.columns);
                golden(&format!("{stem}.bin"), &encode(&doc, paper));
                golden(&format!("{stem}.txt"), doc.to_text(paper).as_bytes());
            }
        }
    }

    #[test]
    fn text_lines_never_exceed_the_columns() {
        let mut docs = samples();
        docs.push((
            "test page",
            test_page(
                "Kasir Depan",
                "192.168.1.50:9100",
                Paper::NARROW,
                "03/12/2026",
                &EN,
            ),
        ));
        for (name, doc) in docs {
            for paper in [Paper::NARROW, Paper::WIDE] {
                for line in doc.to_text(paper).lines() {
                    assert!(
                        line.chars().count() <= paper.columns,
                        "{name} at {}: {line:?}",
                        paper.columns
                    );
                }
            }
        }
    }

    #[test]
    fn the_test_page_shows_a_full_width_ruler_and_the_samples() {
        let text = test_page("Bar", "10.0.0.9:9100", Paper::WIDE, "now", &ID).to_text(Paper::WIDE);
        assert!(text.contains(&"1234567890".repeat(5)[..48]));
        assert!(text.contains("Café – naïve"));
        assert!(text.contains("TES PRINTER"));
    }

    #[test]
    fn the_receipt_reads_right() {
        let text = receipt(&bill(ReceiptKind::Receipt), &ID).to_text(Paper::NARROW);
        for expected in [
            "  2 x Rp25.000          Rp50.000",
            "  1 x Rp30.000            Gratis",
            "Layanan 5%               Rp2.925",
            "Tunai                  Rp100.000",
            "Kembalian               Rp32.432",
            "STRUK",
        ] {
            assert!(text.contains(expected), "{expected:?} in\n{text}");
        }
        let bill = receipt(&bill(ReceiptKind::Bill), &EN).to_text(Paper::NARROW);
        assert!(bill.contains("BILL") && !bill.contains("Change"));
    }
}
