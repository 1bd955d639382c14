//! The pages' two languages agree: the same keys with the same placeholders in `id.json` and
//! `en.json`, every key a page names exists, and every problem code the server can answer
//! has words in both.

use std::{
    collections::{BTreeMap, BTreeSet},
    fs,
    path::{Path, PathBuf},
};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn words(lang: &str) -> BTreeMap<String, String> {
    let path = Path::new(ROOT).join(format!("web/i18n/{lang}.json"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut todo = vec![Path::new(ROOT).join(dir)];
    while let Some(dir) = todo.pop() {
        for entry in fs::read_dir(&dir).unwrap().map(Result::unwrap) {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == ext) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// `{name}` placeholders of a text.
fn placeholders(text: &str) -> BTreeSet<&str> {
    text.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .filter(|name| name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .collect()
}

/// The quoted strings that follow each `marker` in `text`, up to the closing `quote`.
fn after<'a>(text: &'a str, marker: &str, quote: char) -> Vec<&'a str> {
    text.match_indices(marker)
        .filter_map(|(at, _)| text.get(at + marker.len()..)?.split_once(quote))
        .map(|(value, _)| value)
        .collect()
}

#[test]
fn both_languages_have_the_same_keys_and_placeholders() {
    let (id, en) = (words("id"), words("en"));
    let only_id: Vec<_> = id.keys().filter(|k| !en.contains_key(*k)).collect();
    let only_en: Vec<_> = en.keys().filter(|k| !id.contains_key(*k)).collect();
    assert!(only_id.is_empty(), "only in id.json: {only_id:?}");
    assert!(only_en.is_empty(), "only in en.json: {only_en:?}");
    for (key, text) in &id {
        assert!(!text.trim().is_empty(), "{key} is empty in id.json");
        assert!(!en[key].trim().is_empty(), "{key} is empty in en.json");
        assert_eq!(
            placeholders(text),
            placeholders(&en[key]),
            "{key}: the placeholders differ"
        );
    }
}

#[test]
fn every_key_the_pages_name_exists() {
    let id = words("id");
    let mut missing = BTreeSet::new();
    for page in files("web", "html") {
        let html = fs::read_to_string(&page).unwrap();
        for marker in [
            "data-i18n=\"",
            "data-i18n-placeholder=\"",
            "data-i18n-aria-label=\"",
            "data-i18n-title=\"",
        ] {
            for key in after(&html, marker, '"') {
                if !id.contains_key(key) {
                    missing.insert(format!("{}: {key}", page.display()));
                }
            }
        }
    }
    for script in files("web", "js") {
        let js = fs::read_to_string(&script).unwrap();
        // `t('key'` and `t("key"` as whole calls (not `set('…` or `.at('…`).
        for (marker, quote) in [("t('", '\''), ("t(\"", '"')] {
            for (at, _) in js.match_indices(marker) {
                let before = js.get(..at).and_then(|b| b.chars().last());
                if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
                    continue;
                }
                let rest = js.get(at + marker.len()..).unwrap_or_default();
                let Some((key, _)) = rest.split_once(quote) else {
                    continue;
                };
                if !id.contains_key(key) {
                    missing.insert(format!("{}: {key}", script.display()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "keys without words: {missing:#?}");
}

#[test]
fn every_problem_code_has_words_in_both_languages() {
    let (id, en) = (words("id"), words("en"));
    let mut codes = BTreeSet::new();
    for source in files("src", "rs") {
        let rust = fs::read_to_string(&source).unwrap();
        let mut found: Vec<&str> = after(&rust, "code: \"", '"');
        for constructor in ["AppError::conflict(", "AppError::bad_request("] {
            for (at, _) in rust.match_indices(constructor) {
                let rest = rust
                    .get(at + constructor.len()..)
                    .unwrap_or_default()
                    .trim_start();
                if let Some(code) = rest
                    .strip_prefix('"')
                    .and_then(|r| r.split_once('"'))
                    .map(|(code, _)| code)
                {
                    found.push(code);
                }
            }
        }
        if source.ends_with("src/error.rs") {
            found.extend(after(&rust, "=> \"", '"'));
        }
        codes.extend(
            found
                .into_iter()
                .filter(|c| !c.is_empty() && c.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
                .map(str::to_owned),
        );
    }
    assert!(codes.len() > 30, "found only {codes:?}");
    let missing: Vec<_> = codes
        .iter()
        .filter(|code| {
            let key = format!("error.{code}");
            !id.contains_key(&key) || !en.contains_key(&key)
        })
        .collect();
    assert!(
        missing.is_empty(),
        "problem codes without words: {missing:?}"
    );
}
