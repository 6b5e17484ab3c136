//! The parts of an account a person types in, parsed at the edge so the rest of the code can trust them.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A sign-in name: 3–64 characters of lowercase letters, digits, `.`, `_` and `-`; compared
/// case-insensitively by storing it lowercased.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Username(String);

impl Username {
    pub fn parse(input: &str) -> Result<Username, String> {
        let name = input.trim().to_lowercase();
        if name.chars().count() < 3 {
            return Err("must be at least 3 characters".into());
        }
        if name.chars().count() > 64 {
            return Err("must be at most 64 characters".into());
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
        {
            return Err(format!(
                "may contain only letters, digits, '.', '_' and '-' (found {bad:?})"
            ));
        }
        Ok(Username(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a person is named where one is picked from many, "Bea Engineer (bea)": the username tells
/// two people of the same name apart.
pub fn person_label(display_name: &str, username: &str) -> String {
    format!("{display_name} ({username})")
}

/// Whom a typed owner names, before anyone is looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonRef<'a> {
    Nobody,
    /// A user id, as API clients send it (`12` or `#12`).
    Id(i64),
    /// A label as suggestions fill it in: the username in its last parentheses, and the whole
    /// text in case those parentheses belong to a display name.
    Label {
        username: &'a str,
        whole: &'a str,
    },
    /// A username or a display name, typed.
    Name(&'a str),
}

impl PersonRef<'_> {
    pub fn parse(input: &str) -> PersonRef<'_> {
        let text = input.trim();
        if text.is_empty() {
            return PersonRef::Nobody;
        }
        if let Ok(id) = text.trim_start_matches('#').parse::<i64>() {
            return PersonRef::Id(id);
        }
        if let Some(inner) = text.strip_suffix(')')
            && let Some((_, username)) = inner.rsplit_once(" (")
            && Username::parse(username).is_ok_and(|u| u.as_str() == username)
        {
            return PersonRef::Label {
                username,
                whole: text,
            };
        }
        PersonRef::Name(text)
    }
}

/// A required single line of text of at most `max_chars` characters, trimmed.
pub fn required_line(input: &str, max_chars: usize) -> Result<String, String> {
    let text = input.trim();
    if text.is_empty() {
        return Err("is required".into());
    }
    if text.chars().count() > max_chars {
        return Err(format!("must be at most {max_chars} characters"));
    }
    if text.chars().any(char::is_control) {
        return Err("may not contain control characters".into());
    }
    Ok(text.to_string())
}

/// The name shown to other people: 1–128 characters, not blank.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisplayName(String);

impl DisplayName {
    pub fn parse(input: &str) -> Result<DisplayName, String> {
        required_line(input, 128).map(DisplayName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, checked for shape only (one `@`, a dot in the domain, no spaces).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Email, String> {
        let email = input.trim();
        if email.is_empty() {
            return Err("is required".into());
        }
        if email.len() > 254 {
            return Err("must be at most 254 characters".into());
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err("must look like name@example.com".into());
        };
        let shaped = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email.chars().any(char::is_whitespace);
        if !shaped {
            return Err("must look like name@example.com".into());
        }
        Ok(Email(email.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password someone chose: 12 to 256 characters (long passphrases welcome, short ones refused).
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(input: &str) -> Result<NewPassword, String> {
        let count = input.chars().count();
        if count < Self::MIN_CHARS {
            return Err(format!("must be at least {} characters", Self::MIN_CHARS));
        }
        if count > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        if input.trim().is_empty() {
            return Err("may not be only spaces".into());
        }
        Ok(NewPassword(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typed_owner_is_nobody_an_id_a_label_or_a_name() {
        assert_eq!(PersonRef::parse("  "), PersonRef::Nobody);
        assert_eq!(PersonRef::parse("12"), PersonRef::Id(12));
        assert_eq!(PersonRef::parse("#12"), PersonRef::Id(12));
        let label = person_label("Bea Engineer", "bea");
        assert_eq!(
            PersonRef::parse(&label),
            PersonRef::Label {
                username: "bea",
                whole: "Bea Engineer (bea)"
            }
        );
        assert_eq!(
            PersonRef::parse("Sam (Platform) (sam.k)"),
            PersonRef::Label {
                username: "sam.k",
                whole: "Sam (Platform) (sam.k)"
            }
        );
        // Parentheses that cannot hold a username belong to the name.
        assert_eq!(
            PersonRef::parse("Sam (Platform Team)"),
            PersonRef::Name("Sam (Platform Team)")
        );
        assert_eq!(PersonRef::parse("Sam (SAM)"), PersonRef::Name("Sam (SAM)"));
        assert_eq!(PersonRef::parse(" bea "), PersonRef::Name("bea"));
    }

    #[test]
    fn usernames_are_trimmed_and_lowercased() {
        assert_eq!(
            Username::parse("  Alice.Ops ").unwrap().as_str(),
            "alice.ops"
        );
    }

    #[test]
    fn usernames_reject_odd_characters_and_lengths() {
        assert!(Username::parse("al").unwrap_err().contains("at least 3"));
        assert!(
            Username::parse(&"a".repeat(65))
                .unwrap_err()
                .contains("at most 64")
        );
        assert!(Username::parse("bob smith").unwrap_err().contains("' '"));
        assert!(Username::parse("bob<script>").is_err());
    }

    #[test]
    fn display_names_must_not_be_blank() {
        assert_eq!(DisplayName::parse("   ").unwrap_err(), "is required");
        assert_eq!(
            DisplayName::parse(" Ada Lovelace ").unwrap().as_str(),
            "Ada Lovelace"
        );
    }

    #[test]
    fn emails_need_a_plausible_shape() {
        assert!(Email::parse("ada@example.com").is_ok());
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "a@b@c.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn passwords_have_a_minimum_length_and_are_not_printed() {
        assert!(
            NewPassword::parse("short")
                .unwrap_err()
                .contains("at least 12")
        );
        assert!(NewPassword::parse(&" ".repeat(12)).is_err());
        let password = NewPassword::parse("correct horse battery").unwrap();
        assert_eq!(format!("{password:?}"), "NewPassword(..)");
    }

    proptest::proptest! {
        #[test]
        fn a_parsed_username_parses_to_itself(input in "[A-Za-z0-9._ <-]{0,80}") {
            if let Ok(name) = Username::parse(&input) {
                proptest::prop_assert_eq!(Username::parse(name.as_str()), Ok(name.clone()));
                proptest::prop_assert!(name.as_str().chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_".contains(c)));
            }
        }

        #[test]
        fn valid_shapes_are_accepted(name in "[a-z0-9._-]{3,64}") {
            proptest::prop_assert!(Username::parse(&name).is_ok());
        }

        #[test]
        fn passwords_are_judged_by_length_alone(password in "[^ ]{12,256}") {
            proptest::prop_assert!(NewPassword::parse(&password).is_ok());
        }
    }
}
