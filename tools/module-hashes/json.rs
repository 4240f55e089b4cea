// SPDX-License-Identifier: GPL-2.0

//! JSON Lines output (`verify --json`), written by hand: one object per
//! line, its keys in the order they are added.

use std::fmt::Write as _;

/// Appends `text` to `out` as a JSON string: quoted, with `"`, `\` and the
/// control characters escaped (those as `\uXXXX`).
fn push_string(out: &mut String, text: &str) {
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{0}'..='\u{1f}' | '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(character));
            }
            _ => out.push(character),
        }
    }
    out.push('"');
}

/// A JSON object on one line, under construction.
#[derive(Debug)]
pub(crate) struct Object {
    /// The text so far: `{` and the members added.
    text: String,
}

impl Object {
    /// An empty object.
    pub(crate) fn new() -> Self {
        Object {
            text: String::from("{"),
        }
    }

    /// Starts the member `key`.
    fn key(&mut self, key: &str) {
        if self.text.len() > 1 {
            self.text.push(',');
        }
        push_string(&mut self.text, key);
        self.text.push(':');
    }

    /// Adds the member `key` with a string value.
    pub(crate) fn string(mut self, key: &str, value: &str) -> Self {
        self.key(key);
        push_string(&mut self.text, value);
        self
    }

    /// Adds the member `key` with a string value, or `null`.
    pub(crate) fn optional_string(mut self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.string(key, value),
            None => {
                self.key(key);
                self.text.push_str("null");
                self
            }
        }
    }

    /// Adds the member `key` with a boolean value.
    pub(crate) fn bool(mut self, key: &str, value: bool) -> Self {
        self.key(key);
        self.text.push_str(if value { "true" } else { "false" });
        self
    }

    /// The object as one line, with its newline.
    pub(crate) fn line(mut self) -> String {
        self.text.push_str("}\n");
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(text: &str) -> String {
        let mut out = String::new();
        push_string(&mut out, text);
        out
    }

    #[test]
    fn escapes_quotes_backslashes_and_control_characters() {
        assert_eq!(string("a.ko"), r#""a.ko""#);
        assert_eq!(string(r#"a"b\c"#), r#""a\"b\\c""#);
        assert_eq!(
            string("a\nb\t\u{1}\u{7f}"),
            r#""a\u000ab\u0009\u0001\u007f""#
        );
        assert_eq!(string("é/\u{2028}"), "\"é/\u{2028}\"");
        assert_eq!(string(""), r#""""#);
    }

    #[test]
    fn objects_keep_their_key_order() {
        assert_eq!(Object::new().line(), "{}\n");
        assert_eq!(
            Object::new()
                .string("path", "x")
                .bool("signed", false)
                .optional_string("manifest_path", None)
                .optional_string("b", Some("y"))
                .bool("a", true)
                .line(),
            "{\"path\":\"x\",\"signed\":false,\"manifest_path\":null,\"b\":\"y\",\"a\":true}\n"
        );
    }
}
