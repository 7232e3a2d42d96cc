//! A small parser for the Structured Field lists of RFC 8941 that the
//! `RateLimit-Policy` and `RateLimit` fields are: members separated by commas,
//! each a bare item (a string, a token or an integer) with parameters
//! (`;key=value`). Enough of the RFC to tell `"per-user";q=100;w=60` from
//! `per-user;q=100;w=60` (a token, not a string) or `"per-user" ;q=100` (a
//! space before the semicolon), and to accept `"per-user"; q=100` (the RFC
//! allows spaces after it), which a string comparison would get wrong.

use racecourse_kit::i18n::t;

/// A bare item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bare {
    String(String),
    Token(String),
    Integer(i64),
    Boolean(bool),
}

/// A list member: its value and its parameters, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub value: Bare,
    pub params: Vec<(String, Bare)>,
}

impl Item {
    /// The integer parameter `key`, if there is one.
    pub fn int(&self, key: &str) -> Option<i64> {
        self.params.iter().find_map(|(k, v)| match v {
            Bare::Integer(n) if k == key => Some(*n),
            _ => None,
        })
    }
}

/// Parses a field value as an sf-list, or says where it stops being one.
pub fn parse_list(input: &str) -> Result<Vec<Item>, String> {
    let mut p = Parser {
        s: input.as_bytes(),
        i: 0,
    };
    p.skip(b' ');
    let mut items = Vec::new();
    while p.i < p.s.len() {
        items.push(p.item()?);
        p.skip_ows();
        if p.i == p.s.len() {
            break;
        }
        p.expect(b',')?;
        p.skip_ows();
        if p.i == p.s.len() {
            return Err(t!("spec-04-4-sf-trailing-comma", input = input));
        }
    }
    Ok(items)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn skip(&mut self, c: u8) {
        while self.peek() == Some(c) {
            self.i += 1;
        }
    }

    fn skip_ows(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.error(&t!(
                "spec-04-4-sf-expected",
                symbol = (c as char).to_string()
            )))
        }
    }

    fn error(&self, what: &str) -> String {
        t!(
            "spec-04-4-sf-at",
            input = String::from_utf8_lossy(self.s).into_owned(),
            what = what,
            at = self.i
        )
    }

    fn item(&mut self) -> Result<Item, String> {
        let value = self.bare()?;
        let mut params = Vec::new();
        while self.peek() == Some(b';') {
            self.i += 1;
            self.skip(b' ');
            let key = self.key()?;
            let value = if self.peek() == Some(b'=') {
                self.i += 1;
                self.bare()?
            } else {
                Bare::Boolean(true)
            };
            params.push((key, value));
        }
        Ok(Item { value, params })
    }

    fn key(&mut self) -> Result<String, String> {
        let start = self.i;
        match self.peek() {
            Some(c) if c.is_ascii_lowercase() || c == b'*' => self.i += 1,
            _ => return Err(self.error(&t!("spec-04-4-sf-key-start"))),
        }
        while matches!(self.peek(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit() || b"_-.*".contains(&c))
        {
            self.i += 1;
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    fn bare(&mut self) -> Result<Bare, String> {
        match self.peek() {
            Some(b'"') => self.string(),
            Some(c) if c == b'-' || c.is_ascii_digit() => self.integer(),
            Some(c) if c.is_ascii_alphabetic() || c == b'*' => Ok(self.token()),
            Some(b'?') => {
                self.i += 1;
                match self.peek() {
                    Some(b'1') => {
                        self.i += 1;
                        Ok(Bare::Boolean(true))
                    }
                    Some(b'0') => {
                        self.i += 1;
                        Ok(Bare::Boolean(false))
                    }
                    _ => Err(self.error(&t!("spec-04-4-sf-boolean"))),
                }
            }
            _ => Err(self.error(&t!("spec-04-4-sf-bare"))),
        }
    }

    fn string(&mut self) -> Result<Bare, String> {
        self.i += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(self.error(&t!("spec-04-4-sf-unterminated"))),
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Bare::String(out));
                }
                Some(b'\\') => {
                    self.i += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => {
                            out.push(c as char);
                            self.i += 1;
                        }
                        _ => return Err(self.error(&t!("spec-04-4-sf-backslash"))),
                    }
                }
                Some(c) if (0x20..0x7f).contains(&c) => {
                    out.push(c as char);
                    self.i += 1;
                }
                Some(_) => return Err(self.error(&t!("spec-04-4-sf-printable"))),
            }
        }
    }

    fn integer(&mut self) -> Result<Bare, String> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        let digits = self.i;
        while matches!(self.peek(), Some(c) if c.is_ascii_digit()) {
            self.i += 1;
        }
        let n = self.i - digits;
        if n == 0 || n > 15 {
            return Err(self.error(&t!("spec-04-4-sf-digits")));
        }
        if self.peek() == Some(b'.') {
            return Err(self.error(&t!("spec-04-4-sf-decimal")));
        }
        let text = String::from_utf8_lossy(&self.s[start..self.i]);
        Ok(Bare::Integer(text.parse().map_err(|_| {
            self.error(&t!("spec-04-4-sf-not-integer"))
        })?))
    }

    fn token(&mut self) -> Bare {
        let start = self.i;
        while matches!(self.peek(), Some(c) if c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~:/".contains(&c))
        {
            self.i += 1;
        }
        Bare::Token(String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_drafts_examples() {
        let items = parse_list("\"per-user\";q=100;w=60").unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].value, Bare::String("per-user".into()));
        assert_eq!(
            (items[0].int("q"), items[0].int("w")),
            (Some(100), Some(60))
        );
        let items = parse_list("\"a\";r=1;t=2, \"b\";r=3;t=4;pk=:AbC=:").unwrap_or_default();
        assert!(
            items.is_empty(),
            "a byte sequence is not supported: an error, not a guess"
        );
        let items = parse_list("\"a\";r=1;t=2, \"b\\\"c\";r=3").unwrap();
        assert_eq!(items[1].value, Bare::String("b\"c".into()));
    }

    #[test]
    fn tells_a_token_from_a_string_and_refuses_bad_syntax() {
        assert_eq!(
            parse_list("per-user;q=1").unwrap()[0].value,
            Bare::Token("per-user".into())
        );
        for bad in [
            "\"a\" ;q=1",
            "\"a\";Q=1",
            "\"a\";q=1.5",
            "\"a\",",
            "\"a",
            "\"a\";q=",
        ] {
            assert!(parse_list(bad).is_err(), "{bad} must not parse");
        }
    }
}
