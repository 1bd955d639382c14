//! CSV downloads: RFC 4180 (fields quoted where needed, CRLF line ends), written by the `csv`
//! crate, with text that a spreadsheet would run as a formula defused.

use crate::error::{AppError, AppResult};

/// One field of a CSV row.
pub enum Cell<'a> {
    /// Free text (names, reasons): may come from staff or guests, so it is defused.
    Text(&'a str),
    /// A number Kedai computed: written as is, so `-5000` stays a number.
    Int(i64),
}

/// A header and rows as one CSV document.
pub fn render<'a>(
    header: &[&str],
    rows: impl IntoIterator<Item = Vec<Cell<'a>>>,
) -> AppResult<String> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::new());
    writer.write_record(header).map_err(AppError::internal)?;
    for row in rows {
        let fields = row.iter().map(|cell| match cell {
            Cell::Text(text) => defuse(text),
            Cell::Int(n) => n.to_string(),
        });
        writer.write_record(fields).map_err(AppError::internal)?;
    }
    let bytes = writer.into_inner().map_err(AppError::internal)?;
    String::from_utf8(bytes).map_err(AppError::internal)
}

/// Spreadsheets run a cell starting with `=`, `+`, `-` or `@` (and some a tab or CR before
/// one) as a formula; a leading `'` makes it text, shown without the quote.
fn defuse(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_fields_quoted_per_rfc_4180() {
        let rows = [
            "=HYPERLINK(\"http://x\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "\rx",
            "a,b",
            "line\r\nbreak",
            "Nasi \"Spesial\"",
            "Es Teh",
        ]
        .into_iter()
        .map(|name| vec![Cell::Text(name), Cell::Int(-5)]);
        let csv = render(&["key", "net"], rows).unwrap();
        assert_eq!(
            csv,
            "key,net\r\n\
             \"'=HYPERLINK(\"\"http://x\"\")\",-5\r\n\
             '+1,-5\r\n\
             '-2,-5\r\n\
             '@SUM(A1),-5\r\n\
             '\tx,-5\r\n\
             \"'\rx\",-5\r\n\
             \"a,b\",-5\r\n\
             \"line\r\nbreak\",-5\r\n\
             \"Nasi \"\"Spesial\"\"\",-5\r\n\
             Es Teh,-5\r\n"
        );
    }
}
