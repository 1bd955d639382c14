//! `Text`: a request body's string field that accepts only a JSON string.
//!
//! poem-openapi's `String` also reads a JSON number or boolean as its text (`{"name": false}`
//! would name something "false"), although the schema says `type: string`. `Text` has the same
//! schema and validators as `String` but refuses anything but a string with a 400. Response
//! objects keep `String`; services never see `Text`.

use std::{fmt, ops::Deref};

use poem_openapi::{
    types::{ParseError, ParseFromJSON, ParseResult},
    NewType,
};
use serde_json::Value;

// A string read strictly from JSON. `NewType` gives it `String`'s `Type` (schema, raw value) and
// `ToJSON`, so `max_length` and the other string validators apply unchanged; only parsing is
// written below. (Not a doc comment: the derive would copy it into every field's schema as its
// title.)
#[derive(Clone, PartialEq, Eq, Default, NewType)]
#[oai(
    from_json = false,
    from_parameter = false,
    from_multipart = false,
    to_header = false
)]
pub struct Text(String);

impl ParseFromJSON for Text {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(text)) => Ok(Text(text)),
            other => Err(ParseError::expected_type(other.unwrap_or_default())),
        }
    }
}

impl Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl From<Text> for String {
    fn from(text: Text) -> Self {
        text.0
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::{ToJSON, Type};
    use serde_json::json;

    use super::*;

    #[test]
    fn only_a_json_string_is_text() {
        let text = Text::parse_from_json(Some(json!("Meja 1"))).unwrap();
        assert_eq!(&*text, "Meja 1");
        for value in [
            json!(123),
            json!(1.5),
            json!(false),
            json!(null),
            json!([]),
            json!({}),
        ] {
            assert!(
                Text::parse_from_json(Some(value.clone())).is_err(),
                "{value}"
            );
        }
        assert!(Text::parse_from_json(None).is_err());
    }

    #[test]
    fn optional_text_is_absent_or_null_or_a_string() {
        assert_eq!(Option::<Text>::parse_from_json(None).unwrap(), None);
        assert_eq!(
            Option::<Text>::parse_from_json(Some(json!(null))).unwrap(),
            None
        );
        assert!(Option::<Text>::parse_from_json(Some(json!(7))).is_err());
    }

    #[test]
    fn schema_and_json_are_those_of_string() {
        assert_eq!(Text::name(), String::name());
        assert_eq!(Text::schema_ref(), String::schema_ref());
        assert_eq!(Text("kopi".into()).to_json(), Some(json!("kopi")));
    }
}
