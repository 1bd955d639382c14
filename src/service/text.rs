//! What text Kedai accepts, and the one form it stores names in.
//!
//! Every text input (JSON strings, query and path) is checked at the edge by
//! `middleware::refuse_control_text` with `forbidden_char`: no control character but a line
//! break, no bidirectional override. Names then go through `clean_name`, which stores them in
//! one canonical form, so two names that look the same are the same name to the unique
//! indexes; notes and reasons through `clean_text`.

use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};

use crate::error::{AppError, AppResult};

use super::MAX_NAME_LEN;

/// A character no text input may hold: a control character other than a line break (NUL,
/// ESC, BEL, tab, DEL, C1 controls) or a bidirectional embedding, override or isolate, which
/// reorders how the text around it is shown (on a ticket, in a list).
pub fn forbidden_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\r')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Invisible characters that carry nothing in a name: zero-width space, word joiner, byte
/// order mark, soft hyphen, Mongolian vowel separator. Dropped, so "Meja 1" followed by a
/// zero-width space is "Meja 1".
fn is_invisible_filler(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
    )
}

/// Refused in a name on top of `forbidden_char`: line breaks and the direction marks and
/// separators that make a one-line name show differently from what it holds.
fn breaks_a_name(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{2028}' | '\u{2029}'
        )
}

/// A character someone can see: not white space, not a zero-width joiner or non-joiner, not a
/// combining mark on its own.
fn is_visible(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '\u{200C}' | '\u{200D}') && !is_combining_mark(c)
}

/// A display name in its stored form: NFC, invisible fillers dropped, runs of white space
/// (any kind) made one space, trimmed; 1–100 characters, at least one of them visible; no
/// line break, control or direction character.
pub fn clean_name(field: &'static str, value: &str) -> AppResult<String> {
    let mut name = String::with_capacity(value.len());
    let mut pending_space = false;
    for c in value.nfc() {
        if forbidden_char(c) || breaks_a_name(c) {
            return Err(AppError::validation(
                field,
                format!(
                    "{field} must not contain control or text-direction characters (U+{:04X})",
                    u32::from(c)
                ),
            ));
        }
        if is_invisible_filler(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !name.is_empty();
            continue;
        }
        if pending_space {
            name.push(' ');
            pending_space = false;
        }
        name.push(c);
    }
    if !name.chars().any(is_visible) {
        return Err(AppError::validation(
            field,
            format!("{field} must not be empty"),
        ));
    }
    check_len(field, &name, MAX_NAME_LEN)?;
    Ok(name)
}

/// A note, reason or address: NFC, line breaks as `\n`, trimmed, at most `max` characters.
pub fn clean_text(field: &'static str, value: &str, max: usize) -> AppResult<String> {
    if let Some(c) = value.chars().find(|&c| forbidden_char(c)) {
        return Err(AppError::validation(
            field,
            format!(
                "{field} must not contain control or text-direction characters (U+{:04X})",
                u32::from(c)
            ),
        ));
    }
    let text: String = value
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .nfc()
        .collect();
    let text = text.trim();
    check_len(field, text, max)?;
    Ok(text.to_owned())
}

/// Like `clean_text`; `None` when blank.
pub fn clean_optional(
    field: &'static str,
    value: Option<String>,
    max: usize,
) -> AppResult<Option<String>> {
    Ok(value
        .map(|value| clean_text(field, &value, max))
        .transpose()?
        .filter(|value| !value.is_empty()))
}

pub fn check_len(field: &'static str, value: &str, max: usize) -> AppResult<()> {
    if value.chars().count() > max {
        return Err(AppError::validation(
            field,
            format!("{field} must be at most {max} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_take_one_canonical_form() {
        assert_eq!(clean_name("name", "  Meja 1 ").unwrap(), "Meja 1");
        assert_eq!(clean_name("name", "Meja 1\u{200B}").unwrap(), "Meja 1");
        assert_eq!(
            clean_name("name", "\u{FEFF}Meja\u{00A0}\u{3000} 1").unwrap(),
            "Meja 1"
        );
        // "é" typed as e + combining acute is stored as the one character.
        assert_eq!(clean_name("name", "Cafe\u{301}").unwrap(), "Caf\u{E9}");
        // A chef emoji keeps its zero-width joiner.
        assert_eq!(
            clean_name("name", "Koki \u{1F468}\u{200D}\u{1F373}").unwrap(),
            "Koki \u{1F468}\u{200D}\u{1F373}"
        );
    }

    #[test]
    fn names_that_hide_or_break_are_refused() {
        for name in [
            "   ",
            "\u{200B}\u{200B}",
            "\u{200D}\u{200C}",
            "\u{301}",
            "Meja\n1",
            "Meja\r1",
            "Meja\t1",
            "Meja\u{1B}[31m1",
            "Meja\u{7}",
            "Meja\u{0}",
            "Meja \u{202E}1",
            "Meja \u{2067}1",
            "Meja\u{200F}",
            "Meja\u{2028}1",
            "Meja\u{85}",
        ] {
            assert!(clean_name("name", name).is_err(), "{name:?}");
        }
        assert!(clean_name("name", &"x".repeat(101)).is_err());
        assert!(clean_name("name", &"x".repeat(100)).is_ok());
    }

    #[test]
    fn notes_keep_line_breaks_and_refuse_other_controls() {
        assert_eq!(
            clean_text("note", " no chili\r\nextra rice ", 50).unwrap(),
            "no chili\nextra rice"
        );
        for note in ["a\u{0}b", "a\tb", "a\u{1B}b", "a\u{202D}b", "a\u{9F}b"] {
            assert!(clean_text("note", note, 50).is_err(), "{note:?}");
        }
    }

    #[test]
    fn optional_text_is_trimmed_blank_is_none_and_long_is_refused() {
        let clean = |v: &str| clean_optional("note", Some(v.to_owned()), 5);
        assert_eq!(clean("  hot ").unwrap(), Some("hot".to_owned()));
        assert_eq!(clean("   ").unwrap(), None);
        assert!(clean("too long").is_err());
        assert_eq!(clean_optional("note", None, 5).unwrap(), None);
    }

    #[test]
    fn the_edge_refuses_controls_but_line_breaks_and_direction_overrides() {
        for c in [
            '\u{0}', '\u{7}', '\t', '\u{1B}', '\u{7F}', '\u{85}', '\u{202E}', '\u{2066}',
        ] {
            assert!(forbidden_char(c), "{c:?}");
        }
        for c in ['\n', '\r', 'a', 'é', '\u{200D}', '\u{A0}'] {
            assert!(!forbidden_char(c), "{c:?}");
        }
    }
}
